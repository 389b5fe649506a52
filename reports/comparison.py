"""The comparison table: systems (runs) x (task, metric preset), with intervals and integrity.

Best per column is direction-aware and marked among the evaluated systems only (ground-truth
rows are shown but never marked). Columns never mix protocol hashes (see reports.columns).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, replace

from evals.results import Integrity, RunResults
from reports.columns import Column, MixedProtocol, build_columns, lookup
from reports.fmt import digits_for, is_number
from reports.footnotes import Footnote, footnotes
from reports.grid import Cell, Grid, Header, text_cell
from reports.runs import is_reference, labels
from reports.selection import Selection

INTEGRITY_FIELDS = (
    ("expected", "expected"),
    ("ok", "ok"),
    ("failed", "failed"),
    ("empty", "empty"),
    ("malformed", "malformed"),
    ("input_errors", "input errors"),
    ("missing", "missing"),
    ("truncated", "truncated"),
    ("degenerate", "degenerate"),
)
"""Integrity counts shown, (field, header); the last two are flags (a sample also keeps its
status), the others buckets."""

MAX_EXAMPLES = 3
"""Failure examples listed per run and task."""


@dataclass(frozen=True)
class Comparison:
    """Runs laid out as columns, with best marks and protocol notes."""

    runs: tuple[RunResults, ...]
    """The runs, in the order given."""
    names: tuple[str, ...]
    """Unique display name per run."""
    columns: tuple[Column, ...]
    """(task, metric, protocol) columns in first-seen order."""
    mixed: tuple[MixedProtocol, ...]
    """(task, metric) pairs that were split by protocol."""
    notes: dict[str, Footnote]
    """Protocol footnote per column key."""
    best: dict[str, frozenset[int]]
    """Row indices marked best per column key."""
    selection: Selection = dataclasses.field(default_factory=Selection)
    """Columns, display names and interval style shown."""

    def column_name(self, col: Column) -> str:
        """Header text of a column: renamed, else the preset (with its hash when split)."""
        given = self.selection.display(col.key, f"{col.task}/{col.metric}", col.metric)
        return given or col.metric + (f" #{col.protocol_hash[:6]}" if col.split else "")

    def task_name(self, task: str) -> str:
        return self.selection.display(task) or task

    def system_name(self, row: int) -> str:
        return self.selection.display(self.names[row], self.runs[row].run_id) or self.names[row]


def best_rows(runs: Sequence[RunResults], col: Column) -> frozenset[int]:
    """Rows with the best value (ties all marked); none when fewer than two systems have one."""
    vals = []
    for i, run in enumerate(runs):
        m = lookup(run, col)
        if m is not None and is_number(m.value) and not is_reference(run):
            vals.append((m.value, i))
    if len(vals) < 2:
        return frozenset()
    pick = max if col.higher_is_better else min
    top = pick(v for v, _ in vals)
    return frozenset(i for v, i in vals if v == top)


def compare(
    runs: Sequence[RunResults],
    mixed: str = "split",
    selection: Selection | None = None,
    mark_best: bool = True,
) -> Comparison:
    """Lay the runs out as a comparison; `mixed` is `split` or `refuse` (see reports.columns);
    `selection` picks and names the columns; `mark_best` False for rows that are not rivals
    (the scorings of one run)."""
    selection = selection or Selection()
    names = labels(runs)
    columns, split = build_columns(runs, names, mixed)
    columns = selection.pick(columns)
    keys = {(c.task, c.metric) for c in columns}
    split = [m for m in split if (m.task, m.metric) in keys]
    return Comparison(
        selection=selection,
        runs=tuple(runs),
        names=tuple(names),
        columns=tuple(columns),
        mixed=tuple(split),
        notes=footnotes(runs, columns),
        best={c.key: best_rows(runs, c) if mark_best else frozenset() for c in columns},
    )


def value_cell(c: Comparison, row: int, col: Column, paper: bool = False) -> Cell:
    """A value with its interval; `n/a: reason` when unavailable (`n/a` in a paper table,
    the reason in its notes)."""
    m = lookup(c.runs[row], col)
    if m is None:
        return text_cell("—", hint="not evaluated")
    if m.unavailable:
        return text_cell("n/a" if paper else f"n/a: {m.unavailable}", hint=m.unavailable)
    hint = f"n={m.n}" + (f", {m.n_policy} scored by the failure policy" if m.n_policy else "")
    shown = c.selection.intervals != "off"
    return Cell(
        value=m.value if is_number(m.value) else None,
        text="n/a",
        low=m.ci_low if shown else None,
        high=m.ci_high if shown else None,
        compact=c.selection.intervals == "compact",
        digits=digits_for(col.scale),
        best=row in c.best[col.key],
        hint=hint,
    )


def integrity_summary(run: RunResults) -> str:
    """`ok/expected ok (failed k, ...)` per task, tasks named when there are several."""
    parts = []
    for tr in run.tasks.values():
        i = tr.integrity
        expected = i.expected if i.expected is not None else i.total
        bad = ", ".join(
            f"{header} {getattr(i, field)}"
            for field, header in INTEGRITY_FIELDS[2:]
            if getattr(i, field)
        )
        text = f"{i.ok}/{expected} ok" + (f" ({bad})" if bad else "")
        if i.partial:
            text = f"partial: {i.total} of {i.expected if i.expected is not None else '?'}; " + text
        parts.append(f"{tr.task}: {text}" if len(run.tasks) > 1 else text)
    return "; ".join(parts)


def integrity_compact(run: RunResults) -> str:
    """`ok/expected` over all tasks, with the partial mark and flag counts (a paper's cell; the
    per-task buckets stay in the companion report)."""
    tasks = list(run.tasks.values())
    ok = sum(t.integrity.ok for t in tasks)
    known = all(t.integrity.expected is not None for t in tasks)
    expected = sum((t.integrity.expected or t.integrity.total) for t in tasks)
    parts = [f"{ok}/{expected if known else '?'}"]
    partial = [t for t in tasks if t.integrity.partial]
    if partial:
        parts.append(
            f"partial: {sum(t.integrity.total for t in partial)} of "
            + (str(sum(t.integrity.expected or 0 for t in partial)) if known else "?")
        )
    for field in ("truncated", "degenerate"):
        count = sum(getattr(t.integrity, field) for t in tasks)
        if count:
            parts.append(f"{field} {count}")
    return "; ".join(parts)


def short_names(c: Comparison) -> dict[str, str]:
    """Paper headers: the preset's family (`WER-TTS`, `SIM`) where unique within its task,
    else the preset name; a rename always wins."""
    family = {col.key: col.metric.split("@")[0].upper() for col in c.columns}
    counts: dict[tuple[str, str], int] = {}
    for col in c.columns:
        counts[(col.task, family[col.key])] = counts.get((col.task, family[col.key]), 0) + 1
    out = {}
    for col in c.columns:
        given = c.selection.display(col.key, f"{col.task}/{col.metric}", col.metric)
        unique = counts[(col.task, family[col.key])] == 1
        out[col.key] = given or (family[col.key] if unique else c.column_name(col))
    return out


def bootstrap_note(runs: Sequence[RunResults]) -> str:
    """How the intervals were computed, from the runs' provenance."""
    specs = {}
    for run in runs:
        b = run.provenance.get("bootstrap") or {}
        specs.setdefault(
            (b.get("confidence"), b.get("method"), b.get("resamples"), b.get("seed")), []
        ).append(run)
    texts = []
    for (conf, method, resamples, seed), group in specs.items():
        if conf is None:
            text = "interval settings not recorded"
        else:
            text = (
                f"{round(100 * conf)}% bootstrap interval ({method}, {resamples} resamples of "
                f"the samples, seed {seed})"
            )
        texts.append((text, ", ".join(run.label for run in group)))
    if len(texts) == 1:
        return f"Each value is the point estimate with its {texts[0][0]}."
    return "Intervals differ between runs: " + "; ".join(f"{t} for {who}" for t, who in texts) + "."


