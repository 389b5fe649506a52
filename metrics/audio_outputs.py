"""Reading generated audio for scoring, with the failure policy applied in one place."""

from __future__ import annotations

import numpy as np

from evals.media import MediaError, load_audio
from evals.records import PredictionRecord
from evals.types import Audio, Status

FAILED_OUTPUT = "failed, empty or unreadable output audio"


def output_audio(record: PredictionRecord, rate: int) -> tuple[np.ndarray | None, str | None]:
    """(samples at `rate`, None) for usable output, else (None, reason for the policy)."""
    r = record.response
    if r.status in (Status.FAILED, Status.INPUT_ERROR, Status.EMPTY) or not isinstance(
        r.output, Audio
    ):
        return None, FAILED_OUTPUT
    try:
        samples, _ = load_audio(r.output, rate)
    except MediaError:
        return None, FAILED_OUTPUT
    return samples, None
