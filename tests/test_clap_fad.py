"""CLAP and FAD presets on tiny seeded CLAP checkpoints, against transformers' ClapModel called
directly and the Fréchet formula with scipy's sqrtm."""

import os

import numpy as np
import pytest
import soundfile as sf
from scipy import linalg

from evals.media import resample
from evals.registry import METRICS
from evals.types import Audio, Modality, Text
from metrics.base import MetricUnavailable, stack
from metrics.bootstrap import BootstrapSpec, interval
from metrics.clap_model import clap_scorer
from metrics.scorers import SCORERS_ENV
from tests.music_data import CAPTIONS, chord
from tests.records import music, record
from tests.tiny_music import save_tiny_clap

RATE = 32000
CKPTS = {"630k-audioset": "laion/clap-htsat-unfused", "music-audioset": "laion/larger_clap_music"}


@pytest.fixture(scope="module")
def scorers(tmp_path_factory):
    root = tmp_path_factory.mktemp("scorers")
    for seed, hub_id in enumerate(CKPTS.values()):
        save_tiny_clap(root / hub_id, seed=seed)
    old = os.environ.get(SCORERS_ENV)
    os.environ[SCORERS_ENV] = str(root)
    clap_scorer.cache_clear()
    yield root
    clap_scorer.cache_clear()
    if old is None:
        os.environ.pop(SCORERS_ENV)
    else:
        os.environ[SCORERS_ENV] = old


class Direct:
    """ClapModel and ClapProcessor used by hand, one clip or text at a time."""

    def __init__(self, folder):
        from transformers import ClapModel, ClapProcessor

        self.model = ClapModel.from_pretrained(folder).eval()
        self.proc = ClapProcessor.from_pretrained(folder)

    def audio(self, samples, rate):
        import torch

        x = resample(samples, rate, 48000)
        feats = self.proc.feature_extractor(x, sampling_rate=48000, return_tensors="pt")
        with torch.no_grad():
            pooled = self.model.audio_model(input_features=feats["input_features"]).pooler_output
            emb = self.model.audio_projection(pooled)[0].numpy()
        return emb / np.linalg.norm(emb)

    def text(self, text):
        import torch

        tokens = self.proc.tokenizer(text, truncation=True, max_length=77, return_tensors="pt")
        with torch.no_grad():
            pooled = self.model.text_model(**tokens).pooler_output
            emb = self.model.text_projection(pooled)[0].numpy()
        return emb / np.linalg.norm(emb)


@pytest.fixture(scope="module")
def direct(scorers):
    return {name: Direct(scorers / hub_id) for name, hub_id in CKPTS.items()}


def clips(n, seconds=2.0, offset=0):
    return [chord(seconds, RATE, seed=offset + i) for i in range(n)]


def test_text_to_music_pairs_generated_music_with_the_input_caption(scorers, direct):
    gen = clips(3)
    recs = [
        record(f"s{i}", (Text(CAPTIONS[i]),), (Text(CAPTIONS[i]),), Modality.MUSIC, music(g, RATE))
        for i, g in enumerate(gen)
    ]
    d = direct["630k-audioset"]
    scores = METRICS.get("clap@630k-audioset").score(recs)
    expected = [float(d.audio(g, RATE) @ d.text(CAPTIONS[i])) for i, g in enumerate(gen)]
    np.testing.assert_allclose([s.value for s in scores], expected, atol=1e-5)
    assert all(s.policy is None for s in scores)
    other = METRICS.get("clap@music-audioset").score(recs)  # another checkpoint, another number
    assert all(abs(a.value - b.value) > 1e-3 for a, b in zip(scores, other))


def test_captioning_pairs_the_input_clip_with_the_generated_caption(scorers, direct, tmp_path):
    full = chord(8.0, 48000, seed=7)
    sf.write(tmp_path / "clip.wav", full, 48000, subtype="FLOAT")
    clip = Audio(path=str(tmp_path / "clip.wav"), kind=Modality.MUSIC, offset=1.5, duration=5.0)
    refs = (Text(CAPTIONS[0]), clip)
    recs = [
        record("gen", (clip,), refs, Modality.TEXT, Text(CAPTIONS[3])),
        record("empty", (clip,), refs, Modality.TEXT, Text("  ")),
        record("failed", (clip,), refs, Modality.TEXT, error="boom"),
        record("no-input", (clip,), refs, Modality.TEXT, error="clip missing", stage="input"),
    ]
    d = direct["630k-audioset"]
    segment = d.audio(full[int(1.5 * 48000) : int(6.5 * 48000)], 48000)
    gen, ref = METRICS.get("clap@630k-audioset"), METRICS.get("clap-ref@630k-audioset")
    scores = gen.score(recs)
    assert scores[0].value == pytest.approx(float(segment @ d.text(CAPTIONS[3])), abs=1e-5)
    assert [s.value for s in scores[1:3]] == [0.0, 0.0] and all(s.policy for s in scores[1:3])
    assert scores[3].value is None and "input error" in scores[3].policy
    assert gen.reduce(stack(scores)) == pytest.approx(np.mean([scores[0].value, 0.0, 0.0]))
    ref_scores = ref.score(recs)
    real = float(segment @ d.text(CAPTIONS[0]))
    assert [s.value for s in ref_scores[:3]] == pytest.approx([real] * 3, abs=1e-5)
    assert ref_scores[3].value is None


