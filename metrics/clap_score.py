"""CLAP scores: cosine similarity of CLAP embeddings, audio-text and audio-audio.

- `clap@<ckpt>`: the sample's music against its text, whichever of them the model generated:
  generated music vs the input caption (text-to-music), or the input clip vs the generated caption
  (music captioning). AnyGPT (Table 6) and MusicGen report this average cosine.
- `clap-ref@<ckpt>`: the real clip vs the real caption, the reference-side number AnyGPT prints
  beside the generated captions' (it does not depend on the model).
- `clap-audio@<ckpt>`: generated audio vs the real clip (audio-audio), for tokenizer round trips.

Checkpoints (HF conversions of LAION-CLAP; the preset names the LAION checkpoint):
- `630k-audioset` = `laion/clap-htsat-unfused`, HTSAT-tiny, which the CLAP authors identify as
  their 630k-audioset-best.pt (LAION-AI/CLAP#123), LAION-CLAP's default unfused checkpoint.
- `music-audioset` = `laion/larger_clap_music`, HTSAT-base, the conversion (transformers #27153)
  of the music checkpoint; audiocraft's MusicGen evaluation uses the original
  music_audioset_epoch_15_esc_90.14.pt. LAION has not confirmed the HF file is that checkpoint
  (LAION-AI/CLAP#172), so results record the weights' sha256.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from evals.records import PredictionRecord
from evals.types import Modality
from metrics.base import MetricPreset, SampleScore, directions
from metrics.clap_model import TEXT_MAX_TOKENS, ClapScorer, clap_scorer
from metrics.record_media import (
    FAILED_OUTPUT,
    INPUT_EXCLUDED,
    ExcludingMean,
    audio_pair,
    excluded,
    generated_audio,
    generated_text,
    input_audio,
    input_failed,
    reference_audio,
    text_of,
)

CHUNK = 32
"""Records whose audio is held in memory at once."""
AUDIO_OUTPUTS = {Modality.MUSIC, Modality.AUDIO, Modality.SPEECH}


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) if len(a) else np.zeros(0)


# A pairing reads (audio, text-or-audio, reason) from one record: audio None with a reason that is
# INPUT_EXCLUDED-like excludes the sample; None with FAILED_OUTPUT scores the failure value.
Pair = tuple[np.ndarray | None, Any, str | None]


def pair_output(rec: PredictionRecord, rate: int) -> Pair:
    """(music, text) with the generated side taken from the response."""
    if input_failed(rec):
        return None, None, INPUT_EXCLUDED
    if rec.output in AUDIO_OUTPUTS:
        caption = text_of(rec.sample.inputs)
        if caption is None:
            return None, None, "no input caption to compare with"
        audio = generated_audio(rec, rate)
        return audio, caption, None if audio is not None else FAILED_OUTPUT
    audio, why = input_audio(rec, rate)
    if audio is None:
        return None, None, why
    caption = generated_text(rec)
    return audio, caption, None if caption is not None else FAILED_OUTPUT


def pair_reference(rec: PredictionRecord, rate: int) -> Pair:
    """(real clip, real caption) of the sample."""
    if input_failed(rec):
        return None, None, INPUT_EXCLUDED
    audio, why = reference_audio(rec, rate)
    caption = text_of(rec.sample.references)
    if audio is None or caption is None:
        return None, None, why or "no reference caption"
    return audio, caption, None


PAIRINGS: dict[str, Callable[[PredictionRecord, int], Pair]] = {
    "output": pair_output,
    "reference": pair_reference,
    "audio": audio_pair,
}


class ClapScore(ExcludingMean):
    """Mean cosine of CLAP embeddings over the pairs the preset's pairing reads."""

    def scorer(self) -> ClapScorer:
        s = self.preset.settings
        return clap_scorer(s["scorer_id"], s["scorer_revision"])

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        scorer = self.scorer()
        pairing = PAIRINGS[self.preset.settings["pairing"]]
        failure = float(self.preset.settings["failure_value"])
        out: list[SampleScore] = []
        for start in range(0, len(records), CHUNK):
            pairs = [pairing(rec, scorer.sample_rate) for rec in records[start : start + CHUNK]]
            ok = [i for i, (a, b, _) in enumerate(pairs) if a is not None and b is not None]
            values = dict(zip(ok, self.similarities(scorer, [pairs[i] for i in ok])))
            for i, (_, _, why) in enumerate(pairs):
                if i in values:
                    out.append(SampleScore((values[i],), values[i]))
                elif why == FAILED_OUTPUT:
                    out.append(SampleScore((failure,), failure, policy=why))
                else:
                    out.append(excluded(why or INPUT_EXCLUDED))
        return out

    def similarities(self, scorer: ClapScorer, pairs: list[Pair]) -> list[float]:
        if not pairs:
            return []
        audio = scorer.embed_audio([a for a, _, _ in pairs])
        other = [b for _, b, _ in pairs]
        if self.preset.settings["pairing"] == "audio":
            target = scorer.embed_audio(other)
        else:
            target = scorer.embed_text(other)
        return [float(v) for v in _cosines(audio, target)]

    def describe(self) -> dict[str, Any]:
        return self.scorer().describe()


