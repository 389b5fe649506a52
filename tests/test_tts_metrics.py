"""TTS metrics on real models: Whisper tiny.en transcripts, resemblyzer similarity, DNSMOS."""

import numpy as np
import pytest
import soundfile as sf

from evals.records import PredictionRecord
from evals.registry import METRICS, MODELS
from evals.spec import ModelSpec
from evals.types import Audio, Decoding, Modality, Request, Response, Sample, Text
from metrics.audio_level import SILENT

TEXTS = [
    "Glue the sheet to the dark blue background.",
    "The birch canoe slid on the smooth planks.",
]


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    """Two sentences from each of two voices, written as files."""
    root = tmp_path_factory.mktemp("voices")
    out = {}
    for name, spec in (
        ("piper", "piper:voice=joe,noise_scale=0,noise_w_scale=0"),
        ("espeak", "espeak-ng:voice=en-us"),
    ):
        parsed = ModelSpec.parse(spec)
        tts = MODELS.get(parsed.name).from_spec(parsed)
        for i, text in enumerate(TEXTS):
            (r,) = tts.generate([Request("t", "x", (Text(text),), Modality.SPEECH)])
            path = root / f"{name}{i}.wav"
            sf.write(path, r.output.samples, r.output.sample_rate)
            out[name, i] = str(path)
    return out


def record(text, output, prompt_path, status_error=None):
    resp = Response(
        "s", output, error=status_error, error_stage="generate" if status_error else None
    )
    sample = Sample("s", (Text(text),), (Text(text),))
    prompt = Audio(path=prompt_path, duration=3.0) if prompt_path else None
    return PredictionRecord("tts", sample, Modality.SPEECH, Decoding(), resp, voice_prompt=prompt)


def test_speaker_similarity_separates_voices(voices):
    sim = METRICS.get("sim@resemblyzer")
    same = record(TEXTS[1], Audio(path=voices["piper", 1]), voices["piper", 0])
    other = record(TEXTS[1], Audio(path=voices["espeak", 1]), voices["piper", 0])
    failed = record(TEXTS[1], None, voices["piper", 0], status_error="boom")
    s_same, s_other, s_fail = sim.score([same, other, failed])
    assert s_same.value > s_other.value + 0.1
    assert s_same.value > 0.75
    assert s_fail.value == 0.0 and s_fail.policy


def test_tts_wer_transcribes_generated_speech(voices):
    m = METRICS.get("wer-tts@whisper-tiny.en")
    good = record(TEXTS[0], Audio(path=voices["piper", 0]), None)
    empty = record(TEXTS[0], Audio(samples=np.zeros(0, np.float32), sample_rate=16000), None)
    s_good, s_empty = m.score([good, empty])
    assert s_good.value <= 25.0, s_good.details["transcript"]
    assert s_empty.value == 100.0 and s_empty.details["del"] == s_empty.details["ref_len"]
    assert m.describe()["engine"] == "faster-whisper"


def test_dnsmos_scores_speech_above_noise_and_policy_for_silence(voices, tmp_path):
    m = METRICS.get("dnsmos@p835")
    noise_path = tmp_path / "noise.wav"
    sf.write(
        noise_path, np.random.default_rng(0).uniform(-0.9, 0.9, 32000).astype(np.float32), 16000
    )
    speech = record(TEXTS[0], Audio(path=voices["piper", 0]), None)
    noise = record(TEXTS[0], Audio(path=str(noise_path)), None)
    silent = record(TEXTS[0], Audio(samples=np.zeros(8000, np.float32), sample_rate=16000), None)
    s_speech, s_noise, s_silent = m.score([speech, noise, silent])
    assert 1.0 <= s_noise.value < s_speech.value <= 5.0
    assert set(s_speech.details) == {"ovrl_mos", "sig_mos", "bak_mos", "p808_mos"}
    assert s_silent.value == 1.0 and s_silent.policy == SILENT  # metrics/audio_level.py