def main_grid(
    c: Comparison, title: str = "Results", paper: bool = False, compact: bool = False
) -> Grid:
    """The results table; `paper`: short headers, compact integrity, one-line footnotes;
    `compact`: only the integrity compact (the full counts as the cell's hint)."""
    short = short_names(c) if paper else {}
    headers = [Header("system")]
    for col in c.columns:
        headers.append(
            Header(
                short.get(col.key) or c.column_name(col),
                group=c.task_name(col.task),
                arrow=col.arrow,
                mark=c.notes[col.key].mark,
                numeric=True,
            )
        )
    if c.selection.integrity:
        headers.append(Header("integrity"))
    rows = []
    for i, run in enumerate(c.runs):
        cells = [text_cell(c.system_name(i), hint=str(run.model.get("spec", "")))]
        cells += [value_cell(c, i, col, paper) for col in c.columns]
        if c.selection.integrity:
            summary = integrity_compact(run) if paper or compact else integrity_summary(run)
            cells.append(text_cell(summary, hint=integrity_summary(run)))
        rows.append(tuple(cells))
    notes = [bootstrap_note(c.runs)]
    if any(c.best.values()):
        notes.append(
            "Best per column in bold (↑ higher is better, ↓ lower is better)"
            + (
                "; ground-truth rows are not marked."
                if any(is_reference(r) for r in c.runs)
                else "."
            )
        )
    notes += [f"Split column: {m.reason()}." for m in c.mixed]
    for i, run in enumerate(c.runs):
        for col in c.columns:
            m = lookup(run, col)
            if m is not None and m.unavailable:
                notes.append(
                    f"{c.system_name(i)}: {col.task} {col.metric} unavailable: {m.unavailable}"
                )
    unique_notes = tuple(dict.fromkeys(c.notes.values()))
    if paper:
        notes.append(
            "Integrity: usable outputs / samples; full protocols and per-task counts "
            "are in the companion Markdown or HTML report."
        )
        unique_notes = tuple(replace(f, text=f.short or f.text) for f in unique_notes)
    return Grid(title, tuple(headers), tuple(rows), tuple(notes), unique_notes, label="results")


