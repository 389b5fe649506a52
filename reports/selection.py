"""What a report shows: which columns, under which display names, with which intervals.

One selection serves every format (Markdown, LaTeX, HTML, CSV), so a paper's LaTeX table and
its companion Markdown show the same columns. Columns are picked by shell-style patterns on
`task/metric`, the metric preset or the task; names are renamed by exact match on the column
key, the preset, the task or the system label.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from evals.errors import UserError
from reports.columns import Column

INTERVALS = ("full", "compact", "off")
INTEGRITY = "integrity"
"""The pseudo-column name of the integrity counts in `columns`."""


class SelectionError(UserError, ValueError):
    """A column pattern that matches nothing, or an unknown interval style."""


@dataclass(frozen=True)
class Selection:
    """Columns, display names and interval style of a report."""

    columns: tuple[str, ...] = ()
    """Patterns in display order (`task/metric`, `metric`, `task`, `integrity`); empty: all."""
    rename: tuple[tuple[str, str], ...] = ()
    """(name, display name): a column key, preset, task or system label."""
    intervals: str = "full"
    """`full` ([low, high]), `compact` (±half-width) or `off`."""

    def __post_init__(self) -> None:
        if self.intervals not in INTERVALS:
            raise SelectionError(
                f"intervals {self.intervals!r}: choose from {', '.join(INTERVALS)}"
            )

    def display(self, *names: str) -> str | None:
        """The display name of the first of `names` that is renamed, else None."""
        table = dict(self.rename)
        return next((table[n] for n in names if n in table), None)

    @property
    def integrity(self) -> bool:
        """Whether the integrity column is shown."""
        return not self.columns or INTEGRITY in self.columns

    def pick(self, columns: Sequence[Column]) -> list[Column]:
        """The selected columns in pattern order (each once); a pattern matching none fails."""
        if not self.columns:
            return list(columns)
        out: dict[str, Column] = {}
        for pattern in self.columns:
            if pattern == INTEGRITY:
                continue
            hits = [c for c in columns if matches(c, pattern)]
            if not hits:
                known = ", ".join(dict.fromkeys(f"{c.task}/{c.metric}" for c in columns))
                raise SelectionError(
                    f"--columns: {pattern!r} matches no column; the runs have: {known}, integrity"
                )
            for c in hits:
                out.setdefault(c.key, c)
        return list(out.values())


def matches(col: Column, pattern: str) -> bool:
    return any(
        fnmatch.fnmatchcase(name, pattern) for name in (col.key, f"{col.task}/{col.metric}")
    ) or ("/" not in pattern and (fnmatch.fnmatchcase(col.metric, pattern) or col.task == pattern))
