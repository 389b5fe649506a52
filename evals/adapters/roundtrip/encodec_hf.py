"""Encodec through transformers, as AnyGPT tokenizes music: audio -> codes -> audio.

The same path as AnyGPT's music input and output: EncodecFeatureExtractor, then
EncodecModel.encode at the chosen bandwidth (default: the checkpoint's first, 2.2 kbps = 4
codebooks of 2048 at 50 Hz for facebook/encodec_32khz), then decode. Loads any checkpoint folder or hub id in the
transformers layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from evals.adapters.roundtrip.base import RoundTripAdapter
from evals.adapters.torch_utils import torch_dtype
from evals.registry import MODELS
from evals.types import Modality, Request


@dataclass(frozen=True)
class EncodecHFOptions:
    model: str = "facebook/encodec_32khz"
    """Checkpoint folder (config.json, weights, preprocessor_config.json) or hub id."""
    revision: str | None = None
    """Hub revision (commit) to pin; ignored for folders."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto`."""
    dtype: str = "float32"
    """float32 (as AnyGPT runs it), float16, bfloat16, or `auto` (fp16 on CUDA)."""
    bandwidth: float | None = None
    """Target kbps, one of the checkpoint's `target_bandwidths`; None: its first (2.2)."""


@MODELS.register("encodec-hf")
class EncodecHFRoundTrip(RoundTripAdapter):
    """Encodec (transformers EncodecModel) encode + decode; music or audio in, the same out."""

    capabilities = frozenset({(Modality.MUSIC, Modality.MUSIC), (Modality.AUDIO, Modality.AUDIO)})
    Options = EncodecHFOptions

    def __init__(self, options: EncodecHFOptions | None = None):
        super().__init__(options)
        from evals.adapters.anygpt.music_codec import load_encodec

        o = self.options
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        self.codec = load_encodec(o.model, self.device, self.dtype, o.bandwidth, o.revision)

    @property
    def sample_rate(self) -> int:
        return self.codec.sample_rate

    def reconstruct(self, clips: list[np.ndarray], requests: list[Request]) -> list[np.ndarray]:
        return [self.codec.decode(self.codec.encode(c)) for c in clips]

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "transformers EncodecModel",
            "model": self.options.model,
            "revision": self.options.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "sample_rate": self.sample_rate,
            "bandwidth_kbps": self.codec.bandwidth,
            "codebooks": self.codec.codebooks,
            "codebook_size": int(self.codec.model.config.codebook_size),
            "frame_rate": float(self.codec.model.config.frame_rate),
        }

    def close(self) -> None:
        self.codec = None
