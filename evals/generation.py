"""What `--gen-kwargs key=value,...` may set, per adapter, and how the values are typed.

An adapter declares `generation_options`: a dataclass whose fields are the decoding parameters
it accepts as `Decoding.overrides` (on top of its preset); the field types convert the values.
An adapter without one accepts none, and `--gen-kwargs` for it is refused before loading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evals.spec import SpecError, split_pairs, typed_values


@dataclass(frozen=True)
class HFGenerate:
    """`transformers` `generate()` parameters (captioners, MusicGen, Whisper through HF)."""

    do_sample: bool = False
    """Sample (true) or search (false)."""
    num_beams: int = 1
    """Beam width."""
    temperature: float = 1.0
    """Sampling temperature."""
    top_p: float | None = None
    """Nucleus sampling mass."""
    top_k: int | None = None
    """Sample from the k most likely tokens."""
    max_new_tokens: int | None = None
    """Most tokens generated."""
    min_new_tokens: int | None = None
    """Fewest tokens generated."""
    repetition_penalty: float = 1.0
    """Penalty on repeated tokens (1: none)."""
    length_penalty: float = 1.0
    """Beam score length exponent."""
    no_repeat_ngram_size: int = 0
    """Forbid repeating n-grams of this size (0: off)."""


@dataclass(frozen=True)
class WhisperTranscribe:
    """faster-whisper `transcribe()` decoding parameters."""

    beam_size: int = 5
    """Beam width (1: greedy)."""
    best_of: int = 5
    """Candidates when sampling with temperature > 0."""
    patience: float = 1.0
    """Beam search patience factor."""
    length_penalty: float = 1.0
    """Beam score length exponent."""
    temperature: float = 0.0
    """Sampling temperature (0: deterministic)."""
    compression_ratio_threshold: float | None = 2.4
    """Fall back (re-decode hotter) above this gzip compression ratio."""
    log_prob_threshold: float | None = -1.0
    """Fall back below this average log probability."""
    no_speech_threshold: float | None = 0.6
    """Treat a segment as silence above this no-speech probability."""


@dataclass(frozen=True)
class DiffusionSampling:
    """diffusers text-to-image pipeline parameters (`steps` and `guidance` are short names)."""

    steps: int = 50
    """Denoising steps (`num_inference_steps`)."""
    guidance: float = 7.5
    """Classifier-free guidance scale (`guidance_scale`)."""
    height: int | None = None
    """Image height in pixels."""
    width: int | None = None
    """Image width in pixels."""


def parse_gen_kwargs(text: str) -> dict[str, str]:
    """`--gen-kwargs` text as raw strings (the model spec's syntax: quoting, JSON form)."""
    return split_pairs(text, "--gen-kwargs")


def check_gen_kwargs(adapter_cls: type, model: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Typed overrides the adapter accepts; unknown keys and bad values raise SpecError."""
    if not raw:
        return {}
    accepted = getattr(adapter_cls, "generation_options", None)
    if accepted is None:
        raise SpecError(
            f"model {model} accepts no --gen-kwargs (it declares no generation_options)"
        )
    return typed_values(accepted, raw, f"model {model}", what="generation parameter")
