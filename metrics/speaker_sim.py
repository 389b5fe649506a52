"""Speaker similarity: cosine between speaker embeddings of the generated speech and the voice prompt.

`sim@resemblyzer` uses resemblyzer's GE2E d-vector (256-d, weights ship in the wheel) on its own
preprocessing (16 kHz, volume normalization to -30 dBFS, webrtcvad silence trimming). A failed or
empty output scores 0 (no similarity). Samples without a voice prompt cannot be scored and count
as failures too.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.media import MediaError, load_audio
from evals.records import PredictionRecord
from metrics.audio_level import CLIPPED_PEAK, n_clipped
from metrics.audio_outputs import output_audio
from metrics.base import MeanMetric, MetricPreset, SampleScore, directions

RATE = 16000


@functools.cache
def _encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def resemblyzer_embedding(samples: np.ndarray, rate: int = RATE) -> np.ndarray | None:
    """L2-normalized d-vector, or None if nothing is left after silence trimming."""
    from resemblyzer import preprocess_wav

    wav = preprocess_wav(samples.astype(np.float32), source_sr=rate)
    if wav.size < RATE // 10:  # under 0.1 s of speech after VAD trimming
        return None
    return _encoder().embed_utterance(wav)


class ResemblyzerSIM(MeanMetric):
    """cos(d-vector(generated), d-vector(prompt)) per sample, averaged."""

    no_embedding = "no speech left after VAD trimming"
    """The policy text when `embed` finds nothing to embed."""

    def embed(self, samples: np.ndarray) -> np.ndarray | None:
        """The speaker embedding of 16 kHz samples, or None when there is nothing to embed."""
        return resemblyzer_embedding(np.clip(samples, -1.0, 1.0))

    def load(self) -> None:
        """Load the scorer before the first sample (raises MetricUnavailable when it cannot)."""

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        failure = float(self.preset.settings["failure_value"])
        if records:
            self.load()
        cache: dict[tuple, np.ndarray | None] = {}
        out = []
        for rec in records:
            samples, reason = output_audio(rec, RATE)
            target = self.reference_embedding(rec, cache)
            emb = self.embed(samples) if samples is not None else None
            if emb is None or target is None:
                why = reason or ("no voice prompt" if target is None else self.no_embedding)
                out.append(SampleScore((failure,), failure, policy=why))
                continue
            value = float(np.dot(emb, target) / (np.linalg.norm(emb) * np.linalg.norm(target)))
            clipped = float(np.abs(samples).max()) > CLIPPED_PEAK
            out.append(SampleScore((value,), value, details={"clipped": True} if clipped else {}))
        return out

    def summarize(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        return n_clipped(scores)

    def reference_embedding(self, rec: PredictionRecord, cache: dict) -> np.ndarray | None:
        prompt = rec.voice_prompt
        if prompt is None:
            return None
        key = (prompt.path, prompt.offset, prompt.duration)
        if key not in cache:
            try:
                cache[key] = self.embed(load_audio(prompt, RATE)[0])
            except MediaError:
                cache[key] = None
        return cache[key]

    def describe(self) -> dict[str, Any]:
        from importlib import metadata

        return {
            "scorer": "resemblyzer",
            "version": metadata.version("resemblyzer"),
            "device": "cpu",
        }


SIM_PRESETS = (
    MetricPreset(
        name="sim@resemblyzer",
        metric="sim",
        description="speaker similarity: cosine of resemblyzer GE2E d-vectors, generated speech vs voice prompt",
        higher_is_better=True,
        scale="cosine",
        aggregation="mean",
        directions=directions("text>speech"),
        settings={
            "embedding": "resemblyzer 0.1.4 VoiceEncoder (GE2E, 256-d, pretrained.pt shipped in the wheel)",
            "preprocess": "resemblyzer.preprocess_wav: 16 kHz, -30 dBFS, webrtcvad trim",
            "reference": "the voice prompt segment given to the model",
            "failure_value": 0.0,
        },
    ),
)
