"""The comparison table: systems (runs) x (task, metric), with intervals and integrity counts."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evals.results import MetricResult, RunResults


@dataclass(frozen=True)
class Column:
    """One (task, metric preset) column; runs with another protocol hash get their own column."""

    task: str
    metric: str
    protocol_hash: str
    higher_is_better: bool


def columns(runs: Sequence[RunResults]) -> list[Column]:
    seen: dict[tuple[str, str, str], Column] = {}
    for run in runs:
        for task, tr in run.tasks.items():
            for name, m in tr.metrics.items():
                key = (task, name, m.protocol_hash)
                seen.setdefault(key, Column(task, name, m.protocol_hash, m.higher_is_better))
    cols = list(seen.values())
    return cols


def _fmt(x: float | None, digits: int) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def digits_for(m: MetricResult) -> int:
    return {"percent": 1, "x100": 1, "mos": 2, "cosine": 3}.get(m.scale, 3)


def cell(m: MetricResult | None) -> str:
    if m is None:
        return "—"
    if m.unavailable:
        return "unavailable"
    d = digits_for(m)
    return f"{_fmt(m.value, d)} [{_fmt(m.ci_low, d)}, {_fmt(m.ci_high, d)}]"


def best_rows(runs: Sequence[RunResults], col: Column) -> set[int]:
    vals = []
    for i, run in enumerate(runs):
        m = lookup(run, col)
        if m is not None and m.value is not None and not math.isnan(m.value):
            vals.append((m.value, i))
    if len(vals) < 2:
        return set()
    best = max(v for v, _ in vals) if col.higher_is_better else min(v for v, _ in vals)
    return {i for v, i in vals if v == best}


def lookup(run: RunResults, col: Column) -> MetricResult | None:
    tr = run.tasks.get(col.task)
    m = tr.metrics.get(col.metric) if tr else None
    return m if m is not None and m.protocol_hash == col.protocol_hash else None


def integrity_cell(run: RunResults) -> str:
    parts = []
    for tr in run.tasks.values():
        i = tr.integrity
        bad = {
            "failed": i.failed,
            "input": i.input_errors,
            "empty": i.empty,
            "malformed": i.malformed,
            "missing": i.missing,
        }
        flagged = ", ".join(f"{k} {v}" for k, v in bad.items() if v)
        parts.append(
            f"{tr.task}: {i.ok}/{i.expected if i.expected is not None else i.total} ok"
            + (f" ({flagged})" if flagged else "")
        )
    return "; ".join(parts)


def header(col: Column, dup: bool) -> str:
    arrow = "↑" if col.higher_is_better else "↓"
    suffix = f" #{col.protocol_hash[:6]}" if dup else ""
    return f"{col.task} {col.metric}{suffix} {arrow}"


def markdown_table(runs: Sequence[RunResults]) -> str:
    cols = columns(runs)
    names = [(c.task, c.metric) for c in cols]
    heads = [header(c, names.count((c.task, c.metric)) > 1) for c in cols]
    lines = ["| system | " + " | ".join(heads) + " | integrity |", "|---" * (len(cols) + 2) + "|"]
    bests = [best_rows(runs, c) for c in cols]
    for i, run in enumerate(runs):
        cells = []
        for c, best in zip(cols, bests):
            text = cell(lookup(run, c))
            cells.append(f"**{text}**" if i in best else text)
        lines.append(f"| {run.label} | " + " | ".join(cells) + f" | {integrity_cell(run)} |")
    lines += [
        "",
        "Values with 95% bootstrap intervals; best per column in bold.",
        *footnotes(runs, cols),
    ]
    return "\n".join(lines)


def footnotes(runs: Sequence[RunResults], cols: Sequence[Column]) -> list[str]:
    notes = []
    for name in dict.fromkeys(c.metric for c in cols):
        for run in runs:
            for tr in run.tasks.values():
                m = tr.metrics.get(name)
                if m is not None:
                    desc = m.protocol.get("settings", {})
                    keys = ("normalizer", "scorer_id", "embedding", "model")
                    facts = "; ".join(f"{k}: {desc[k]}" for k in keys if k in desc)
                    notes.append(f"- `{name}` ({m.scale}, {m.aggregation}): {facts}")
                    break
            else:
                continue
            break
    return notes


def csv_table(runs: Sequence[RunResults]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "system",
            "task",
            "metric",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "n_policy",
            "scale",
            "protocol_hash",
        ]
    )
    for run in runs:
        for tr in run.tasks.values():
            for m in tr.metrics.values():
                w.writerow(
                    [
                        run.label,
                        tr.task,
                        m.name,
                        m.value,
                        m.ci_low,
                        m.ci_high,
                        m.n,
                        m.n_policy,
                        m.scale,
                        m.protocol_hash,
                    ]
                )
    return buf.getvalue()


FORMATS: dict[str, Callable[[Sequence[RunResults]], str]] = {"md": markdown_table, "csv": csv_table}
