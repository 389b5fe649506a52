"""Columns of a comparison: one (task, metric preset, protocol hash) each.

Values computed under different protocols never share a column. Where one (task, preset) name
appears with several protocol hashes, the table either splits it (one column per protocol, the
difference named in a note) or refuses with that reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.errors import UserError
from evals.results import MetricResult, RunResults

MIXED_POLICIES = ("split", "refuse")


class MixedProtocolError(UserError, ValueError):
    """Runs scored one (task, metric) under different protocols, and the caller asked to refuse."""


@dataclass(frozen=True)
class Column:
    """One (task, metric preset, protocol) column."""

    task: str
    """Task name."""
    metric: str
    """Metric preset name."""
    protocol_hash: str
    """Protocol hash every value in the column shares."""
    higher_is_better: bool
    """Direction, for best marks and ranks."""
    scale: str
    """Scale of the values."""
    aggregation: str
    """`corpus` or `mean`."""
    protocol: Mapping[str, Any]
    """The pinned protocol (as written in the results)."""
    split: bool = False
    """True when the same (task, metric) also appears under another protocol."""

    @property
    def key(self) -> str:
        """Unique column id: `task/metric`, plus `#hash` when split."""
        base = f"{self.task}/{self.metric}"
        return f"{base}#{self.protocol_hash[:6]}" if self.split else base

    @property
    def arrow(self) -> str:
        return "↑" if self.higher_is_better else "↓"


@dataclass(frozen=True)
class MixedProtocol:
    """A (task, metric) that runs scored under more than one protocol."""

    task: str
    metric: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    """(protocol hash, labels of the runs scored with it)."""
    differences: tuple[str, ...]
    """Protocol fields that differ, as `field: a vs b`."""

    def reason(self) -> str:
        who = "; ".join(f"#{h[:6]}: {', '.join(names)}" for h, names in self.groups)
        diff = "; ".join(self.differences) or "protocol hashes differ"
        return f"{self.task} {self.metric} was scored under {len(self.groups)} protocols ({who}): {diff}"


def lookup(run: RunResults, col: Column) -> MetricResult | None:
    """The run's result for this column, or None (absent, or scored under another protocol)."""
    tr = run.tasks.get(col.task)
    m = tr.metrics.get(col.metric) if tr else None
    return m if m is not None and m.protocol_hash == col.protocol_hash else None


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def protocol_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Fields where two protocols differ, `field: a vs b` (values as JSON)."""
    fa, fb = flatten(a), flatten(b)
    show = lambda v: json.dumps(v, ensure_ascii=False, default=str)  # noqa: E731
    return [
        f"{k}: {show(fa.get(k))} vs {show(fb.get(k))}"
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    ]


def build_columns(
    runs: Sequence[RunResults], names: Sequence[str], mixed: str = "split"
) -> tuple[list[Column], list[MixedProtocol]]:
    """Columns in first-seen order; mixed protocols split (with notes) or refused."""
    if mixed not in MIXED_POLICIES:
        raise ValueError(f"mixed must be one of {MIXED_POLICIES}, not {mixed!r}")
    found: dict[tuple[str, str], dict[str, tuple[MetricResult, list[str]]]] = {}
    for run, label in zip(runs, names):
        for task, tr in run.tasks.items():
            for name, m in tr.metrics.items():
                per_hash = found.setdefault((task, name), {})
                per_hash.setdefault(m.protocol_hash, (m, []))[1].append(label)
    columns: list[Column] = []
    notes: list[MixedProtocol] = []
    for (task, name), per_hash in found.items():
        split = len(per_hash) > 1
        if split:
            (first, _), *others = per_hash.values()
            diffs: list[str] = []
            for other, _ in others:
                diffs += protocol_differences(first.protocol, other.protocol)
            notes.append(
                MixedProtocol(
                    task,
                    name,
                    tuple((h, tuple(names_)) for h, (_, names_) in per_hash.items()),
                    tuple(dict.fromkeys(diffs)),
                )
            )
        for h, (m, _) in per_hash.items():
            columns.append(
                Column(
                    task=task,
                    metric=name,
                    protocol_hash=h,
                    higher_is_better=m.higher_is_better,
                    scale=m.scale,
                    aggregation=m.aggregation,
                    protocol=m.protocol,
                    split=split,
                )
            )
    if notes and mixed == "refuse":
        raise MixedProtocolError(
            "refusing to put values of different protocols in one column: "
            + " | ".join(n.reason() for n in notes)
            + " (re-score the runs with one preset, or let the table split the column)"
        )
    return columns, notes
