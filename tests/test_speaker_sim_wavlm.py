"""`sim@wavlm-large-tdnn` and `sim@wavlm-base-plus-sv` on tiny seeded models in the official
layouts, loaded from $ANYBENCH_SCORERS through the presets' own code path."""

import hashlib
import time

import numpy as np
import pytest
import soundfile as sf

from evals.records import PredictionRecord
from evals.registry import METRICS
from evals.types import Audio, Decoding, Modality, Response, Sample, Text
from metrics.base import MetricUnavailable
from metrics.speaker_sim_wavlm import SILENT, TDNN_ID, XVECTOR_ID
from tests.tiny_speaker import save_tiny_unispeech_tdnn, save_tiny_wavlm_xvector

RATE = 16000


def voice(seed: int, seconds: float = 1.5) -> np.ndarray:
    """A voiced-speech-like signal: harmonics of a seeded pitch with a slow envelope, plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = rng.uniform(90, 220)
    x = sum(rng.uniform(0.2, 1) * np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
    x = x * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)
    return (0.3 * x / np.abs(x).max()).astype(np.float32)


def tts_record(i: int, out: np.ndarray | None, prompt: str) -> PredictionRecord:
    sample = Sample(str(i), (Text("hello"),), (Text("hello"),))
    resp = (
        Response(str(i), Audio(samples=out, sample_rate=RATE))
        if out is not None
        else Response(str(i), error="boom", error_stage="generate")
    )
    return PredictionRecord(
        "tts", sample, Modality.SPEECH, Decoding(), resp, voice_prompt=Audio(path=prompt)
    )


@pytest.fixture(scope="module")
def scorers(tmp_path_factory):
    root = tmp_path_factory.mktemp("scorers")
    tdnn = save_tiny_unispeech_tdnn(root / TDNN_ID)
    xvector = save_tiny_wavlm_xvector(root / XVECTOR_ID)
    return root, tdnn, xvector


@pytest.fixture
def env(scorers, monkeypatch, tmp_path):
    root = scorers[0]
    monkeypatch.setenv("ANYBENCH_SCORERS", str(root))
    prompt = tmp_path / "prompt.wav"
    sf.write(prompt, voice(0), RATE, subtype="FLOAT")
    return scorers, str(prompt)


def test_official_layout_names():
    """The head's tensor names are UniSpeech's ECAPA_TDNN_SMALL names."""
    from metrics.ecapa_tdnn import EcapaHead

    keys = set(EcapaHead(layers=25, feat_dim=1024).state_dict())
    for name in (
        "feature_weight",
        "layer1.conv.weight",
        "layer1.bn.running_var",
        "layer2.Conv1dReluBn1.conv.weight",
        "layer3.Res2Conv1dReluBn.convs.6.weight",
        "layer3.Res2Conv1dReluBn.bns.6.running_mean",
        "layer4.Conv1dReluBn2.bn.weight",
        "layer4.SE_Connect.linear2.bias",
        "conv.weight",
        "pooling.linear1.weight",
        "pooling.linear2.bias",
        "bn.num_batches_tracked",
        "linear.weight",
    ):
        assert name in keys, name
    assert EcapaHead(layers=25, feat_dim=1024).linear.weight.shape == (256, 3072)


def test_wavlm_weights_round_trip_from_the_original_layout(env):
    import torch

    from metrics.wavlm_layout import load_wavlm

    (root, (wavlm, _), _), _ = env
    checkpoint = torch.load(root / TDNN_ID, weights_only=True)["model"]
    assert "feature_extract.model.encoder.layers.0.self_attn.grep_a" in checkpoint
    assert "feature_extract.model.encoder.pos_conv.0.weight_g" in checkpoint
    loaded = load_wavlm(checkpoint)
    x = torch.from_numpy(voice(3))[None]
    with torch.inference_mode():
        a = wavlm(x, output_hidden_states=True).hidden_states
        b = loaded(x, output_hidden_states=True).hidden_states
    assert len(a) == len(b) == 3
    for u, v in zip(a, b):
        assert torch.equal(u, v)


def test_tdnn_preset_scores_with_policies_and_sha(env):
    import torch
    import torch.nn.functional as F

    (root, (wavlm, head), _), prompt = env
    sim = METRICS.get("sim@wavlm-large-tdnn")
    same, other = voice(0), voice(7)
    silent = np.zeros(RATE, np.float32)
    clipped = np.clip(voice(7) * 20, -3, 3)  # far beyond full scale
    records = [tts_record(i, x, prompt) for i, x in enumerate((same, other, silent, clipped, None))]
    s_same, s_other, s_silent, s_clipped, s_failed = sim.score(records)

    def embed(x):  # the protocol written out: layer-normed waveform, all hidden states, head
        with torch.inference_mode():
            wav = torch.from_numpy(np.clip(x, -1, 1).astype(np.float32))[None]
            hidden = wavlm(F.layer_norm(wav, wav.shape[-1:]), output_hidden_states=True)
            return head(torch.stack(hidden.hidden_states)).double().numpy()[0]

    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    target = embed(same)
    assert s_same.value == pytest.approx(1.0, abs=1e-6)
    assert s_other.value == pytest.approx(cos(embed(other), target), abs=1e-6)
    assert s_clipped.value == pytest.approx(cos(embed(clipped), target), abs=1e-6)
    assert s_clipped.policy is None and s_clipped.details == {"clipped": True}
    assert sim.summarize([s_same, s_other, s_silent, s_clipped, s_failed]) == {"n_clipped": 1.0}
    assert s_silent.value == 0.0 and s_silent.policy == SILENT
    assert s_failed.value == 0.0 and s_failed.policy
    info = sim.describe()
    assert info["weights_sha256"] == hashlib.sha256((root / TDNN_ID).read_bytes()).hexdigest()


def test_xvector_preset_matches_transformers(env):
    import torch
    from transformers import Wav2Vec2FeatureExtractor

    (root, _, model), prompt = env
    sim = METRICS.get("sim@wavlm-base-plus-sv")
    fe = Wav2Vec2FeatureExtractor.from_pretrained(root / XVECTOR_ID)

    def embed(x):
        with torch.inference_mode():
            return model(**fe(x, sampling_rate=RATE, return_tensors="pt")).embeddings.numpy()[0]

    other = voice(5)
    s_same, s_other = sim.score([tts_record(0, voice(0), prompt), tts_record(1, other, prompt)])
    a, b = embed(other), embed(voice(0))
    assert s_same.value == pytest.approx(1.0, abs=1e-6)
    assert s_other.value == pytest.approx(
        float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-5
    )
    weights = root / XVECTOR_ID / "model.safetensors"
    assert sim.describe()["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()


@pytest.mark.parametrize("preset", ["sim@wavlm-large-tdnn", "sim@wavlm-base-plus-sv"])
def test_absent_weights_are_reported_unavailable_in_seconds(preset, tmp_path, monkeypatch):
    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    prompt = tmp_path / "p.wav"
    sf.write(prompt, voice(0), RATE, subtype="FLOAT")
    start = time.monotonic()
    with pytest.raises(MetricUnavailable, match="ANYBENCH_SCORERS"):
        METRICS.get(preset).score([tts_record(0, voice(1), str(prompt))])
    assert time.monotonic() - start < 5


def test_a_checkpoint_in_another_layout_is_unavailable_not_a_crash(tmp_path, monkeypatch):
    import torch

    path = tmp_path / TDNN_ID
    path.parent.mkdir(parents=True)
    torch.save({"model": {"feature_extract.model.encoder.odd.weight": torch.zeros(2)}}, path)
    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path))
    prompt = tmp_path / "p.wav"
    sf.write(prompt, voice(0), RATE, subtype="FLOAT")
    with pytest.raises(MetricUnavailable, match=r"unknown WavLM tensor 'encoder\.odd\.weight'"):
        METRICS.get("sim@wavlm-large-tdnn").score([tts_record(0, voice(1), str(prompt))])
