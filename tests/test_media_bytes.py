"""Media are written as a function of their content alone: identical outputs, identical files."""

from __future__ import annotations

import json
import time

import numpy as np
import soundfile as sf

import tests.fakes  # noqa: F401  (registers test-tone)
from evals import runner
from evals.media import audio_to_wav_bytes, image_to_png_bytes
from evals.runner import RunOptions
from evals.spec import ModelSpec
from tests.fakes import mixed_texts, tone, write_asr_manifest


def test_wav_bytes_do_not_depend_on_when_they_are_written(tmp_path):
    samples = tone(0.3, 440, seed=3)
    first = audio_to_wav_bytes(samples, 16000)
    time.sleep(1.1)  # libsndfile's PEAK chunk stamps the second of writing
    assert audio_to_wav_bytes(samples, 16000) == first
    path = tmp_path / "a.wav"
    path.write_bytes(first)
    info = sf.info(str(path))
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (
        16000,
        1,
        "FLOAT",
        samples.size,
    )
    back, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000
    np.testing.assert_array_equal(back, samples)  # lossless


def test_png_bytes_do_not_depend_on_when_they_are_written():
    pixels = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    first = image_to_png_bytes(pixels)
    time.sleep(1.1)
    assert image_to_png_bytes(pixels) == first


def test_two_runs_of_the_same_tts_give_the_same_artifact_files(tmp_path):
    texts = mixed_texts(6)  # two per speaker, so each has a voice prompt
    manifest = write_asr_manifest(tmp_path / "data", 6, texts)
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        runner.run(
            ModelSpec.parse("test-tone"),
            ["manifest-tts"],
            out,
            data={"manifest-tts": str(manifest)},
            options=RunOptions(batch_size=2, progress=False),
        )
        runs.append(out)
        time.sleep(1.1)
    a, b = (artifacts_by_sample(r / "predictions" / "manifest-tts.jsonl") for r in runs)
    assert len(a) == 6 and all(a.values())
    assert a == b  # the same audio is the same file, under the same name, in both runs
    assert sorted(p.name for p in (runs[0] / "artifacts").iterdir()) == sorted(
        p.name for p in (runs[1] / "artifacts").iterdir()
    )


def artifacts_by_sample(log) -> dict[str, str]:
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return {d["sample_id"]: d["response"]["output"]["artifact"] for d in lines}
