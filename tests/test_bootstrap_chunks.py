"""Bootstrap intervals computed in chunks equal the one-shot [resamples, n] computation."""

import numpy as np
import pytest

import metrics  # noqa: F401  (registers presets)
from evals.registry import METRICS
from metrics import bootstrap
from metrics.bootstrap import BootstrapSpec, interval


@pytest.mark.parametrize("preset", ["wer@whisper-norm", "wer@whisper-norm-utt"])
@pytest.mark.parametrize("chunk", [1, 7, 1000, 1 << 21])
def test_chunked_interval_equals_one_shot(preset, chunk, monkeypatch):
    rng = np.random.default_rng(3)
    n = 101
    words = rng.integers(0, 30, n).astype(float)
    stats = np.stack([np.minimum(rng.integers(0, 6, n), words + 2), words], axis=1)
    metric = METRICS.get(preset)
    spec = BootstrapSpec(resamples=300, seed=5)
    indices = np.random.default_rng(5).integers(0, n, size=(300, n))
    values = metric.reduce_resamples(stats, indices)
    values = values[np.isfinite(values)]
    expected = tuple(np.quantile(values, [0.025, 0.975]))
    monkeypatch.setattr(bootstrap, "CHUNK_ELEMENTS", chunk)
    assert interval(metric, stats, spec) == expected
    assert (bootstrap.resample_indices(n, spec) == indices).all()


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_a_resample_cap_holds_across_chunks(chunk, monkeypatch):
    """A metric that caps its resamples (FID refits at most its pinned count) gets the first
    rows of the stream, however many chunks the bootstrap draws them in."""
    from metrics.base import MeanMetric, MetricPreset

    seen: list[int] = []

    class Capped(MeanMetric):
        max_resamples = 50

        def score(self, records):
            raise NotImplementedError

        def reduce_resamples(self, stats, indices):
            seen.append(len(indices))
            return super().reduce_resamples(stats, indices)

    metric = Capped(MetricPreset("capped@t", "capped", "", True, "x", "mean"))
    n = 5000
    stats = np.random.default_rng(1).normal(size=(n, 1))
    spec = BootstrapSpec(resamples=1000, seed=2)
    monkeypatch.setattr(bootstrap, "CHUNK_ELEMENTS", chunk)
    low, high = interval(metric, stats, spec)
    assert sum(seen) == 50
    first = np.random.default_rng(2).integers(0, n, size=(50, n))
    values = stats[:, 0][first].mean(axis=1)
    np.testing.assert_allclose((low, high), np.quantile(values, [0.025, 0.975]), rtol=1e-12)
