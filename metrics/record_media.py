"""What the music and fidelity metrics read from a record, and their shared failure policies.

Policies (pinned in every preset that uses them):
- a sample whose input could not be used (status `input_error`: missing or corrupt clip, silent
  input) has no signal to compare with; it is excluded from the value (NaN statistic), counted in
  `n_policy` and in the integrity counts;
- a failed or empty output is scored by the preset's failure value (never dropped);
- a reference that cannot be read although the input could is treated like an input error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.media import MediaError, load_audio
from evals.records import PredictionRecord
from evals.types import Audio, Part, Status, Text
from metrics.audio_outputs import output_audio, usable_output
from metrics.base import MeanMetric, SampleScore

INPUT_EXCLUDED = "input error: excluded from the value (no usable input to compare with)"
FAILED_OUTPUT = "failed or empty output: scored by the failure value"


def first(parts: Sequence[Part], kind: type) -> Part | None:
    return next((p for p in parts if isinstance(p, kind)), None)


def load_part(part: Part | None, rate: int, what: str) -> tuple[np.ndarray | None, str | None]:
    """(samples at `rate`, None), or (None, why) for a missing or unreadable audio part."""
    if not isinstance(part, Audio):
        return None, f"no {what} audio"
    try:
        return load_audio(part, rate)[0], None
    except MediaError as exc:
        return None, f"{what} audio unreadable: {exc}"


def input_audio(rec: PredictionRecord, rate: int) -> tuple[np.ndarray | None, str | None]:
    """The sample's first audio input (the clip a caption or round trip was made from)."""
    return load_part(first(rec.sample.inputs, Audio), rate, "input")


def reference_audio(rec: PredictionRecord, rate: int) -> tuple[np.ndarray | None, str | None]:
    """The sample's first audio reference (the real clip)."""
    return load_part(first(rec.sample.references, Audio), rate, "reference")


def generated_audio(rec: PredictionRecord, rate: int) -> np.ndarray | None:
    """The output audio, or None when it failed, is empty or cannot be read."""
    return output_audio(rec, rate)[0]


def audio_pair(
    rec: PredictionRecord, rate: int
) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    """(generated or None, real clip or None, policy): no real clip excludes the sample (the
    policy says why); a failed output leaves the real clip with FAILED_OUTPUT."""
    if input_failed(rec):
        return None, None, INPUT_EXCLUDED
    real, why = reference_audio(rec, rate)
    if real is None:
        return None, None, why
    gen = generated_audio(rec, rate)
    return gen, real, None if gen is not None else FAILED_OUTPUT


def text_of(parts: Sequence[Part]) -> str | None:
    part = first(parts, Text)
    return part.text if isinstance(part, Text) else None


def generated_text(rec: PredictionRecord) -> str | None:
    """The output text, or None when it failed or is blank."""
    text = usable_output(rec, Text)
    return text.text if text is not None and text.text.strip() else None


def input_failed(rec: PredictionRecord) -> bool:
    return rec.response.status is Status.INPUT_ERROR


def excluded(reason: str = INPUT_EXCLUDED) -> SampleScore:
    """The score of a sample that has nothing to be measured against."""
    return SampleScore((float("nan"),), None, policy=reason)


class ExcludingMean(MeanMetric):
    """Mean of per-sample values over the samples that have one (NaN statistics are excluded)."""

    def reduce(self, stats: np.ndarray) -> float:
        values = stats[:, 0]
        values = values[np.isfinite(values)]
        return float(values.mean()) if values.size else float("nan")

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        values = stats[:, 0][indices]
        finite = np.isfinite(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(finite, values, 0.0).sum(axis=1) / finite.sum(axis=1)

    def summarize(self, scores: Sequence[SampleScore]) -> dict[str, int]:
        return {
            "n_excluded": sum(s.value is None for s in scores),
            "n_failure_value": sum(s.value is not None and s.policy is not None for s in scores),
        }