CHECKPOINTS = {
    "630k-audioset": {
        "scorer_id": "laion/clap-htsat-unfused",
        "scorer_revision": "main",
        "checkpoint": "LAION-CLAP 630k-audioset-best.pt (HTSAT-tiny, unfused), HF conversion",
    },
    "music-audioset": {
        "scorer_id": "laion/larger_clap_music",
        "scorer_revision": "main",
        "checkpoint": "LAION-CLAP music_audioset_epoch_15_esc_90.14.pt (HTSAT-base, unfused; "
        "audiocraft's MusicGen text-consistency checkpoint), HF conversion",
    },
}
PROTOCOL = {
    "sample_rate": 48000,
    "resampler": "soxr HQ",
    "window": "first 10 s (longer clips cut; shorter repeat-padded by `repeatpad`)",
    "audio_quantization": "none (audiocraft's use_tensor path)",
    "text_max_tokens": TEXT_MAX_TOKENS,
    "embedding": "projection output, L2-normalized",
    "similarity": "cosine, no clamp, not scaled",
    "input_errors": INPUT_EXCLUDED,
}
KINDS = {
    "clap": (
        "output",
        "CLAP cosine of the music and the text, the generated one from the output",
    ),
    "clap-ref": ("reference", "CLAP cosine of the real clip and the real caption (reference side)"),
    "clap-audio": ("audio", "CLAP audio-audio cosine of the generated audio and the real clip"),
}


FITS = {
    "clap": ("music>text", "audio>text", "text>music", "text>audio"),
    "clap-ref": ("music>text", "audio>text", "text>music", "text>audio"),
    "clap-audio": ("music>music", "audio>audio"),
}
"""The task directions each kind can score."""


def clap_preset(kind: str, checkpoint: str) -> MetricPreset:
    pairing, description = KINDS[kind]
    return MetricPreset(
        directions=directions(*FITS[kind]),
        name=f"{kind}@{checkpoint}",
        metric=kind,
        description=f"{description} ({CHECKPOINTS[checkpoint]['scorer_id']})",
        higher_is_better=True,
        scale="cosine",
        aggregation="mean",
        settings={
            **CHECKPOINTS[checkpoint],
            **PROTOCOL,
            "pairing": pairing,
            "failure_value": 0.0,
            "failure_policy": f"{FAILED_OUTPUT} (0.0: no similarity)",
        },
    )


CLAP_PRESETS = tuple(
    clap_preset(kind, ckpt)
    for kind, ckpt in (
        ("clap", "630k-audioset"),
        ("clap", "music-audioset"),
        ("clap-ref", "630k-audioset"),
        ("clap-ref", "music-audioset"),
        ("clap-audio", "music-audioset"),
    )
)
