"""`anybench run --model anygpt:... --suite anygpt-paper` on the tiny AnyGPT, through the real CLI:
all six evaluations of the paper, each component loaded from its release layout."""

from __future__ import annotations

import json

import pytest

from evals.cli.main import main
from metrics.clap_model import clap_scorer
from metrics.scorers import SCORERS_ENV, transcriber
from tests.anygpt.tiny_anygpt import spec
from tests.coco_data import write_coco
from tests.music_data import write_musiccaps
from tests.speech_data import make_librispeech, make_vctk
from tests.tiny_music import save_tiny_clap
from tests.tiny_vision import save_tiny_open_clip
from tests.tiny_whisper import save_tiny_whisper


@pytest.fixture
def world(tmp_path, monkeypatch):
    scorers = tmp_path / "scorers"
    for seed, hub_id in enumerate(("laion/clap-htsat-unfused", "laion/larger_clap_music")):
        save_tiny_clap(scorers / hub_id, seed=seed)
    save_tiny_open_clip(scorers / "timm" / "vit_large_patch14_clip_224.openai")
    coco = write_coco(tmp_path / "coco", {"test": 4, "val": 3})
    monkeypatch.setenv(SCORERS_ENV, str(scorers))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clap_scorer.cache_clear()
    transcriber.cache_clear()
    yield {
        "scorers": scorers,
        "data": {
            "librispeech-asr": make_librispeech(tmp_path / "LibriSpeech"),
            "vctk-tts-paper": make_vctk(tmp_path / "VCTK-Corpus"),
            "musiccaps-t2m": write_musiccaps(tmp_path / "MusicCaps", 4, missing=[2]),
            "musiccaps-caption": tmp_path / "MusicCaps",
            "coco-caption": coco.root,
            "coco-t2i": coco.root,
        },
    }
    clap_scorer.cache_clear()
    transcriber.cache_clear()


def run(tmp_path, model_spec, data, *which):
    args = [
        "run",
        "--model",
        model_spec,
        *(which or ("--suite", "anygpt-paper")),
        "--out",
        str(tmp_path / "runs"),
        "--run-id",
        "tiny",
        "--no-progress",
        "--bootstrap",
        "200",
    ]
    for task, path in data.items():
        args += ["--data", f"{task}={path}"]
    assert main(args) == 0
    return json.loads((tmp_path / "runs" / "tiny" / "results.json").read_text())


def test_paper_suite_on_tiny_anygpt(tmp_path, tiny_anygpt, world):
    # the tiny LLM learned music prompts of at most 30 frames: cap music input at 0.4 s (20 frames)
    res = run(tmp_path, spec(tiny_anygpt, music_seconds="0.4"), world["data"])
    assert set(res["tasks"]) == {
        "librispeech-asr",
        "vctk-tts-paper",
        "musiccaps-t2m",
        "musiccaps-caption",
        "coco-caption",
        "coco-t2i",
    }

    asr = res["tasks"]["librispeech-asr"]
    assert asr["integrity"]["ok"] == asr["integrity"]["expected"] == 5
    # the tiny model answers "hello world" to every utterance: all 4 reference words are wrong
    assert asr["metrics"]["wer@whisper-norm"]["value"] == pytest.approx(100.0)

    tts = res["tasks"]["vctk-tts-paper"]
    # p227 has a single utterance, so no voice prompt: an input error, counted, excluded
    assert tts["integrity"]["input_errors"] == 1 and tts["integrity"]["ok"] == 5
    medium = tts["metrics"]["wer-tts@whisper-medium"]
    assert medium["value"] is None and "ANYBENCH_SCORERS" in medium["unavailable"]
    sim = tts["metrics"]["sim@resemblyzer"]
    assert sim["n"] == 5 and sim["n_excluded"] == 1
    if sim["n_policy"] == sim["n"]:  # no speech in any output: n/a, never a policy value
        assert sim["value"] is None and "failure policy" in sim["unavailable"]
    else:
        assert -1 <= sim["value"] <= 1

    t2m = res["tasks"]["musiccaps-t2m"]
    assert t2m["integrity"]["input_errors"] == 1  # clip 2 is missing
    # music samples its whole distribution (top-p 1.0): a tiny model may stray, counted malformed
    assert (
        t2m["integrity"]["ok"] + t2m["integrity"]["malformed"] == 3 and t2m["integrity"]["ok"] >= 1
    )
    clap = t2m["metrics"]["clap@630k-audioset"]
    assert clap["unavailable"] is None and -1 <= clap["value"] <= 1
    caption = res["tasks"]["musiccaps-caption"]
    assert caption["integrity"]["ok"] == 3

    records = [
        json.loads(x)
        for x in (tmp_path / "runs/tiny/predictions/vctk-tts-paper.jsonl").read_text().splitlines()
    ]
    made = [r for r in records if r["response"]["status"] == "ok"]
    assert all(r["response"]["output"]["artifact"].endswith(".wav") for r in made)
    assert all(r["request"]["voice_prompt"]["duration"] == 3.0 for r in made)
    music = [
        json.loads(x)
        for x in (tmp_path / "runs/tiny/predictions/musiccaps-caption.jsonl")
        .read_text()
        .splitlines()
    ]
    assert {r["response"]["output"]["text"] for r in music if r["response"]["status"] == "ok"} == {
        "calm piano"
    }
    assert (
        res["model"]["describe"]["engine"] == "AnyGPT pipeline"
        and res["decoding"] == "anygpt-paper"
    )


def test_scorer_weights_are_found_under_anybench_scorers(tmp_path, tiny_anygpt, world):
    """A local folder named after the hub id makes the paper's Whisper-medium scorer available."""
    save_tiny_whisper(world["scorers"] / "openai" / "whisper-medium")
    data = {"vctk-tts-paper": world["data"]["vctk-tts-paper"]}
    res = run(tmp_path, spec(tiny_anygpt), data, "--tasks", "vctk-tts-paper", "--limit", "3")
    medium = res["tasks"]["vctk-tts-paper"]["metrics"]["wer-tts@whisper-medium"]
    assert medium["unavailable"] is None and medium["value"] is not None
    assert medium["scorer"]["model"] == str(world["scorers"] / "openai" / "whisper-medium")
