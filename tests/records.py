"""Prediction records built directly, for metric tests (no runner, no store)."""

from __future__ import annotations

import numpy as np

from evals.records import PredictionRecord
from evals.types import Audio, Decoding, Modality, Part, Response, Sample


def music(samples: np.ndarray, rate: int, kind: Modality = Modality.MUSIC) -> Audio:
    return Audio(samples=np.asarray(samples, np.float32), sample_rate=rate, kind=kind)


def record(
    sample_id: str,
    inputs: tuple[Part, ...],
    references: tuple[Part, ...],
    output: Modality,
    out: Part | None = None,
    error: str | None = None,
    stage: str = "generate",
) -> PredictionRecord:
    """A record whose response is `out`, or a failure with `error` at `stage`."""
    response = (
        Response(sample_id, error=error, error_stage=stage) if error else Response(sample_id, out)
    )
    return PredictionRecord(
        task="test",
        sample=Sample(sample_id, inputs, references),
        output=output,
        decoding=Decoding(),
        response=response,
    )
