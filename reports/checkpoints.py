"""The checkpoint view of a leaderboard: each metric against the training step, with intervals.

A run's step comes from its label (`step-2000`, `step 2k`), a `step=` option in its model spec,
or the checkpoint folder in the spec (`/ckpt/checkpoint-3000`), first match wins. Plotted with
matplotlib's Figure and Agg/SVG canvases directly (no pyplot global state).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from evals.results import RunResults
from reports.columns import Column, lookup
from reports.fmt import is_number
from reports.leaderboard import Board
from reports.runs import is_reference

STEP = re.compile(
    r"(?:^|[^a-z0-9])(?:step|steps|ckpt|checkpoint|iter|global_step)[-_= ]?(\d+(?:\.\d+)?)([km]?)"
    r"(?![a-z0-9])",
    re.IGNORECASE,
)
SCALE = {"": 1, "k": 1_000, "m": 1_000_000}
LINE = "#4c72b0"


def step_of(run: RunResults) -> int | None:
    """The training step a run evaluated, or None when neither label nor spec names one."""
    for text in (str(run.model.get("label") or ""), str(run.model.get("spec") or "")):
        m = STEP.search(text)
        if m:
            return int(float(m.group(1)) * SCALE[m.group(2).lower()])
    return None


@dataclass(frozen=True)
class Series:
    """One column's values across checkpoints, in step order."""

    column: Column
    """The (task, metric) plotted."""
    points: tuple[tuple[int, float, float, float], ...]
    """(step, value, low, high); the interval collapses to the value where unknown."""


def checkpoint_series(board: Board) -> list[Series]:
    """A series per shown column with at least two stepped, non-reference runs."""
    stepped = [
        (step, run)
        for run in board.runs
        if not is_reference(run) and (step := step_of(run)) is not None
    ]
    out = []
    for col in board.columns_shown():
        points = []
        for step, run in sorted(stepped, key=lambda sr: sr[0]):
            m = lookup(run, col)
            if m is None or not is_number(m.value):
                continue
            low = m.ci_low if is_number(m.ci_low) else m.value
            high = m.ci_high if is_number(m.ci_high) else m.value
            points.append((step, float(m.value), float(low), float(high)))
        if len(points) >= 2:
            out.append(Series(col, tuple(points)))
    return out


def trend_figure(board: Board, fmt: str = "png", dpi: int = 100) -> bytes | None:
    """One panel per series (metric vs step, error bars = intervals); None when no series."""
    from matplotlib.figure import Figure

    series = checkpoint_series(board)
    if not series:
        return None
    cols = min(3, len(series))
    rows = math.ceil(len(series) / cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows), dpi=dpi)
    if fmt == "svg":
        from matplotlib.backends.backend_svg import FigureCanvasSVG as Canvas
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg as Canvas
    Canvas(fig)
    for k, s in enumerate(series):
        ax = fig.add_subplot(rows, cols, k + 1)
        steps = [p[0] for p in s.points]
        values = [p[1] for p in s.points]
        below = [max(p[1] - p[2], 0.0) for p in s.points]
        above = [max(p[3] - p[1], 0.0) for p in s.points]
        ax.errorbar(steps, values, yerr=[below, above], fmt="-o", color=LINE, capsize=3, ms=4)
        direction = "higher is better" if s.column.higher_is_better else "lower is better"
        ax.set_title(f"{s.column.task}", fontsize=9)
        ax.set_ylabel(f"{s.column.metric}\n({direction})", fontsize=8)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()
