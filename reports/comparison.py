"""The comparison table: systems (runs) x (task, metric preset), with intervals and integrity.

Best per column is direction-aware and marked among the evaluated systems only (ground-truth
rows are shown but never marked). Columns never mix protocol hashes (see reports.columns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evals.results import Integrity, RunResults
from reports.columns import Column, MixedProtocol, build_columns, lookup
from reports.fmt import digits_for, is_number
from reports.footnotes import Footnote, footnotes
from reports.grid import Cell, Grid, Header, text_cell
from reports.runs import is_reference, labels

INTEGRITY_FIELDS = (
    ("expected", "expected"),
    ("ok", "ok"),
    ("failed", "failed"),
    ("empty", "empty"),
    ("malformed", "malformed"),
    ("input_errors", "input errors"),
    ("missing", "missing"),
)
"""Integrity counts shown, (field, header)."""

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


def compare(runs: Sequence[RunResults], mixed: str = "split") -> Comparison:
    """Lay the runs out as a comparison; `mixed` is `split` or `refuse` (see reports.columns)."""
    names = labels(runs)
    columns, split = build_columns(runs, names, mixed)
    return Comparison(
        runs=tuple(runs),
        names=tuple(names),
        columns=tuple(columns),
        mixed=tuple(split),
        notes=footnotes(runs, columns),
        best={c.key: best_rows(runs, c) for c in columns},
    )


def value_cell(c: Comparison, row: int, col: Column) -> Cell:
    m = lookup(c.runs[row], col)
    if m is None:
        return text_cell("—", hint="not evaluated")
    if m.unavailable:
        return text_cell("unavailable", hint=m.unavailable)
    hint = f"n={m.n}" + (f", {m.n_policy} scored by the failure policy" if m.n_policy else "")
    return Cell(
        value=m.value if is_number(m.value) else None,
        text="n/a",
        low=m.ci_low,
        high=m.ci_high,
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
        parts.append(f"{tr.task}: {text}" if len(run.tasks) > 1 else text)
    return "; ".join(parts)


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


def main_grid(c: Comparison, title: str = "Results") -> Grid:
    headers = [Header("system")]
    for col in c.columns:
        name = col.metric + (f" #{col.protocol_hash[:6]}" if col.split else "")
        headers.append(
            Header(name, group=col.task, arrow=col.arrow, mark=c.notes[col.key].mark, numeric=True)
        )
    headers.append(Header("integrity"))
    rows = []
    for i, run in enumerate(c.runs):
        cells = [text_cell(c.names[i], hint=str(run.model.get("spec", "")))]
        cells += [value_cell(c, i, col) for col in c.columns]
        cells.append(text_cell(integrity_summary(run)))
        rows.append(tuple(cells))
    notes = [bootstrap_note(c.runs)]
    notes.append(
        "Best per column in bold (↑ higher is better, ↓ lower is better)"
        + ("; ground-truth rows are not marked." if any(is_reference(r) for r in c.runs) else ".")
    )
    notes += [f"Split column: {m.reason()}." for m in c.mixed]
    for i, run in enumerate(c.runs):
        for col in c.columns:
            m = lookup(run, col)
            if m is not None and m.unavailable:
                notes.append(f"{c.names[i]}: {col.task} {col.metric} unavailable: {m.unavailable}")
    unique_notes = tuple(dict.fromkeys(c.notes.values()))
    return Grid(title, tuple(headers), tuple(rows), tuple(notes), unique_notes, label="results")


def integrity_grid(c: Comparison) -> Grid:
    headers = [Header("system"), Header("task")]
    headers += [Header(h, numeric=True) for _, h in INTEGRITY_FIELDS]
    rows = []
    notes = []
    for name, run in zip(c.names, c.runs):
        for tr in run.tasks.values():
            i: Integrity = tr.integrity
            cells = [text_cell(name), text_cell(tr.task)]
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
        "by each metric's failure policy, never dropped."
    )
    return Grid("Integrity", tuple(headers), tuple(rows), (head, *notes), label="integrity")


def grids(c: Comparison, title: str = "Results") -> list[Grid]:
    """The comparison's tables: results, then integrity."""
    return [main_grid(c, title), integrity_grid(c)]
