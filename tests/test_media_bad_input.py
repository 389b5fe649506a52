"""Bad media through the media metrics: all-one-colour images (FID, CLIP), silent and clipped
audio (DNSMOS, CLAP). Each scores by its written policy and is counted; nothing raises."""

import math

import numpy as np
import pytest
from PIL import Image as PILImage

from evals.registry import METRICS
from evals.types import Audio, Modality, Text
from metrics.audio_level import SILENT, level
from metrics.base import stack
from metrics.clip_score import ClipScore, clip_presets
from metrics.fid import FID, SCORER_ID, fid_preset
from tests.records import music, record
from tests.test_t2i_metrics import t2i_record
from tests.tiny_music import save_tiny_clap
from tests.tiny_vision import save_tiny_inception, save_tiny_open_clip

RATE = 16000


def speechlike(seconds: float = 2.0, gain: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6)) * (1 + np.sin(6 * t))
    return (gain * x / np.abs(x).max()).astype(np.float32)


def speech_record(i: int, samples: np.ndarray):
    out = Audio(samples=samples, sample_rate=RATE)
    return record(f"s{i}", (Text("hi"),), (Text("hi"),), Modality.SPEECH, out)


def test_level_policy():
    assert level(np.zeros(10, np.float32)).samples is None
    assert level(np.full(10, 5e-5, np.float32)).samples is None  # under -80 dBFS
    loud = level(np.array([0.5, -3.0, 2.0], np.float32))
    assert loud.clipped and loud.samples.tolist() == [0.5, -1.0, 1.0]
    assert not level(np.array([0.5, -1.05], np.float32)).clipped  # resampling overshoot


def test_dnsmos_silent_and_clipped_audio():
    noise = 1e-6 * np.random.default_rng(0).standard_normal(RATE).astype(np.float32)
    clipped = speechlike(gain=4.0)
    recs = [speech_record(i, x) for i, x in enumerate((np.zeros(RATE, np.float32), noise, clipped))]
    metric = METRICS.get("dnsmos@p835")
    zero, quiet, loud = metric.score(recs)
    for s in (zero, quiet):
        assert s.value == 1.0 and s.policy == SILENT
    assert loud.policy is None and 1.0 <= loud.value <= 5.0  # measured after clipping
    assert loud.details["clipped"] is True
    assert metric.summarize([zero, quiet, loud])["n_clipped"] == 1.0


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("flat")
    paths = []
    for i, colour in enumerate([(0, 0, 0), (255, 255, 255), (200, 30, 30), (200, 30, 30)]):
        PILImage.new("RGB", (40, 36), colour).save(root / f"{i}.png")
        paths.append(root / f"{i}.png")
    save_tiny_inception(root / "scorers" / SCORER_ID)
    save_tiny_open_clip(root / "scorers" / "test" / "tiny-clip")
    return root, paths


def test_fid_and_clip_on_all_one_colour_images(images, monkeypatch):
    root, paths = images
    monkeypatch.setenv("ANYBENCH_SCORERS", str(root / "scorers"))
    recs = [t2i_record(i, f"a flat colour {i}", p, p) for i, p in enumerate(paths)]
    fid = FID(fid_preset(64, bootstrap_resamples=2))
    scores = fid.score(recs)
    assert all(s.policy is None for s in scores)
    value = fid.reduce(stack(scores))
    assert math.isfinite(value) and abs(value) < 1e-3  # the same flat images on both sides
    for preset in clip_presets("test/tiny-clip", "tiny", "none", "tiny", True):
        clip = ClipScore(preset).score(recs)
        assert all(math.isfinite(s.value) for s in clip), preset.name


def test_clap_silent_and_clipped_music(tmp_path, monkeypatch):
    from metrics.clap_model import clap_scorer

    save_tiny_clap(tmp_path / "laion" / "clap-htsat-unfused")
    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path))
    clap_scorer.cache_clear()
    rate = 32000
    t = np.arange(2 * rate) / rate
    loud = (5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    outs = (np.zeros(2 * rate, np.float32), loud)
    recs = [
        record(f"m{i}", (Text("a tone"),), (Text("a tone"),), Modality.MUSIC, music(x, rate))
        for i, x in enumerate(outs)
    ]
    scores = METRICS.get("clap@630k-audioset").score(recs)
    clap_scorer.cache_clear()
    assert len(scores) == 2 and all(math.isfinite(s.value) for s in scores)