def integrity_grid(c: Comparison) -> Grid:
    headers = [Header("system"), Header("task")]
    headers += [Header(h, numeric=True) for _, h in INTEGRITY_FIELDS]
    rows = []
    notes = []
    for row, run in enumerate(c.runs):
        name = c.system_name(row)
        for tr in run.tasks.values():
            i: Integrity = tr.integrity
            task = c.task_name(tr.task) + (" (partial)" if i.partial else "")
            cells = [text_cell(name), text_cell(task)]
            for field, _ in INTEGRITY_FIELDS:
                v = getattr(i, field)
                cells.append(text_cell("?" if v is None else v, sort=v))
            rows.append(tuple(cells))
            for ex in i.examples[:MAX_EXAMPLES]:
                stage = f" ({ex.get('stage')})" if ex.get("stage") else ""
                notes.append(
                    f"{name} / {tr.task} / {ex.get('sample_id', '?')}: "
                    f"{ex.get('status', '')}{stage}: {ex.get('reason', '')}"
                )
    head = (
        "Every sample is in exactly one bucket; failed, empty and unreadable outputs are scored "
        "by each metric's failure policy, never dropped. truncated (stopped at the token "
        "budget) and degenerate (input too short or silent) are flags: those samples also "
        "keep their bucket."
    )
    partial = [
        f"{c.system_name(row)} / {tr.task}: partial: scored {tr.integrity.total} of "
        f"{tr.integrity.expected if tr.integrity.expected is not None else '?'} samples "
        "before generation finished."
        for row, run in enumerate(c.runs)
        for tr in run.tasks.values()
        if tr.integrity.partial
    ]
    notes = partial + notes
    return Grid("Integrity", tuple(headers), tuple(rows), (head, *notes), label="integrity")


def grids(c: Comparison, title: str = "Results") -> list[Grid]:
    """The comparison's tables: results, then integrity."""
    return [main_grid(c, title), integrity_grid(c)]
