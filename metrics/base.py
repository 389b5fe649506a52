"""Metric presets and the metric protocol.

A preset pins everything that changes a number (scorer checkpoint and revision, normalizer,
sample rate, scale, clamp, aggregation, failure policy); its hash goes into every result, and two
presets that differ in any of these have different names.

A metric scores records into per-sample statistics and reduces a list of statistics to the
headline value. Bootstrap intervals resample the statistics and reduce again, so corpus metrics
(corpus WER, CIDEr, FAD) resample the whole corpus.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evals.errors import UserError
from evals.records import PredictionRecord
from evals.types import Modality


def directions(*pairs: str) -> frozenset[tuple[Modality, Modality]]:
    """Task directions from `"speech>text"` strings, for `MetricPreset.directions`."""
    out = set()
    for pair in pairs:
        a, _, b = pair.partition(">")
        out.add((Modality(a), Modality(b)))
    return frozenset(out)


CAPTION_DIRECTIONS = directions("image>text", "music>text", "audio>text")
"""Tasks whose output is text scored against reference captions of a non-speech input."""
TTS_DIRECTIONS = directions("text>speech", "speech>speech")
"""Tasks whose output is speech (synthesis, or a speech round trip)."""
ROUNDTRIP_DIRECTIONS = directions("speech>speech", "music>music", "audio>audio", "image>image")
"""Tasks whose output is compared with the input it reproduces."""


class MetricUnavailable(UserError, RuntimeError):
    """The metric cannot be computed on this machine (scorer weights or a tool missing); says what to do."""


@dataclass(frozen=True)
class MetricPreset:
    """A named, pinned metric protocol."""

    name: str
    """Registry name, `<metric>@<protocol>`, e.g. `wer@whisper-norm`."""
    metric: str
    """Metric family (`wer`, `sim`, `dnsmos`, ...)."""
    description: str
    """One line for `anybench ls metrics` and report footnotes."""
    higher_is_better: bool
    """Direction, for best-per-column marks and regression gates."""
    scale: str
    """How the value is expressed: `percent`, `x100`, `fraction`, `cosine`, `mos`, ..."""
    aggregation: str
    """`corpus` (reduce pooled statistics) or `mean` (mean of per-sample values)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """Everything else that decides the number: scorer id and revision, normalizer, sample rate,
    clamp, failure policy. Hashed."""
    version: str = "1"
    """Bumped when the implementation changes numbers."""
    directions: frozenset[tuple[Modality, Modality]] = frozenset()
    """The task directions (input, output modality) whose records this preset can score (what
    its outputs and references must be); empty: any. Checked before generation and scoring."""

    def fit_reason(self, direction: tuple[Modality, Modality]) -> str | None:
        """Why this preset cannot score a task of `direction`, or None when it can."""
        if not self.directions or direction in self.directions:
            return None
        fits = ", ".join(sorted(f"{a.value} -> {b.value}" for a, b in self.directions))
        return f"{self.name} scores {fits} tasks, not {direction[0].value} -> {direction[1].value}"

    def protocol(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "metric": self.metric,
            "version": self.version,
            "scale": self.scale,
            "aggregation": self.aggregation,
            "higher_is_better": self.higher_is_better,
            "settings": dict(self.settings),
        }

    def protocol_hash(self) -> str:
        blob = json.dumps(self.protocol(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class SampleScore:
    """One sample's contribution to a metric."""

    stat: tuple[float, ...]
    """Sufficient statistics that the metric reduces (e.g. errors and reference words)."""
    value: float | None
    """This sample's own value (None where undefined, e.g. WER of an empty reference)."""
    policy: str | None = None
    """Set when the value comes from the failure policy (failed/empty output), not a measurement."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """What the value was computed from (normalized texts, transcript, sub-scores)."""


class Metric(ABC):
    """Scores prediction records under one preset."""

    max_resamples: int | None = None
    """At most this many bootstrap resamples (the first rows of the task's resample stream), for
    metrics too costly to refit 1000 times (FID); None: the bootstrap's own count."""

    stats_need_corpus: bool = False
    """True when per-sample statistics point at a corpus held in memory (CIDEr-D): reducing
    them in another process needs `score(records)` there first (`evals.scoring.rescore`)."""

    def __init__(self, preset: MetricPreset):
        self.preset = preset

    @property
    def name(self) -> str:
        return self.preset.name

    @abstractmethod
    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        """One SampleScore per record, in order; failed and empty outputs scored by policy."""

    def reduce(self, stats: np.ndarray) -> float:
        """Headline value from stacked statistics [n, k]; default: mean of the first column."""
        return float(np.mean(stats[:, 0])) if len(stats) else float("nan")

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Values for many resamples at once (indices [B, n]); override when vectorizable."""
        return np.array([self.reduce(stats[idx]) for idx in indices])

    def describe(self) -> dict[str, Any]:
        """Provenance of the scorer actually used (checkpoint file hash, device)."""
        return {}


class MeanMetric(Metric):
    """A metric whose value is the mean of per-sample values (stat = (value,))."""

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return stats[:, 0][indices].mean(axis=1)


def stack(scores: Sequence[SampleScore]) -> np.ndarray:
    """Statistics as a float array [n, k] (k = 1 when there are none)."""
    if not scores:
        return np.zeros((0, 1))
    return np.asarray([s.stat for s in scores], dtype=np.float64)
