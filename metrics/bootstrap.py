"""Bootstrap confidence intervals: resample samples with replacement, reduce, take percentiles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

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


CHUNK_ELEMENTS = 1 << 20
"""Indices drawn at a time (8 MiB of int64): memory stays flat however large the corpus."""


def iter_resample_indices(n: int, spec: BootstrapSpec) -> Iterator[np.ndarray]:
    """The rows of `resample_indices` in chunks of about CHUNK_ELEMENTS indices.

    numpy's Generator draws bounded integers one after another from one stream, so the chunks
    are exactly the rows of the single [resamples, n] draw.
    """
    rng = np.random.default_rng(spec.seed)
    rows = max(1, CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, spec.resamples, rows):
        yield rng.integers(0, n, size=(min(rows, spec.resamples - start), n))


def resample_indices(n: int, spec: BootstrapSpec) -> np.ndarray:
    """[resamples, n] indices, the same for every metric of a task (so intervals are coherent)."""
    return np.concatenate(list(iter_resample_indices(n, spec)))


def interval(metric: Metric, stats: np.ndarray, spec: BootstrapSpec) -> tuple[float, float]:
    """Percentile interval of the metric over bootstrap resamples of its statistics.

    Resamples are reduced a chunk at a time, so memory does not grow with resamples x samples.
    """
    n = len(stats)
    if n == 0:
        return float("nan"), float("nan")
    cap = metric.max_resamples
    if cap is not None and cap < spec.resamples:  # the first `cap` rows of the same stream
        spec = replace(spec, resamples=cap)
    values = np.concatenate(
        [metric.reduce_resamples(stats, idx) for idx in iter_resample_indices(n, spec)]
    )
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    alpha = (1.0 - spec.confidence) / 2.0
    low, high = np.quantile(values, [alpha, 1.0 - alpha])
    return float(low), float(high)
