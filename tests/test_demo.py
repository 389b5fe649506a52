"""The offline demo end to end: real synthesizers, real Whisper tiny.en, real scorers."""

import json
import math

import pytest

from evals.cli.main import main


@pytest.mark.slow
def test_demo_prints_a_real_table(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--sentences", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    table = (tmp_path / "report.md").read_text()
    for system in (
        "Whisper tiny.en (faster-whisper)",
        "PocketSphinx en-us",
        "Piper joe",
        "espeak-ng en-us",
        "flite kal16",
        "Ground truth",
    ):
        assert f"| {system} |" in table and f"| {system} |" in out
    # the real recordings: a table of their own, the same ASR systems through one task
    real_table = table.split("## Real recordings")[1]
    for system in ("Whisper tiny.en (faster-whisper)", "PocketSphinx en-us", "Ground truth"):
        assert f"| {system} |" in real_table
    real = {p.parent.name: json.loads(p.read_text()) for p in tmp_path.glob("real/*/results.json")}
    real_wer = {
        n: r["tasks"]["librivox-asr"]["metrics"]["wer@whisper-norm"]["value"]
        for n, r in real.items()
    }
    assert real_wer["ground-truth"] == 0.0 < real_wer["whisper-tiny.en-faster-whisper"] < 10
    assert real_wer["whisper-tiny.en-faster-whisper"] < real_wer["pocketsphinx-en-us"] < 40
    runs = {p.parent.name: json.loads(p.read_text()) for p in tmp_path.glob("*/results.json")}
    truth = runs["ground-truth"]["tasks"]
    assert truth["manifest-asr"]["metrics"]["wer@whisper-norm"]["value"] == 0.0
    whisper = runs["whisper-tiny.en-faster-whisper"]["tasks"]["manifest-asr"]
    assert whisper["integrity"]["ok"] == 12 and whisper["metrics"]["wer@whisper-norm"]["value"] < 60
    for name, run in runs.items():
        for task in run["tasks"].values():
            assert task["integrity"]["ok"] == task["integrity"]["expected"] == 12, name
            for m in task["metrics"].values():
                assert math.isfinite(m["value"]) and m["ci_low"] <= m["value"] <= m["ci_high"], (
                    name,
                    m["name"],
                )
    # the real recording resembles its own speaker more than any single-voice TTS baseline does
    sims = {
        n: r["tasks"]["manifest-tts"]["metrics"]["sim@resemblyzer"]["value"]
        for n, r in runs.items()
        if "manifest-tts" in r["tasks"]
    }
    assert max(sims, key=sims.get) == "ground-truth"
