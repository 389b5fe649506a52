"""Footnotes written from the metric presets' pinned protocols, never by hand.

Each distinct (preset, protocol) of a table gets a mark (a, b, c, ...) and one note: what the
preset computes, its scale, aggregation and direction, then every pinned setting (scorer
checkpoint and revision, normalizer, sample rate, failure policy, ...) in the preset's own
order, the scorer actually loaded where the results record it, and the protocol hash.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.results import RunResults
from reports.columns import Column, lookup


@dataclass(frozen=True)
class Footnote:
    """One note on a metric preset."""

    mark: str
    """Letter the column headers refer to."""
    metric: str
    """Preset name."""
    protocol_hash: str
    """The protocol described."""
    text: str
    """The note, plain text (renderers escape it)."""
    short: str = ""
    """A line fit for a paper: the preset, its description and the hash's first 8 digits."""


def mark_for(i: int) -> str:
    """a..z, then aa, ab, ..."""
    letters = string.ascii_lowercase
    return letters[i] if i < 26 else mark_for(i // 26 - 1) + letters[i % 26]


def show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def describe_protocol(name: str, protocol: Mapping[str, Any], protocol_hash: str) -> str:
    """One line from a preset's protocol dict."""
    desc = registered_description(name, protocol_hash)
    head = [
        f"{name}",
        f"{desc}" if desc else None,
        f"metric {protocol.get('metric', '?')} v{protocol.get('version', '?')}",
        f"scale: {protocol.get('scale', '?')}",
        f"aggregation: {protocol.get('aggregation', '?')}",
        "higher is better" if protocol.get("higher_is_better") else "lower is better",
    ]
    settings = protocol.get("settings") or {}
    body = [f"{k}: {show(v)}" for k, v in settings.items() if v is not None and v != ""]
    return "; ".join([x for x in head if x] + body) + f"; protocol #{protocol_hash}"


def registered_description(name: str, protocol_hash: str) -> str:
    """The preset's one-line description when this exact protocol is registered here."""
    try:
        from evals.registry import METRICS

        if name not in METRICS:
            return ""
        metric = METRICS.get(name)
        preset = getattr(metric, "preset", None)
        if preset is None or preset.protocol_hash() != protocol_hash:
            return ""
        return preset.description
    except Exception:  # a broken plug-in must not break a report
        return ""


def scorers_loaded(runs: Sequence[RunResults], columns: Sequence[Column]) -> list[str]:
    """Distinct scorer descriptions the runs recorded for these columns."""
    seen: dict[str, None] = {}
    for col in columns:
        for run in runs:
            m = lookup(run, col)
            if m is not None and m.scorer:
                blob = json.dumps(dict(m.scorer), sort_keys=True, ensure_ascii=False, default=str)
                seen[blob] = None
    return list(seen)


def footnotes(runs: Sequence[RunResults], columns: Sequence[Column]) -> dict[str, Footnote]:
    """Footnotes keyed by column key; columns under one protocol share one note."""
    groups: dict[tuple[str, str], list[Column]] = {}
    for col in columns:
        groups.setdefault((col.metric, col.protocol_hash), []).append(col)
    out: dict[str, Footnote] = {}
    for i, ((metric, protocol_hash), cols) in enumerate(groups.items()):
        text = describe_protocol(metric, cols[0].protocol, protocol_hash)
        loaded = scorers_loaded(runs, cols)
        if loaded:
            text += "; scorer loaded: " + " | ".join(loaded)
        desc = registered_description(metric, protocol_hash)
        p = cols[0].protocol
        what = desc or f"{p.get('metric', '?')}, {p.get('scale', '?')}, {p.get('aggregation', '?')}"
        short = f"{metric}: {what}; protocol #{protocol_hash[:8]}"
        note = Footnote(mark_for(i), metric, protocol_hash, text, short)
        for col in cols:
            out[col.key] = note
    return out
