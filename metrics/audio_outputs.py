"""Reading generated audio for scoring, with the failure policy applied in one place."""

from __future__ import annotations

import numpy as np

from evals.media import MediaError, load_audio
from evals.records import PredictionRecord
from evals.types import Audio, Part, Status

FAILED_OUTPUT = "failed, empty or unreadable output audio"
_NO_OUTPUT = (Status.FAILED, Status.INPUT_ERROR, Status.EMPTY)


def usable_output(record: PredictionRecord, kind: type[Part]) -> Part | None:
    """The response's output part if it is a `kind` and the call did not fail or come back
    empty, else None (the metrics' failure policies apply)."""
    r = record.response
    return r.output if r.status not in _NO_OUTPUT and isinstance(r.output, kind) else None


def output_audio(record: PredictionRecord, rate: int) -> tuple[np.ndarray | None, str | None]:
    """(samples at `rate`, None) for usable output, else (None, reason for the policy)."""
    audio = usable_output(record, Audio)
    if audio is None:
        return None, FAILED_OUTPUT
    try:
        samples, _ = load_audio(audio, rate)
    except MediaError:
        return None, FAILED_OUTPUT
    return samples, None
