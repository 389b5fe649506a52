"""A run's result history: every earlier `results.json` (kept in `<run>/history/` by each
re-score) and the current one, as a report whose rows are the scorings.

Rows are labelled by when each scoring was made; a preset whose protocol changed between
scorings (an upgraded scorer, a new normalizer) splits into one column per protocol, the
difference named, exactly as in a comparison of runs. `changes()` lists what moved between
consecutive scorings.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from evals.results import ResultsError, RunResults, load
from evals.store import RunStore
from reports.columns import protocol_differences
from reports.grid import Grid, Header, text_cell


def scorings(folder: str | Path) -> list[RunResults]:
    """The run's scorings, oldest first, each labelled `scored <time>`; at least the current."""
    root = Path(folder)
    if root.name == "results.json":
        root = root.parent
    current = root / "results.json"
    if not current.exists():
        raise ResultsError(f"{current}: no results file (run `anybench score {root}` first)")
    out = []
    for path in [*RunStore(root).history(), current]:
        run = load(path)
        when = str(run.provenance.get("scored_at") or path.stem.removeprefix("results-"))
        tag = "current" if path == current else path.name
        out.append(replace(run, model={**run.model, "label": f"scored {when} ({tag})"}))
    return out


def changes(versions: list[RunResults]) -> Grid:
    """What changed between consecutive scorings: added, removed, protocol and value changes."""
    rows = []
    for old, new in itertools.pairwise(versions):
        span = f"{old.model['label'].split(' (')[0]} → {new.model['label'].split(' (')[0]}"
        tasks = list(dict.fromkeys([*old.tasks, *new.tasks]))
        for task in tasks:
            a = old.tasks[task].metrics if task in old.tasks else {}
            b = new.tasks[task].metrics if task in new.tasks else {}
            for name in dict.fromkeys([*a, *b]):
                change = describe_change(a.get(name), b.get(name))
                if change:
                    rows.append((text_cell(span), text_cell(task), text_cell(name),
                                 text_cell(change)))  # fmt: skip
    headers = tuple(Header(h) for h in ("scorings", "task", "metric", "change"))
    notes = () if rows else ("No score changed between scorings.",)
    return Grid("Changes", headers, tuple(rows), notes, label="changes")


def describe_change(a, b) -> str:
    """One line for a metric between two scorings ('' when nothing changed)."""
    if a is None:
        return "added"
    if b is None:
        return "removed"
    parts = []
    if a.protocol_hash != b.protocol_hash:
        diff = "; ".join(protocol_differences(a.protocol, b.protocol)) or "protocol hash"
        parts.append(f"protocol #{a.protocol_hash[:8]} → #{b.protocol_hash[:8]} ({diff})")
    if a.value != b.value:
        show = lambda v: "n/a" if v is None else f"{v:.6g}"  # noqa: E731
        delta = (
            f" ({b.value - a.value:+.4g})" if a.value is not None and b.value is not None else ""
        )
        parts.append(f"value {show(a.value)} → {show(b.value)}{delta}")
    if (a.unavailable or "") != (b.unavailable or ""):
        parts.append(f"unavailable: {a.unavailable or '-'} → {b.unavailable or '-'}")
    return "; ".join(parts)
