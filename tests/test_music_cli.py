"""Music and round-trip tasks end to end through the CLI on tiny seeded models and generated audio:
`anybench run` -> store -> scoring -> table naming the scorer checkpoints."""

import json
import math
import os

import pytest
import soundfile as sf

from evals.cli.main import main
from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.types import Modality, Request, Text
from metrics.clap_model import clap_scorer
from metrics.scorers import SCORERS_ENV
from tests.anygpt.tiny_speech import save_tiny_speech_modules
from tests.music_data import write_musiccaps
from tests.tiny_music import save_tiny_clap, save_tiny_encodec_32khz, save_tiny_musicgen

pytestmark = pytest.mark.e2e

SENTENCES = ("The birch canoe slid on the smooth planks.", "Rice is often served in round bowls.")


def write_librispeech(split, speakers=("61", "121")):
    """A LibriSpeech-layout split spoken by Piper (one voice, two speaker labels)."""
    parsed = ModelSpec.parse("piper:voice=joe,noise_scale=0,noise_w_scale=0")
    piper = MODELS.get(parsed.name).from_spec(parsed)
    for spk in speakers:
        chapter = split / spk / "100"
        chapter.mkdir(parents=True)
        lines = []
        for i, text in enumerate(SENTENCES):
            utt = f"{spk}-100-{i:04d}"
            (r,) = piper.generate([Request("t", utt, (Text(text),), Modality.SPEECH)])
            sf.write(chapter / f"{utt}.flac", r.output.samples, r.output.sample_rate)
            lines.append(f"{utt} {text.upper().rstrip('.')}")
        (chapter / f"{spk}-100.trans.txt").write_text("\n".join(lines) + "\n")
    return split


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("music-cli")
    for seed, hub_id in enumerate(("laion/clap-htsat-unfused", "laion/larger_clap_music")):
        save_tiny_clap(root / "scorers" / hub_id, seed=seed)
    old = os.environ.get(SCORERS_ENV)
    os.environ[SCORERS_ENV] = str(root / "scorers")
    clap_scorer.cache_clear()
    speech = save_tiny_speech_modules(root / "speech-modules", seed=0)
    yield {
        "root": root,
        "musiccaps": write_musiccaps(root / "MusicCaps", 5, missing=[3], full_video=[1]),
        "musicgen": save_tiny_musicgen(root / "musicgen", seed=0),
        "encodec32": save_tiny_encodec_32khz(root / "encodec32", seed=0),
        "speech": speech,
        "librispeech": write_librispeech(root / "LibriSpeech" / "test-clean"),
    }
    clap_scorer.cache_clear()
    if old is None:
        os.environ.pop(SCORERS_ENV)
    else:
        os.environ[SCORERS_ENV] = old


def run(capsys, world, model, task, run_id, *extra):
    data = world["librispeech"] if task.startswith("speech") else world["musiccaps"]
    args = ["run", "--model", model, "--tasks", task, "--data", f"{task}={data}"]
    args += ["--out", str(world["root"] / "runs"), "--run-id", run_id, "--no-progress"]
    assert main([*args, "--bootstrap", "100", *extra]) == 0
    out = capsys.readouterr().out
    results = json.loads((world["root"] / "runs" / run_id / "results.json").read_text())
    return out, results["tasks"][task]


def test_new_tasks_models_and_metrics_are_listed(capsys):
    listed = {}
    for what in ("tasks", "models", "metrics"):
        assert main(["ls", what]) == 0
        listed[what] = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    tasks = {"musiccaps-t2m", "musiccaps-caption", "music-roundtrip", "speech-roundtrip"}
    assert tasks <= listed["tasks"] and "speech-roundtrip-manifest" in listed["tasks"]
    assert {"musicgen", "encodec", "encodec-hf", "speechtokenizer"} <= listed["models"]
    presets = {"clap@630k-audioset", "clap-ref@music-audioset", "fad@clap-music-audioset"}
    assert presets | {"mel-l1@16k", "si-snr@32k", "sim@resemblyzer-input"} <= listed["metrics"]


