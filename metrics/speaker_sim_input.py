"""Speaker similarity of the output to the input speech (tokenizer round trips).

`sim@resemblyzer-input` is `sim@resemblyzer` with another reference: the real utterance the model
was given (the sample's audio reference) instead of a voice prompt. It measures how much of the
speaker's voice survives tokenization and de-tokenization. Samples whose input could not be used
are excluded (counted in n_policy), as in the other fidelity metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.records import PredictionRecord
from metrics.base import MetricPreset, SampleScore, directions
from metrics.record_media import (
    FAILED_OUTPUT,
    INPUT_EXCLUDED,
    ExcludingMean,
    audio_pair,
    excluded,
)
from metrics.speaker_sim import RATE, SIM_PRESETS, ResemblyzerSIM, resemblyzer_embedding


class ResemblyzerInputSIM(ExcludingMean):
    """cos(d-vector(output), d-vector(input utterance)) per sample, averaged."""

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        failure = float(self.preset.settings["failure_value"])
        out = []
        for rec in records:
            gen, real, why = audio_pair(rec, RATE)
            target = resemblyzer_embedding(real) if real is not None else None
            if target is None:
                out.append(excluded(why if real is None else "no speech in the input"))
                continue
            emb = resemblyzer_embedding(gen) if gen is not None else None
            if emb is None:
                why = FAILED_OUTPUT if gen is None else "no speech left after VAD trimming"
                out.append(SampleScore((failure,), failure, policy=why))
                continue
            value = float(np.dot(emb, target) / (np.linalg.norm(emb) * np.linalg.norm(target)))
            out.append(SampleScore((value,), value))
        return out

    describe = ResemblyzerSIM.describe


_BASE = SIM_PRESETS[0]
SIM_INPUT_PRESETS = (
    MetricPreset(
        name="sim@resemblyzer-input",
        metric="sim",
        description="speaker similarity: cosine of resemblyzer d-vectors, output vs the input speech",
        higher_is_better=True,
        scale="cosine",
        aggregation="mean",
        directions=directions("speech>speech"),
        settings={
            **_BASE.settings,
            "reference": "the input utterance (the sample's audio reference), not a voice prompt",
            "failure_policy": f"{FAILED_OUTPUT} (0.0); no speech left after VAD: 0.0",
            "input_errors": INPUT_EXCLUDED,
        },
    ),
)
