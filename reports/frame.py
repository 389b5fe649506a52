"""The comparison as pandas DataFrames: one tidy row per (system, task, metric), and integrity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from evals.results import RunResults
from reports.columns import lookup
from reports.comparison import INTEGRITY_FIELDS, Comparison, compare
from reports.paths import scrub
from reports.runs import is_reference, labels

if TYPE_CHECKING:
    import pandas as pd

FRAME_COLUMNS = (
    "system",
    "task",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "n_policy",
    "scale",
    "aggregation",
    "higher_is_better",
    "best",
    "reference",
    "unavailable",
    "column",
    "protocol_hash",
    "run_id",
    "model",
    "partial",
    "truncated",
    "degenerate",
)
"""Columns of `frame()`, in order (the last three: the task's integrity flags)."""


def comparison_frame(c: Comparison) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for i, run in enumerate(c.runs):
        for col in c.columns:
            m = lookup(run, col)
            if m is None:
                continue
            integ = run.tasks[col.task].integrity
            rows.append(
                {
                    "system": c.system_name(i),
                    "task": col.task,
                    "metric": col.metric,
                    "value": m.value,
                    "ci_low": m.ci_low,
                    "ci_high": m.ci_high,
                    "n": m.n,
                    "n_policy": m.n_policy,
                    "scale": col.scale,
                    "aggregation": col.aggregation,
                    "higher_is_better": col.higher_is_better,
                    "best": i in c.best[col.key],
                    "reference": is_reference(run),
                    "unavailable": m.unavailable,
                    "column": col.key,
                    "protocol_hash": col.protocol_hash,
                    "run_id": run.run_id,
                    "model": scrub(str(run.model.get("spec", ""))),
                    "partial": integ.partial,
                    "truncated": integ.truncated,
                    "degenerate": integ.degenerate,
                }
            )
    df = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    return df.astype({"value": float, "ci_low": float, "ci_high": float})


def frame(runs: Sequence[RunResults], mixed: str = "split") -> pd.DataFrame:
    """The comparison table as a tidy DataFrame (columns: FRAME_COLUMNS).

    Values keep full precision; `best` follows the table's direction-aware marks; `column`
    is the table column (task/metric, plus #hash where one was split by protocol).
    """
    return comparison_frame(compare(runs, mixed))


def wide_frame(runs: Sequence[RunResults], mixed: str = "split") -> pd.DataFrame:
    """Systems x columns of values (the table's layout); intervals via `frame()`."""
    df = frame(runs, mixed)
    order = list(dict.fromkeys(df["column"]))
    systems = list(dict.fromkeys(df["system"]))
    wide = df.pivot(index="system", columns="column", values="value")
    return wide.reindex(index=systems, columns=order)


def integrity_frame(runs: Sequence[RunResults]) -> pd.DataFrame:
    """One row per (system, task): the integrity counts."""
    import pandas as pd

    rows = []
    for name, run in zip(labels(runs), runs):
        for tr in run.tasks.values():
            row = {"system": name, "task": tr.task}
            row.update({field: getattr(tr.integrity, field) for field, _ in INTEGRITY_FIELDS})
            row["total"] = tr.integrity.total
            rows.append(row)
    return pd.DataFrame(rows)


def comparison_csv(c: Comparison) -> str:
    """The tidy frame as CSV (full precision, empty cells for missing values)."""
    return comparison_frame(c).to_csv(index=False, lineterminator="\n")
