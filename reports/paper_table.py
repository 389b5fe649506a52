"""The paper tables: published rows with our reproductions beside them, and their flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from evals.results import RunResults
from reports.columns import Column, lookup
from reports.comparison import Comparison
from reports.fmt import digits_for, is_number
from reports.footnotes import Footnote, mark_for
from reports.grid import Cell, Grid, Header, text_cell
from reports.paper import (
    Paper,
    PaperMetric,
    PaperRow,
    PaperTable,
    match_row,
    our_columns,
    protocol_flags,
)


@dataclass(frozen=True)
class Line:
    """One line of a paper table: a published row, a run of ours, or both."""

    row: PaperRow | None
    """The published row (None for a run of ours with no published counterpart)."""
    run: int | None
    """Index of our run in the comparison (None when nobody reproduced this row)."""


def lines(table: PaperTable, c: Comparison, cols: list[Column], explicit: Mapping[str, str]):
    """Published rows in the paper's order (one line per matching run), then our other runs."""
    matched: dict[int, list[int]] = {}
    unmatched: list[int] = []
    for i, run in enumerate(c.runs):
        if not any(lookup(run, col) is not None for col in cols):
            continue
        j = match_row(table, run, c.names[i], explicit)
        (matched.setdefault(j, []) if j >= 0 else unmatched).append(i)
    out = []
    for j, row in enumerate(table.rows):
        out += [Line(row, i) for i in matched.get(j, [])] or [Line(row, None)]
    out += [Line(None, i) for i in unmatched]
    return out


def cited(row: PaperRow | None) -> str:
    if row is None:
        return "ours (no published row)"
    return row.cite or ("this paper" if row.role == "anygpt" else "")


def official_cell(row: PaperRow | None, metric: PaperMetric) -> Cell:
    if row is None or metric.id not in row.values:
        return text_cell("—")
    hint = "" if row.verified else "not verified against the paper's text"
    return Cell(value=row.values[metric.id], digits=metric.digits, hint=hint)


def ours_cell(run: RunResults | None, col: Column) -> Cell:
    m = lookup(run, col) if run is not None else None
    if m is None:
        return text_cell("—")
    if m.unavailable:
        return text_cell("unavailable", hint=m.unavailable)
    if not is_number(m.value):
        return text_cell("n/a")
    return Cell(value=m.value, low=m.ci_low, high=m.ci_high, digits=digits_for(col.scale))


def metric_columns(table: PaperTable, c: Comparison, task_map: Mapping[str, str]):
    return [(m, our_columns(table, m, c, task_map)) for m in table.metrics]


def paper_grid(
    paper: Paper,
    table: PaperTable,
    c: Comparison,
    explicit: Mapping[str, str],
    task_map: Mapping[str, str],
) -> Grid:
    per_metric = metric_columns(table, c, task_map)
    all_cols = [col for _, cols in per_metric for col in cols]
    headers = [Header("system"), Header("reported in"), Header("our run")]
    footnotes: list[Footnote] = []
    for metric, cols in per_metric:
        group = f"{metric.name} ({metric.scale})"
        arrow = "↑" if metric.higher_is_better else "↓"
        headers.append(Header("official", group=group, arrow=arrow, numeric=True))
        for col in cols:
            flags = protocol_flags(table, metric, col, c)
            mark = ""
            if flags:
                mark = mark_for(len(footnotes))
                text = f"{col.task} {col.metric} vs the paper: " + "; ".join(flags)
                footnotes.append(Footnote(mark, col.metric, col.protocol_hash, text))
            name = "reproduced"
            if len(cols) > 1:
                name += f": {col.metric}" + (f" #{col.protocol_hash[:6]}" if col.split else "")
            headers.append(Header(name, group=group, arrow=arrow, mark=mark, numeric=True))
    rows = []
    for line in lines(table, c, all_cols, explicit):
        run = c.runs[line.run] if line.run is not None else None
        cells = [
            text_cell(line.row.system if line.row else "—"),
            text_cell(cited(line.row)),
            text_cell(c.names[line.run] if line.run is not None else "—"),
        ]
        for metric, cols in per_metric:
            cells.append(official_cell(line.row, metric))
            cells += [ours_cell(run, col) for col in cols]
        rows.append(tuple(cells))
    notes = [
        f"{paper.title} (arXiv {paper.arxiv} {paper.version}), {table.table}: {table.caption}. "
        f"Source of the official numbers: {table.source}.",
        f"Protocol as the paper states it: {table.protocol}",
        "official: the published value; reproduced: ours, with its bootstrap interval.",
    ]
    for metric, cols in per_metric:
        if not cols:
            notes.append(
                f"No run here has a {metric.name} result on {', '.join(table.our_tasks)}; "
                f"map another task with --paper-task TASK={table.id}."
            )
    unverified = [r.system for r in table.rows if not r.verified]
    if unverified:
        notes.append("Not verified against the paper's text: " + ", ".join(unverified) + ".")
    title = f"{paper.name} {table.table}: {table.task} on {table.dataset}"
    return Grid(
        title, tuple(headers), tuple(rows), tuple(notes), tuple(footnotes), f"paper-{table.id}"
    )


def paper_grids(
    paper: Paper,
    c: Comparison,
    explicit: Mapping[str, str] | None = None,
    task_map: Mapping[str, str] | None = None,
) -> list[Grid]:
    """One grid per paper table, in the paper's order."""
    return [paper_grid(paper, t, c, explicit or {}, task_map or {}) for t in paper.tables]


def paper_records(
    paper: Paper,
    c: Comparison,
    explicit: Mapping[str, str] | None = None,
    task_map: Mapping[str, str] | None = None,
) -> list[dict]:
    """Tidy records: one per (line, paper metric, our column or none)."""
    records = []
    for table in paper.tables:
        per_metric = metric_columns(table, c, task_map or {})
        all_cols = [col for _, cols in per_metric for col in cols]
        for line in lines(table, c, all_cols, explicit or {}):
            run = c.runs[line.run] if line.run is not None else None
            for metric, cols in per_metric:
                base = {
                    "paper": paper.name,
                    "table": table.table,
                    "paper_task": table.task,
                    "dataset": table.dataset,
                    "metric": metric.name,
                    "higher_is_better": metric.higher_is_better,
                    "paper_scale": metric.scale,
                    "system": line.row.system if line.row else None,
                    "cite": line.row.cite if line.row else None,
                    "role": line.row.role if line.row else None,
                    "official": line.row.values.get(metric.id) if line.row else None,
                    "source": table.source if line.row else None,
                    "verified": line.row.verified if line.row else None,
                    "our_run": c.names[line.run] if line.run is not None else None,
                }
                for col in cols or [None]:
                    m = lookup(run, col) if (run is not None and col is not None) else None
                    flags = protocol_flags(table, metric, col, c) if col is not None else []
                    records.append(
                        {
                            **base,
                            "our_task": col.task if col else None,
                            "our_metric": col.metric if col else None,
                            "our_scale": col.scale if col else None,
                            "reproduced": m.value if m else None,
                            "ci_low": m.ci_low if m else None,
                            "ci_high": m.ci_high if m else None,
                            "protocol_flags": "; ".join(flags),
                        }
                    )
    return records


def paper_csv(
    paper: Paper,
    c: Comparison,
    explicit: Mapping[str, str] | None = None,
    task_map: Mapping[str, str] | None = None,
) -> str:
    import pandas as pd

    return pd.DataFrame(paper_records(paper, c, explicit, task_map)).to_csv(
        index=False, lineterminator="\n"
    )
