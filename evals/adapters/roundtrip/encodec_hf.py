"""Encodec 32 kHz through transformers, as AnyGPT tokenizes music: audio -> 4 x 2048 codes -> audio.

The same path as AnyGPT's music input and output: EncodecFeatureExtractor, then
EncodecModel.encode at the checkpoint's default bandwidth (2.2 kbps = 4 codebooks of 2048 at
50 Hz for facebook/encodec_32khz), then decode. Loads any checkpoint folder or hub id in the
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
        from transformers import AutoFeatureExtractor, EncodecModel

        o = self.options
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        self.features = AutoFeatureExtractor.from_pretrained(o.model, revision=o.revision)
        self.model = EncodecModel.from_pretrained(o.model, revision=o.revision, dtype=self.dtype)
        self.model.to(self.device).eval()
        config = self.model.config
        self.bandwidth = o.bandwidth if o.bandwidth is not None else config.target_bandwidths[0]
        if self.bandwidth not in config.target_bandwidths:
            raise ValueError(
                f"encodec-hf: bandwidth {self.bandwidth} not offered by {o.model} "
                f"(target_bandwidths: {config.target_bandwidths})"
            )
        self.codebooks = self.model.quantizer.get_num_quantizers_for_bandwidth(self.bandwidth)
        if config.audio_channels != 1:
            raise ValueError(
                f"encodec-hf: {o.model} is not a mono model (channels {config.audio_channels})"
            )

    @property
    def sample_rate(self) -> int:
        return int(self.model.config.sampling_rate)

    def reconstruct(self, clips: list[np.ndarray], requests: list[Request]) -> list[np.ndarray]:
        import torch

        inputs = self.features(raw_audio=clips, sampling_rate=self.sample_rate, return_tensors="pt")
        values = inputs["input_values"].to(self.device, self.dtype)
        mask = inputs["padding_mask"].to(self.device)
        with torch.inference_mode():
            encoded = self.model.encode(values, mask, bandwidth=self.bandwidth, return_dict=True)
            audio = self.model.decode(
                encoded.audio_codes, encoded.audio_scales, mask, return_dict=True
            ).audio_values
        return list(audio[:, 0].float().cpu().numpy())

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "transformers EncodecModel",
            "model": self.options.model,
            "revision": self.options.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "sample_rate": self.sample_rate,
            "bandwidth_kbps": self.bandwidth,
            "codebooks": self.codebooks,
            "codebook_size": int(self.model.config.codebook_size),
            "frame_rate": float(self.model.config.frame_rate),
        }

    def close(self) -> None:
        self.model = None
