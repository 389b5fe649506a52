"""Reports over scored runs: comparison tables, the paper table, leaderboards, the CI gate.

The Python API mirrors the command line:

    from reports import load_runs, frame, render, leaderboard, run_gate
    runs = load_runs(["runs/a", "runs/b"])
    frame(runs)                      # tidy DataFrame: one row per (system, task, metric)
    render(runs, "latex")            # md, latex, csv, html
"""

from __future__ import annotations

from reports.frame import frame, integrity_frame, wide_frame
from reports.gate import run_gate
from reports.leaderboard import leaderboard
from reports.report import ReportOptions, render
from reports.runs import load_runs

__all__ = [
    "ReportOptions",
    "frame",
    "integrity_frame",
    "leaderboard",
    "load_runs",
    "render",
    "run_gate",
    "wide_frame",
]
