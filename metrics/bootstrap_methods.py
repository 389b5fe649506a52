"""Interval methods on bootstrap values: percentile and BCa (Efron 1987)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """The (1-c)/2 and (1+c)/2 quantiles of the finite resampled values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return float("nan"), float("nan")
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(v, [alpha, 1.0 - alpha])
    return float(low), float(high)


def bca_interval(
    values: np.ndarray, point: float, jackknife: np.ndarray, confidence: float
) -> tuple[float, float]:
    """Bias-corrected and accelerated interval: z0 from the share of resamples below the point
    value, acceleration from (grouped) jackknife values of the statistic."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return float("nan"), float("nan")
    share = (np.sum(v < point) + 0.5 * np.sum(v == point)) / v.size
    z0 = norm.ppf(np.clip(share, 1.0 / (v.size + 1), v.size / (v.size + 1)))
    d = np.mean(jackknife) - np.asarray(jackknife, dtype=float)
    denom = 6.0 * np.sum(d**2) ** 1.5
    a = float(np.sum(d**3) / denom) if denom > 0 else 0.0
    z = norm.ppf([(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    adjusted = norm.cdf(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
    low, high = np.quantile(v, adjusted)
    return float(low), float(high)