def test_text_to_music_with_musicgen_and_ground_truth(capsys, world):
    model = f"musicgen:model={world['musicgen']},duration=1.0,device=cpu"
    out, task = run(capsys, world, model, "musiccaps-t2m", "mg")
    assert "laion/clap-htsat-unfused" in out and "laion/larger_clap_music" in out
    i = task["integrity"]
    assert (i["expected"], i["ok"], i["input_errors"]) == (5, 4, 1)
    assert "yt-03_x not found" in i["examples"][0]["reason"]
    for name in ("clap@630k-audioset", "clap@music-audioset", "fad@clap-music-audioset"):
        m = task["metrics"][name]
        # the missing clip is an input error: counted, excluded from every metric
        assert m["n"] == 4 and m["n_excluded"] == 1 and math.isfinite(m["value"]), name
        assert m["scorer"]["weights_sha256"] and m["protocol"]["settings"]["scorer_id"]
    fad = task["metrics"]["fad@clap-music-audioset"]["details"]
    assert (fad["n_generated"], fad["n_reference"]) == (4, 4)
    assert fad["generated_seconds_total"] == pytest.approx(4.0)
    assert fad["reference_seconds_total"] == pytest.approx(20.0)

    _, truth = run(capsys, world, "reference", "musiccaps-t2m", "gt")
    assert truth["metrics"]["fad@clap-music-audioset"]["value"] == pytest.approx(0.0, abs=1e-6)
    assert (
        main(["report", str(world["root"] / "runs" / "mg"), str(world["root"] / "runs" / "gt")])
        == 0
    )
    table = capsys.readouterr().out
    assert "| reference |" in table and "| musicgen:" in table


def test_music_captioning_shows_generated_beside_real_caption_scores(capsys, world):
    preds = world["root"] / "captions.jsonl"
    preds.write_text(
        "".join(
            json.dumps({"id": f"yt-{i:02d}_x", "text": "a loud rock song with drums"}) + "\n"
            for i in (0, 1, 2)
        )
    )  # yt-04_x gets no caption: a failed output
    out, task = run(capsys, world, f"predictions:path={preds}", "musiccaps-caption", "cap")
    assert "clap-ref@630k-audioset" in out and "clap@630k-audioset" in out
    gen, ref = task["metrics"]["clap@630k-audioset"], task["metrics"]["clap-ref@630k-audioset"]
    assert gen["n_excluded"] == ref["n_excluded"] == 1  # yt-03_x's clip is missing
    assert gen["details"] == {"n_excluded": 0, "n_failure_value": 1}
    assert ref["details"] == {"n_excluded": 0, "n_failure_value": 0}
    assert gen["value"] != pytest.approx(ref["value"])


def test_music_roundtrip_through_encodec_32khz(capsys, world):
    model = f"encodec-hf:model={world['encodec32']},device=cpu"
    out, task = run(capsys, world, model, "music-roundtrip", "enc")
    assert task["integrity"]["ok"] == 4 and task["integrity"]["input_errors"] == 1
    metrics = task["metrics"]
    assert metrics["mel-l1@32k"]["value"] > 0.1 and metrics["si-snr@32k"]["value"] < 30
    assert -1 <= metrics["clap-audio@music-audioset"]["value"] <= 1
    assert "laion/larger_clap_music" in out
    _, truth = run(capsys, world, "reference", "music-roundtrip", "enc-gt")
    assert truth["metrics"]["mel-l1@32k"]["value"] == 0.0
    assert truth["metrics"]["clap-audio@music-audioset"]["value"] == pytest.approx(1.0, abs=1e-5)


def test_speech_roundtrip_through_speechtokenizer(capsys, world):
    modules = world["speech"]
    out, rvq8 = run(capsys, world, f"speechtokenizer:modules={modules}", "speech-roundtrip", "st")
    assert rvq8["integrity"]["ok"] == 4 and "whisper-tiny.en" in out
    _, truth = run(capsys, world, "reference", "speech-roundtrip", "st-gt")
    m = truth["metrics"]
    assert m["mel-l1@16k"]["value"] == 0.0 and m["sim@resemblyzer-input"]["value"] > 0.99
    assert m["wer-tts@whisper-tiny.en"]["value"] < 30  # Whisper tiny.en on clean Piper speech
    # a random tiny codec destroys speech: far worse than the truth on every metric
    assert rvq8["metrics"]["mel-l1@16k"]["value"] > 0.2
    assert rvq8["metrics"]["wer-tts@whisper-tiny.en"]["value"] > 50
    sim = rvq8["metrics"]["sim@resemblyzer-input"]
    if sim["n_policy"] == sim["n"]:  # no speech left in any output: n/a, never a policy value
        assert sim["value"] is None and "failure policy" in sim["unavailable"]
    else:
        assert sim["value"] < m["sim@resemblyzer-input"]["value"]
    log = world["root"] / "runs" / "st" / "predictions" / "speech-roundtrip.jsonl"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    for line in lines:  # the voice prompt: 3 s of another utterance of the same speaker
        prompt, utt = line["request"]["voice_prompt"], line["sample_id"]
        assert prompt["duration"] == 3.0 and utt not in prompt["path"]
        assert prompt["path"].split("/")[-1].startswith(utt.split("-")[0] + "-")
