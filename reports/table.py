"""The comparison table in the forms the engine prints (kept for `run`, `score` and the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from evals.results import RunResults
from reports.comparison import compare, main_grid
from reports.paths import scrub_grid
from reports.render_markdown import grid_markdown


def markdown_table(runs: Sequence[RunResults]) -> str:
    """The results table in Markdown, with its notes and protocol footnotes (no heading); no
    machine paths, as in every report."""
    return grid_markdown(scrub_grid(replace(main_grid(compare(runs)), title="")))
