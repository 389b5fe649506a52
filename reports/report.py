"""`anybench report`: the comparison (and optionally the paper table) in every output format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evals.results import RunResults
from reports.comparison import Comparison, compare, grids
from reports.grid import Grid, Header, text_cell
from reports.selection import Selection

if TYPE_CHECKING:
    from reports.paper import Paper


@dataclass(frozen=True)
class ReportOptions:
    """What goes into a report."""

    title: str = "anybench report"
    """Document title (escaped in every format)."""
    mixed: str = "split"
    """Runs scored under different protocols: `split` the column or `refuse`."""
    plots: bool = True
    """Embed per-metric plots (HTML only)."""
    paper: str | None = None
    """Also print a paper's published numbers beside ours (e.g. `anygpt`)."""
    paper_matches: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Explicit (run label, paper system) pairs for the paper table."""
    paper_tasks: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Extra (our task, paper table id) pairs: our task measured against that table (flagged)."""
    selection: Selection = field(default_factory=Selection)
    """Columns, display names and interval style (every format)."""
    latex_width: str = "fit"
    """LaTeX width policy: `fit` (shrink to the column), `wide` (table*), `natural`."""
    label: str | None = None
    """LaTeX label of the results table (default `tab:<title as a slug>`)."""
    history: bool = False
    """The runs are the scorings of one run (reports.history): no best marks, a Changes table."""


@dataclass(frozen=True)
class Report:
    """Everything a format renders."""

    comparison: Comparison
    """The comparison of the runs."""
    grids: tuple[Grid, ...]
    """Tables in order (results, integrity, [paper tables], runs)."""
    paper_grids: tuple[Grid, ...]
    """The paper tables alone."""
    options: ReportOptions
    """The options it was built with."""
    paper: Paper | None = None
    """The paper loaded for `options.paper` (None without one)."""


def runs_grid(c: Comparison) -> Grid:
    headers = tuple(
        Header(h)
        for h in ("system", "model", "run", "decoding", "seed", "git revision", "scored at")
    )
    rows = []
    for i, run in enumerate(c.runs):
        name = c.system_name(i)
        prov = run.provenance
        rows.append(
            (
                text_cell(name),
                text_cell(run.model.get("spec", "")),
                text_cell(run.run_id, hint=run.path),
                text_cell(run.decoding),
                text_cell(run.seed, sort=run.seed),
                text_cell(str(prov.get("git_revision") or "")[:12]),
                text_cell(prov.get("scored_at", "")),
            )
        )
    return Grid("Runs", headers, tuple(rows), label="runs")


def build(runs: Sequence[RunResults], options: ReportOptions | None = None) -> Report:
    """Compare the runs and lay out every table of the report."""
    options = options or ReportOptions()
    c = compare(runs, options.mixed, options.selection, mark_best=not options.history)
    paper: tuple[Grid, ...] = ()
    loaded = None
    if options.paper:
        from reports.paper import load_paper
        from reports.paper_table import paper_grids

        loaded = load_paper(options.paper)
        paper = tuple(
            paper_grids(
                loaded,
                c,
                dict(options.paper_matches),
                dict(options.paper_tasks),
            )
        )
    main, integrity = grids(c)
    extra: tuple[Grid, ...] = ()
    if options.history:
        from reports.history import changes

        extra = (changes(list(runs)),)
    return Report(c, (main, *paper, *extra, integrity, runs_grid(c)), paper, options, loaded)


def as_markdown(r: Report) -> str:
    from reports.render_markdown import document_markdown

    return document_markdown(r.options.title, r.grids)


def as_latex(r: Report) -> str:
    from reports.comparison import main_grid
    from reports.render_latex import document_latex, slug

    o = r.options
    main = main_grid(r.comparison, o.title, paper=True)  # the title is the table's caption
    label = o.label or f"tab:{slug(o.title)}"
    return document_latex(o.title, (main, *r.paper_grids), width=o.latex_width, label=label)


def as_html(r: Report) -> str:
    from reports.comparison import main_grid
    from reports.render_html import document_html

    main = main_grid(r.comparison, r.grids[0].title, compact=True)  # details on hover
    grids = (main, *r.grids[1:])
    figures = ()
    if r.options.plots:
        from reports.plots import comparison_plots

        figures = comparison_plots(r.comparison)
    return document_html(r.options.title, grids, figures=figures)


def as_csv(r: Report) -> str:
    from reports.paths import scrub

    if r.paper is not None:
        from reports.paper_table import paper_csv

        o = r.options
        return scrub(paper_csv(r.paper, r.comparison, dict(o.paper_matches), dict(o.paper_tasks)))
    from reports.frame import comparison_csv

    return comparison_csv(r.comparison)


@dataclass(frozen=True)
class Format:
    """An output format."""

    name: str
    """Name given to --format."""
    suffix: str
    """File extension for --out-dir."""
    render: Callable[[Report], str]
    """Report -> text."""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", "md", as_markdown),
        Format("latex", "tex", as_latex),
        Format("csv", "csv", as_csv),
        Format("html", "html", as_html),
    )
}


def render(
    runs: Sequence[RunResults], fmt: str = "md", options: ReportOptions | None = None
) -> str:
    """The report of `runs` in format `fmt` (md, latex, csv, html)."""
    return FORMATS[fmt].render(build(runs, options))
