"""DNSMOS P.835 (Microsoft's non-intrusive speech quality estimator, ONNX from `speechmos`).

The headline is OVRL (overall quality, MOS 1-5); SIG, BAK and P.808 MOS are kept per sample.
Input is 16 kHz; clips under 9.01 s are tiled by the model's own front end. A failed or empty
output scores 1.0, the bottom of the MOS scale; silent and clipped audio follow
metrics/audio_level.py (silence: 1.0 with a policy; beyond full scale: clipped, counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.records import PredictionRecord
from metrics.audio_level import SILENT, level, n_clipped
from metrics.audio_outputs import output_audio
from metrics.base import TTS_DIRECTIONS, MeanMetric, MetricPreset, SampleScore

RATE = 16000


def dnsmos_scores(samples: np.ndarray) -> dict[str, float]:
    from speechmos import dnsmos

    clipped = np.clip(samples.astype(np.float32), -1.0, 1.0)
    out = dnsmos.run(clipped, RATE)
    return {k: float(out[k]) for k in ("ovrl_mos", "sig_mos", "bak_mos", "p808_mos")}


class DNSMOS(MeanMetric):
    """Mean DNSMOS OVRL over samples."""

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        failure = float(self.preset.settings["failure_value"])
        out = []
        for rec in records:
            samples, reason = output_audio(rec, RATE)
            lv = level(samples) if samples is not None else None
            if lv is None or lv.samples is None:
                out.append(SampleScore((failure,), failure, policy=reason or SILENT))
                continue
            scores = dnsmos_scores(lv.samples)
            details = {**scores, "clipped": True} if lv.clipped else scores
            out.append(SampleScore((scores["ovrl_mos"],), scores["ovrl_mos"], details=details))
        return out

    def summarize(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        keys = ("sig_mos", "bak_mos", "p808_mos")
        measured = [s.details for s in scores if s.details]
        means = {k: float(np.mean([d[k] for d in measured])) for k in keys} if measured else {}
        return {**means, **n_clipped(scores)}

    def describe(self) -> dict[str, Any]:
        from importlib import metadata

        return {"scorer": "speechmos DNSMOS", "version": metadata.version("speechmos")}


DNSMOS_PRESETS = (
    MetricPreset(
        name="dnsmos@p835",
        metric="dnsmos",
        description="DNSMOS P.835 OVRL (MOS 1-5) of the generated speech, speechmos ONNX models",
        higher_is_better=True,
        scale="mos",
        aggregation="mean",
        directions=TTS_DIRECTIONS,
        settings={
            "model": "DNSMOS P.835 sig_bak_ovr.onnx + P.808 model_v8.onnx (speechmos 0.0.1.1)",
            "sample_rate": RATE,
            "clip": "[-1, 1]",
            "level_policy": f"{SILENT}; samples clipped to [-1, 1], a peak above 1.1 counted (n_clipped)",
            "personalized": False,
            "failure_value": 1.0,
        },
    ),
)