def test_audio_audio_cosine_and_window_and_caption_truncation(scorers, direct):
    d = direct["music-audioset"]
    real, gen = clips(1)[0], clips(1, offset=5)[0]
    rec = record("a", (music(real, RATE),), (music(real, RATE),), Modality.MUSIC, music(gen, RATE))
    (score,) = METRICS.get("clap-audio@music-audioset").score([rec])
    assert score.value == pytest.approx(float(d.audio(gen, RATE) @ d.audio(real, RATE)), abs=1e-5)

    long = chord(12.0, RATE, seed=3)
    metric = METRICS.get("clap@music-audioset")

    def t2m(samples, caption):
        return record("x", (Text(caption),), (), Modality.MUSIC, music(samples, RATE))

    (whole,), (first10,) = (
        metric.score([t2m(long, "calm")]),
        metric.score([t2m(long[: 10 * RATE], "calm")]),
    )
    assert whole.value == pytest.approx(first10.value, abs=1e-6)  # clips are cut to 10 s

    head = " ".join(["the calm piano"] * 40)  # well over 77 tokens
    (a,), (b,) = (
        metric.score([t2m(long, head + " rock")]),
        metric.score([t2m(long, head + " jazz")]),
    )
    assert a.value == pytest.approx(b.value, abs=1e-7)


def test_missing_scorer_names_the_id_and_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv(SCORERS_ENV, str(tmp_path))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)  # read at import time
    clap_scorer.cache_clear()
    rec = record("a", (Text("x"),), (), Modality.MUSIC, music(clips(1)[0], RATE))
    with pytest.raises(MetricUnavailable) as err:
        METRICS.get("clap@music-audioset").score([rec])
    assert "laion/larger_clap_music" in str(err.value) and str(tmp_path) in str(err.value)
    clap_scorer.cache_clear()


def scipy_fad(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(linalg.sqrtm(s1 @ s2))))


def test_fad_matches_the_formula_on_direct_embeddings(scorers, direct):
    d = direct["music-audioset"]
    reals, gens = clips(4, 3.0), clips(4, 2.0, offset=20)
    recs = [
        record(f"s{i}", (Text("c"),), (Text("c"), music(r, RATE)), Modality.MUSIC, music(g, RATE))
        for i, (r, g) in enumerate(zip(reals, gens))
    ]
    recs.append(
        record(
            "failed", (Text("c"),), (Text("c"), music(reals[0], RATE)), Modality.MUSIC, error="x"
        )
    )
    recs.append(
        record(
            "bad", (Text("c"),), (music(reals[1], RATE),), Modality.MUSIC, error="x", stage="input"
        )
    )
    fad = METRICS.get("fad@clap-music-audioset")
    scores = fad.score(recs)
    stats = stack(scores)
    x = np.array([d.audio(g, RATE) for g in gens] + [d.audio(np.zeros(RATE), RATE)])
    y = np.array([d.audio(r, RATE) for r in reals] + [d.audio(reals[0], RATE)])
    assert fad.reduce(stats) == pytest.approx(scipy_fad(x, y), rel=1e-4)
    assert scores[-1].policy and "input error" in scores[-1].policy
    every = np.arange(len(scores))[None, :]
    assert fad.reduce_resamples(stats, every)[0] == pytest.approx(fad.reduce(stats), rel=1e-5)
    low, high = interval(fad, stats, BootstrapSpec(resamples=50))
    assert np.isfinite(low) and low <= high
    details = fad.summarize(scores)
    assert (details["n_generated"], details["n_reference"], details["n_excluded"]) == (5, 5, 1)
    assert details["n_failed_as_silence"] == 1
    assert details["reference_seconds_total"] == pytest.approx(4 * 3.0 + 3.0)
    assert details["generated_seconds_total"] == pytest.approx(4 * 2.0)
