"""Column selection, display names and intervals in every format; integrity flags and partial
tasks marked in every table; unavailable metrics as `n/a: reason`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evals.cli.main import main
from reports.report import ReportOptions, render
from reports.selection import Selection, SelectionError
from tests.report_fixtures import report_runs, six_task_runs, write_run

FORMATS = ("md", "latex", "html", "csv")


def flagged_runs():
    """report_runs() with AnyGPT's TTS task scored half-way (partial) with flagged samples."""
    runs = report_runs()
    anygpt = runs[1]
    tr = anygpt.tasks["vctk-tts"]
    integ = replace(tr.integrity, expected=48, total=10, ok=7, truncated=3, degenerate=2,
                    partial=True)  # fmt: skip
    runs[1] = replace(anygpt, tasks={**anygpt.tasks, "vctk-tts": replace(tr, integrity=integ)})
    return runs


@pytest.mark.parametrize("fmt", FORMATS)
def test_partial_tasks_and_flags_are_marked_in_every_format(fmt):
    out = render(flagged_runs(), fmt)
    if fmt == "csv":
        row = next(line for line in out.splitlines() if line.startswith("AnyGPT base,vctk-tts"))
        assert row.endswith(",True,3,2")
    else:
        assert "partial: 10 of 48" in out
        assert "truncated 3" in out and "degenerate 2" in out


@pytest.mark.parametrize("fmt", ("md", "html"))
def test_unavailable_reads_n_a_with_the_reason(fmt):
    assert "n/a: speechmos is not installed" in render(report_runs(), fmt)


def test_latex_says_n_a_and_keeps_the_reason_in_a_note():
    out = render(report_runs(), "latex")
    assert "& n/a &" in out and "unavailable: speechmos is not installed" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_selection_for_every_format(fmt):
    selection = Selection(
        columns=("librispeech-asr/wer@whisper-norm", "sim@*"),
        rename=(("wer@whisper-norm", "WER (ASR)"), ("AnyGPT base (ours, 7B)", "AnyGPT")),
        intervals="off",
    )
    out = render(six_task_runs(), fmt, ReportOptions(selection=selection))
    assert "cider" not in out.lower() and "fad@" not in out and "dnsmos" not in out
    assert "AnyGPT" in out and "AnyGPT base (ours" not in out
    if fmt != "csv":  # the tidy CSV keeps preset names and full intervals by design
        assert "WER (ASR)" in out and "[" not in out.split("sim@resemblyzer")[0].split("system")[-1]


def test_compact_intervals_are_half_widths():
    selection = Selection(columns=("librispeech-asr",), intervals="compact")
    out = render(six_task_runs(), "md", ReportOptions(selection=selection))
    assert "8.0 ±0.6" in out


def test_a_pattern_matching_nothing_fails_naming_the_columns(tmp_path, capsys):
    with pytest.raises(SelectionError, match="'bleu-9' matches no column; the runs have: "):
        render(six_task_runs(), "md", ReportOptions(selection=Selection(columns=("bleu-9",))))
    folder = write_run(tmp_path / "r", report_runs()[0], {})
    code = main(["report", str(folder), "--columns", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and "--columns: 'nope' matches no column" in err
