"""Speech adapters end to end on real bundled models (Whisper tiny.en, Piper, espeak-ng, flite)."""

import json

import numpy as np
import pytest

from evals.media import load_audio
from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.types import Audio, Decoding, Modality, Request, Text
from metrics.text_norm import get_normalizer
from metrics.wer import word_errors
from tests.fakes import tone
from tests.tiny_whisper import save_tiny_whisper

SENTENCE = "Glue the sheet to the dark blue background."


def adapter(spec: str):
    parsed = ModelSpec.parse(spec)
    return MODELS.get(parsed.name).from_spec(parsed)


def speak(spec: str, text: str = SENTENCE) -> Audio:
    (r,) = adapter(spec).generate([Request("t", "x", (Text(text),), Modality.SPEECH)])
    assert r.error is None, r.error
    return r.output


def asr_request(i: int, audio: Audio, preset: str = "default") -> Request:
    return Request("t", f"s{i}", (audio,), Modality.TEXT, Decoding(preset))


@pytest.fixture(scope="module")
def piper_speech():
    return speak("piper:voice=joe,noise_scale=0,noise_w_scale=0")


@pytest.mark.parametrize("spec", ["piper:voice=joe", "espeak-ng:voice=en-us", "flite:voice=slt"])
def test_tts_adapters_make_speech(spec):
    audio = speak(spec)
    samples, rate = load_audio(audio)
    assert rate in (16000, 22050) and 1.0 < len(samples) / rate < 6.0
    assert np.abs(samples).max() > 0.05


def test_piper_without_noise_is_deterministic(piper_speech):
    again = speak("piper:voice=joe,noise_scale=0,noise_w_scale=0")
    np.testing.assert_array_equal(piper_speech.samples, again.samples)


def test_faster_whisper_transcribes_real_speech(piper_speech):
    asr = adapter("faster-whisper")
    (r,) = asr.generate([asr_request(0, piper_speech)])
    norm = get_normalizer("whisper-english")
    e = word_errors(norm(SENTENCE), norm(r.output.text))
    assert (e["sub"] + e["del"] + e["ins"]) / e["ref"] <= 0.25, r.output.text
    assert asr.describe()["model"].endswith("model")


def test_missing_tts_voice_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.onnx"):
        adapter(f"piper:voice={tmp_path}/nope.onnx")


@pytest.fixture(scope="module")
def tiny_whisper(tmp_path_factory):
    return save_tiny_whisper(tmp_path_factory.mktemp("tiny-whisper"))


def test_hf_whisper_loads_a_checkpoint_folder_and_batches_like_singles(tiny_whisper):
    asr = adapter(f"hf-whisper:model={tiny_whisper},device=cpu,max_new_tokens=6")
    clips = [
        Audio(samples=tone(0.5 + i, 150 + 170 * i, seed=i) * (1 + i), sample_rate=16000)
        for i in range(3)
    ]
    reqs = [asr_request(i, c, "greedy") for i, c in enumerate(clips)]
    batched = [r.output.text for r in asr.generate(reqs)]
    single = [asr.generate([q])[0].output.text for q in reqs]
    assert batched == single
    assert len(set(batched)) > 1, (
        "the tiny model must depend on its input for this test to mean anything"
    )
    assert asr.describe()["dtype"] == "float32"


def test_hf_whisper_long_form_path(tiny_whisper):
    asr = adapter(f"hf-whisper:model={tiny_whisper},device=cpu,max_new_tokens=4")
    long_clip = Audio(samples=tone(31.0, 200), sample_rate=16000)
    (r,) = asr.generate([asr_request(0, long_clip, "greedy")])
    assert isinstance(r.output, Text)


def test_reference_adapter_returns_held_out_reference():
    ref = adapter("reference")
    req = Request("t", "a", (Text("x"),), Modality.TEXT, references=(Text("gold"), Text("other")))
    assert ref.generate([req])[0].output == Text("gold")
    (r,) = ref.generate(
        [Request("t", "a", (Text("x"),), Modality.IMAGE, references=(Text("gold"),))]
    )
    assert r.error and "no image reference" in r.error


def test_predictions_adapter_missing_corrupt_and_unmatched(tmp_path):
    (tmp_path / "bad.wav").write_bytes(b"nope")
    lines = [
        {"id": "a", "text": "hello"},
        {"id": "b", "audio": "bad.wav"},
        {"id": "zzz", "text": "orphan"},
    ]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    pred = adapter(f"predictions:path={tmp_path / 'p.jsonl'}")
    out = pred.generate(
        [
            Request("t", "a", (), Modality.TEXT),
            Request("t", "b", (), Modality.SPEECH),
            Request("t", "c", (), Modality.TEXT),
        ]
    )
    assert out[0].output == Text("hello")
    assert out[1].error and "bad.wav" in out[1].error
    assert out[2].error == "no prediction for this sample id"
    assert pred.report()["unmatched_prediction_ids"]["t"]["examples"] == ["zzz"]
