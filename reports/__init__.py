"""Reports over scored runs: comparison tables, the paper table, leaderboards, the CI gate.

The Python API mirrors the command line:

    from reports import load_runs, frame, render, leaderboard, run_gate
    runs = load_runs(["runs/a", "runs/b"])
    frame(runs)                      # tidy DataFrame: one row per (system, task, metric)
    render(runs, "latex")            # md, latex, csv, html
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "ReportOptions": "reports.report",
    "frame": "reports.frame",
    "integrity_frame": "reports.frame",
    "leaderboard": "reports.leaderboard",
    "load_runs": "reports.runs",
    "render": "reports.report",
    "run_gate": "reports.gate",
    "wide_frame": "reports.frame",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Imported on first use, so `anybench run` printing a table does not load pandas or scipy."""
    if name not in _HOMES:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
