"""The leaderboard as Markdown, LaTeX, a static sortable HTML page (with the checkpoint trend
where runs carry steps), or CSV."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evals.results import RunResults
from reports.leaderboard import Board, board_grid, board_records, leaderboard


@dataclass(frozen=True)
class BoardOptions:
    """How a leaderboard is titled and ranked."""

    title: str = "anybench leaderboard"
    """Page title."""
    caption: str = ""
    """A line under the title (escaped in every format)."""
    metrics: Mapping[str, str | Sequence[str]] | None = None
    """Presets per task, the first ranking (default: each task's first preset)."""


def as_markdown(board: Board, o: BoardOptions) -> str:
    from reports.render_markdown import document_markdown

    return document_markdown(o.title, [board_grid(board, "")], [o.caption] if o.caption else [])


def as_latex(board: Board, o: BoardOptions) -> str:
    from reports.render_latex import document_latex, slug

    grid = board_grid(board, o.title)
    intro = [o.caption] if o.caption else []
    return document_latex(o.title, [grid], intro, width="fit", label=f"tab:{slug(o.title)}")


def as_html(board: Board, o: BoardOptions) -> str:
    from reports.checkpoints import trend_figure
    from reports.render_html import document_html

    png = trend_figure(board)
    figures = [("Metric vs checkpoint step, with bootstrap intervals", png)] if png else []
    intro = [o.caption] if o.caption else []
    return document_html(o.title, [board_grid(board, "")], intro, figures=figures)


def as_csv(board: Board, o: BoardOptions) -> str:
    import pandas as pd

    df = pd.DataFrame(board_records(board))
    df["position"] = df["position"].astype("Int64")
    from reports.paths import scrub

    return scrub(df.to_csv(index=False, lineterminator="\n"))


FORMATS: dict[str, tuple[str, Callable[[Board, BoardOptions], str]]] = {
    "md": ("md", as_markdown),
    "latex": ("tex", as_latex),
    "html": ("html", as_html),
    "csv": ("csv", as_csv),
}
"""Format name -> (file suffix, renderer)."""


def render_leaderboard(
    runs: Sequence[RunResults], fmt: str = "md", options: BoardOptions | None = None
) -> str:
    """The leaderboard of `runs` in `fmt` (md, latex, html, csv)."""
    options = options or BoardOptions()
    return FORMATS[fmt][1](leaderboard(runs, options.metrics), options)
