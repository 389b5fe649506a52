"""The LaTeX of a six-task report, compiled by pdflatex in one- and two-column papers.

Fails on any Overfull box or "Float too large" warning, and on any LaTeX error. Needs pdflatex
and booktabs (Debian `texlive-latex-base`, `texlive-latex-recommended`; scripts/setup_env.sh
installs them). Skipped with the reason where pdflatex is missing, except on CI (`CI` set).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from reports.report import ReportOptions, render
from reports.selection import Selection
from tests.report_fixtures import report_runs, six_task_runs

PREAMBLE = "\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n"
FILLER = " ".join(["A paragraph of body text around the table, as in a paper."] * 12) + "\n\n"
WARNINGS = re.compile(r"^(Overfull \\[hv]box.*|LaTeX Warning: Float too large.*)$", re.M)


@pytest.fixture(scope="module")
def pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required on CI (scripts/setup_env.sh installs texlive)")
        pytest.skip("no pdflatex (apt-get install texlive-latex-base texlive-latex-recommended)")
    return exe


def compile_log(pdflatex: str, folder, table: str, columns: str) -> str:
    """Compile a paper around `table`; returns pdflatex's log (asserts it built)."""
    (folder / "table.tex").write_text(table, encoding="utf-8")
    doc = (
        f"\\documentclass[{columns}]{{article}}\n{PREAMBLE}\\begin{{document}}\n{FILLER * 2}"
        f"\\input{{table.tex}}\n{FILLER * 6}\\end{{document}}\n"
    )
    (folder / "paper.tex").write_text(doc, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (folder / "paper.log").read_text(encoding="latin-1")
    assert done.returncode == 0, log[-3000:]
    return log


@pytest.mark.parametrize(
    ("columns", "width"),
    [("onecolumn", "fit"), ("twocolumn", "fit"), ("twocolumn", "wide")],
)
def test_six_task_report_fits_the_page(pdflatex, tmp_path, columns, width):
    table = render(six_task_runs(), "latex", ReportOptions(title="Results", latex_width=width))
    log = compile_log(pdflatex, tmp_path, table, columns)
    assert WARNINGS.findall(log) == []
    assert "\\label{tab:results}" in table and ("table*" in table) == (width == "wide")


def test_the_check_sees_a_table_that_does_not_fit(pdflatex, tmp_path):
    """The same table at its natural width overflows: the warning check is not vacuous."""
    table = render(six_task_runs(), "latex", ReportOptions(latex_width="natural"))
    assert WARNINGS.findall(compile_log(pdflatex, tmp_path, table, "twocolumn"))


def test_selected_renamed_compact_columns_compile(pdflatex, tmp_path):
    selection = Selection(
        columns=("vctk-tts-paper/*", "librispeech-asr", "integrity"),
        rename=(("wer-tts@whisper-medium", "WER"), ("vctk-tts-paper", "TTS (VCTK)")),
        intervals="compact",
    )
    options = ReportOptions(title="TTS and ASR", selection=selection, label="tab:speech")
    table = render(six_task_runs(), "latex", options)
    assert WARNINGS.findall(compile_log(pdflatex, tmp_path, table, "twocolumn")) == []
    assert "\\label{tab:speech}" in table and "TTS (VCTK)" in table
    assert "cider" not in table and "$\\pm$" in table and "[" not in table.split("\\midrule")[1]


def test_markup_in_names_compiles(pdflatex, tmp_path):
    table = render(report_runs(), "latex", ReportOptions(title="Fixture & co_%"))
    assert WARNINGS.findall(compile_log(pdflatex, tmp_path, table, "twocolumn")) == []
    assert "\\label{tab:fixture-co}" in table


def test_leaderboard_latex_compiles(pdflatex, tmp_path):
    from reports.leaderboard_render import render_leaderboard
    from tests.report_fixtures import board_runs

    table = render_leaderboard(board_runs(), "latex")
    assert WARNINGS.findall(compile_log(pdflatex, tmp_path, table, "twocolumn")) == []
