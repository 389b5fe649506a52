"""Number formatting shared by every output format: digits by scale, intervals, missing values."""

from __future__ import annotations

import math

DIGITS = {"percent": 1, "x100": 1, "mos": 2, "cosine": 3, "fraction": 3}
"""Decimal places per metric scale (unknown scales get 3)."""


def digits_for(scale: str) -> int:
    """Decimal places for values on `scale`."""
    return DIGITS.get(scale, 3)


def is_number(x: object) -> bool:
    """A finite int or float (bool excluded)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def number(x: float | None, digits: int) -> str:
    """`x` with `digits` decimals, or `n/a`."""
    return f"{x:.{digits}f}" if is_number(x) else "n/a"


def interval(low: float | None, high: float | None, digits: int) -> str:
    """`[low, high]`, or empty when the interval is unknown."""
    if not (is_number(low) and is_number(high)):
        return ""
    return f"[{number(low, digits)}, {number(high, digits)}]"


def half_width(value: float | None, low: float | None, high: float | None, digits: int) -> str:
    """`±h`, h the larger distance from the value to an end of its interval; empty if unknown."""
    if not (is_number(value) and is_number(low) and is_number(high)):
        return ""
    return f"±{number(max(high - value, value - low), digits)}"
