"""Per-metric charts: each system's value with its interval (PNG, matplotlib's Agg canvas).

Uses `matplotlib.figure.Figure` with the Agg canvas directly, so it never touches pyplot's global
backend (safe inside notebooks and servers).
"""

from __future__ import annotations

import io

from reports.columns import Column, lookup
from reports.comparison import Comparison
from reports.fmt import is_number
from reports.runs import is_reference

BAR = "#4c72b0"
BEST = "#dd8452"
REFERENCE = "#8c8c8c"


def column_points(c: Comparison, col: Column) -> list[tuple[str, float, float, float, str]]:
    """(name, value, low, high, colour) for every run with a value in the column."""
    points = []
    for i, run in enumerate(c.runs):
        m = lookup(run, col)
        if m is None or not is_number(m.value):
            continue
        low = m.ci_low if is_number(m.ci_low) else m.value
        high = m.ci_high if is_number(m.ci_high) else m.value
        colour = REFERENCE if is_reference(run) else BEST if i in c.best[col.key] else BAR
        points.append((c.system_name(i), float(m.value), float(low), float(high), colour))
    return points


def column_plot(c: Comparison, col: Column, dpi: int = 100) -> bytes | None:
    """PNG of one column (None when no run has a value)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    points = column_points(c, col)
    if not points:
        return None
    fig = Figure(figsize=(6.0, 0.9 + 0.38 * len(points)), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ys = list(range(len(points)))[::-1]
    for y, (_, value, low, high, colour) in zip(ys, points):
        ax.errorbar(
            value,
            y,
            xerr=[[max(value - low, 0.0)], [max(high - value, 0.0)]],
            fmt="o",
            color=colour,
            ecolor=colour,
            capsize=3,
            markersize=5,
        )
    ax.set_yticks(ys)
    ax.set_yticklabels([p[0] for p in points], fontsize=8)
    direction = "higher is better" if col.higher_is_better else "lower is better"
    ax.set_xlabel(f"{col.metric} ({col.scale}; {direction})", fontsize=8)
    ax.set_title(f"{col.task}", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_ylim(-0.7, len(points) - 0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def comparison_plots(c: Comparison) -> list[tuple[str, bytes]]:
    """(caption, PNG) per column that has values."""
    out = []
    for col in c.columns:
        png = column_plot(c, col)
        if png is not None:
            caption = (
                f"{col.task} · {col.metric} {col.arrow}: value and bootstrap interval per system"
            )
            out.append((caption, png))
    return out
