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
