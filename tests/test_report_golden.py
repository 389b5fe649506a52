"""Golden files: every output format on fixed results, compared byte for byte.

Set ANYBENCH_UPDATE_GOLDEN=1 to rewrite the files after an intended change (then review the
diff); the comparison itself always runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from reports.gate import run_gate
from reports.gate_output import junit_xml, markdown_summary
from reports.leaderboard_render import BoardOptions, render_leaderboard
from reports.report import ReportOptions, render
from reports.runs import load_runs
from tests.report_fixtures import board_runs, report_runs, scored_run

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ANYBENCH_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing; run with ANYBENCH_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from its golden file (ANYBENCH_UPDATE_GOLDEN=1 rewrites it)"
    )


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("md", "md"), ("latex", "tex"), ("csv", "csv"), ("html", "html")]
)
def test_report_formats(fmt, suffix):
    options = ReportOptions(title="Fixture report", plots=False)
    check_golden(f"report.{suffix}", render(report_runs(), fmt, options))


@pytest.mark.parametrize(("fmt", "suffix"), [("md", "md"), ("latex", "tex"), ("csv", "csv")])
def test_paper_formats(fmt, suffix):
    options = ReportOptions(
        title="Fixture vs AnyGPT",
        plots=False,
        paper="anygpt",
        paper_matches=(("Whisper <b>x</b> & co_%", "Whisper Large V2"),),
    )
    check_golden(f"paper.{suffix}", render(report_runs(), fmt, options))


@pytest.mark.parametrize(("fmt", "suffix"), [("md", "md"), ("html", "html"), ("csv", "csv")])
def test_leaderboard_formats(fmt, suffix):
    options = BoardOptions(title="Fixture board", caption="nightly <i>build</i> & co")
    check_golden(f"leaderboard.{suffix}", render_leaderboard(board_runs(), fmt, options))


def test_gate_formats(tmp_path):
    rng = np.random.default_rng(7)
    words = rng.integers(5, 30, size=60).astype(float)
    base_err = rng.binomial(words.astype(int), 0.08).astype(float)
    cand_err = base_err + rng.binomial(words.astype(int), 0.10)
    base = scored_run(
        tmp_path / "main",
        "main",
        "manifest-asr",
        {"wer@whisper-norm": np.c_[base_err, words], "wer@basic": np.c_[base_err, words]},
    )
    cand = scored_run(
        tmp_path / "pr",
        "pr <b>7</b>",
        "manifest-asr",
        {"wer@whisper-norm": np.c_[cand_err, words], "wer@basic": np.c_[base_err, words]},
    )
    result = run_gate(load_runs([base]), load_runs([cand]))
    assert result.exit_code == 1
    check_golden("gate.md", markdown_summary(result))
    check_golden("gate.xml", junit_xml(result))
