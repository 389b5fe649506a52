"""`anybench run --model anygpt:... --suite anygpt-paper` on the tiny AnyGPT, through the real CLI."""

from __future__ import annotations

import json

import pytest

from evals.cli.main import main
from tests.anygpt.tiny_anygpt import spec
from tests.test_datasets import make_librispeech, make_vctk
from tests.tiny_whisper import save_tiny_whisper


@pytest.fixture
def paper_data(tmp_path):
    return {
        "librispeech-asr": make_librispeech(tmp_path / "LibriSpeech"),
        "vctk-tts-paper": make_vctk(tmp_path / "VCTK-Corpus"),
    }


def run_suite(tmp_path, model_spec, data, *which):
    which = which or ("--suite", "anygpt-paper")
    args = [
        "run",
        "--model",
        model_spec,
        *which,
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


def test_paper_suite_runs_speech_tasks_on_tiny_anygpt(
    tmp_path, tiny_anygpt, paper_data, monkeypatch, capsys
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("ANYBENCH_SCORERS", raising=False)
    res = run_suite(tmp_path, spec(tiny_anygpt), paper_data)
    asr = res["tasks"]["librispeech-asr"]
    assert asr["integrity"]["ok"] == asr["integrity"]["expected"] == 5
    # the tiny model answers "hello world" to every utterance: all 4 reference words are wrong
    assert asr["metrics"]["wer@whisper-norm"]["value"] == pytest.approx(100.0)
    tts = res["tasks"]["vctk-tts-paper"]
    # p227 has a single utterance, so it has no voice prompt: an input error, counted
    assert tts["integrity"]["input_errors"] == 1 and tts["integrity"]["ok"] == 5
    medium = tts["metrics"]["wer-tts@whisper-medium"]
    assert medium["value"] is None and "ANYBENCH_SCORERS" in medium["unavailable"]
    assert (
        tts["metrics"]["sim@resemblyzer"]["n"] == 6
        and tts["metrics"]["sim@resemblyzer"]["n_policy"] >= 1
    )
    assert res["model"]["describe"]["engine"] == "AnyGPT pipeline"
    assert res["decoding"] == "anygpt-paper"
    records = [
        json.loads(x)
        for x in (tmp_path / "runs/tiny/predictions/vctk-tts-paper.jsonl").read_text().splitlines()
    ]
    made = [r for r in records if r["response"]["status"] == "ok"]
    assert all(r["response"]["output"]["artifact"].endswith(".wav") for r in made)
    assert all(r["request"]["voice_prompt"]["duration"] == 3.0 for r in made)
    assert "unavailable" in capsys.readouterr().out


def test_scorer_weights_are_found_under_anybench_scorers(
    tmp_path, tiny_anygpt, paper_data, monkeypatch
):
    """A local folder named after the hub id makes the paper's Whisper-medium scorer available."""
    scorers = tmp_path / "scorers"
    save_tiny_whisper(scorers / "openai" / "whisper-medium")
    monkeypatch.setenv("ANYBENCH_SCORERS", str(scorers))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from metrics.scorers import transcriber

    transcriber.cache_clear()
    data = {"vctk-tts-paper": paper_data["vctk-tts-paper"]}
    res = run_suite(tmp_path, spec(tiny_anygpt), data, "--tasks", "vctk-tts-paper", "--limit", "3")
    medium = res["tasks"]["vctk-tts-paper"]["metrics"]["wer-tts@whisper-medium"]
    assert medium["unavailable"] is None and medium["value"] is not None
    assert medium["scorer"]["model"] == str(scorers / "openai" / "whisper-medium")
    transcriber.cache_clear()
