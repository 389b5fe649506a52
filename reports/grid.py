"""A format-neutral table: headers, rows of cells, notes. Every renderer draws one of these."""

from __future__ import annotations

from dataclasses import dataclass

from reports.fmt import half_width, interval, is_number, number
from reports.footnotes import Footnote


@dataclass(frozen=True)
class Cell:
    """One cell: either a number (with an optional interval) or text."""

    text: str = ""
    """Text shown when there is no value (labels, counts, `—`, `unavailable`)."""
    value: float | None = None
    """The number shown; also the sort key."""
    low: float | None = None
    """Lower end of the interval, if any."""
    high: float | None = None
    """Upper end of the interval, if any."""
    digits: int = 3
    """Decimal places."""
    best: bool = False
    """Marked best in its column."""
    hint: str = ""
    """Longer explanation (HTML tooltip; appended in brackets nowhere else)."""
    sort: float | None = None
    """Sort key for text cells (e.g. a rank shown as text); defaults to `value`."""
    compact: bool = False
    """Show the interval as ±half-width instead of [low, high]."""

    @property
    def is_number(self) -> bool:
        return is_number(self.value)

    def value_text(self) -> str:
        return number(self.value, self.digits) if self.is_number else self.text

    def interval_text(self) -> str:
        if not self.is_number:
            return ""
        if self.compact:
            return half_width(self.value, self.low, self.high, self.digits)
        return interval(self.low, self.high, self.digits)

    def plain(self) -> str:
        """Value and interval as plain text."""
        ci = self.interval_text()
        return f"{self.value_text()} {ci}" if ci else self.value_text()

    def sort_key(self) -> float | None:
        if is_number(self.sort):
            return self.sort
        return self.value if self.is_number else None


@dataclass(frozen=True)
class Header:
    """A column header."""

    text: str
    """Column name (e.g. the metric preset)."""
    group: str = ""
    """Group spanning adjacent columns with the same group (e.g. the task); may be empty."""
    arrow: str = ""
    """`↑` or `↓` for direction-aware columns."""
    mark: str = ""
    """Footnote mark."""
    numeric: bool = False
    """Right-aligned numbers."""


@dataclass(frozen=True)
class Grid:
    """A table ready to render."""

    title: str
    """Heading above the table (a section title; may be empty)."""
    headers: tuple[Header, ...]
    """Column headers, the first being the row-label column."""
    rows: tuple[tuple[Cell, ...], ...]
    """Cells, one per header."""
    notes: tuple[str, ...] = ()
    """Notes printed under the table (plain text)."""
    footnotes: tuple[Footnote, ...] = ()
    """Protocol footnotes the header marks refer to."""
    label: str = ""
    """Short identifier (LaTeX \\label, HTML id)."""

    def groups(self) -> list[tuple[str, int]]:
        """Runs of equal header groups: (group, span)."""
        spans: list[tuple[str, int]] = []
        for h in self.headers:
            if spans and spans[-1][0] == h.group:
                spans[-1] = (h.group, spans[-1][1] + 1)
            else:
                spans.append((h.group, 1))
        return spans

    @property
    def grouped(self) -> bool:
        return any(h.group for h in self.headers)


def text_cell(text: object, hint: str = "", sort: float | None = None) -> Cell:
    return Cell(text=str(text), hint=hint, sort=sort)
