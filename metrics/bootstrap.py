"""Bootstrap confidence intervals: resample samples with replacement, reduce, take percentiles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.base import Metric


@dataclass(frozen=True)
class BootstrapSpec:
    """How intervals are computed; written into every result."""

    resamples: int = 1000
    """Number of bootstrap resamples."""
    confidence: float = 0.95
    """Two-sided coverage of the percentile interval."""
    seed: int = 0
    """Seed of the resampling RNG (numpy PCG64)."""

    def to_json(self) -> dict:
        return {
            "method": "percentile",
            "resamples": self.resamples,
            "confidence": self.confidence,
            "seed": self.seed,
        }


def resample_indices(n: int, spec: BootstrapSpec) -> np.ndarray:
    """[resamples, n] indices, the same for every metric of a task (so intervals are coherent)."""
    rng = np.random.default_rng(spec.seed)
    return rng.integers(0, n, size=(spec.resamples, n))


def interval(metric: Metric, stats: np.ndarray, spec: BootstrapSpec) -> tuple[float, float]:
    """Percentile interval of the metric over bootstrap resamples of its statistics."""
    n = len(stats)
    if n == 0:
        return float("nan"), float("nan")
    values = metric.reduce_resamples(stats, resample_indices(n, spec))
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    alpha = (1.0 - spec.confidence) / 2.0
    low, high = np.quantile(values, [alpha, 1.0 - alpha])
    return float(low), float(high)
