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


def capped_metric(seen: list[int]):
    """A mean metric that refits at most 50 resamples (as FID does), recording each call's count."""
    from metrics.base import MeanMetric, MetricPreset

    class Capped(MeanMetric):
        max_resamples = 50

        def score(self, records):
            raise NotImplementedError

        def reduce_resamples(self, stats, indices):
            seen.append(len(indices))
            return super().reduce_resamples(stats, indices)

    return Capped(MetricPreset("capped@t", "capped", "", True, "x", "mean"))


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_a_resample_cap_holds_across_chunks(chunk, monkeypatch):
    """A metric that caps its resamples (FID refits at most its pinned count) gets the first
    rows of the stream, however many chunks the bootstrap draws them in."""
    seen: list[int] = []
    metric = capped_metric(seen)
    n = 5000
    stats = np.random.default_rng(1).normal(size=(n, 1))
    spec = BootstrapSpec(resamples=1000, seed=2)
    monkeypatch.setattr(bootstrap, "CHUNK_ELEMENTS", chunk)
    low, high = interval(metric, stats, spec)
    assert sum(seen) == 50
    first = np.random.default_rng(2).integers(0, n, size=(50, n))
    values = stats[:, 0][first].mean(axis=1)
    np.testing.assert_allclose((low, high), np.quantile(values, [0.025, 0.975]), rtol=1e-12)


@pytest.mark.parametrize("cells", [7, 1 << 22])
def test_the_gate_bootstrap_honours_the_cap_in_any_blocks(cells, monkeypatch):
    from reports import gate_stats

    seen: list[int] = []
    metric = capped_metric(seen)
    rng = np.random.default_rng(4)
    base, cand = rng.normal(size=(2, 5000, 1))
    monkeypatch.setattr(gate_stats, "MAX_CELLS", cells)
    values = gate_stats.bootstrap_regression(metric, [base], [cand], True, 1000, seed=0)
    assert sum(seen) == 2 * 50 and values.size == 50
