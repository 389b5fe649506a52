"""Encodec 32 kHz as AnyGPT uses it for music: mono 32 kHz audio <-> 4 codebooks x 2048 at 50 Hz.

Loaded through transformers (`EncodecModel` + `EncodecFeatureExtractor`, the
`facebook/encodec_32khz` layout) from a local folder or a hub id. The reference encodes at the
model's default bandwidth (2.2 kbps: 4 codebooks) and takes `audio_codes[0][0]` ([4, frames]);
decoding feeds codes [1, 1, 4, frames] back with no scales.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SAMPLE_RATE = 32000
CODEBOOKS = 4


@dataclass
class MusicCodec:
    """Encode music to Encodec codes and decode codes to music with one model."""

    model: object
    """transformers EncodecModel, in eval mode."""
    feature_extractor: object
    """Its EncodecFeatureExtractor."""

    @property
    def sample_rate(self) -> int:
        return int(self.model.config.sampling_rate)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    @torch.no_grad()
    def encode(self, samples: np.ndarray) -> np.ndarray:
        """Codes [codebooks, frames] (int64) of one mono clip at `sample_rate`."""
        features = self.feature_extractor(
            raw_audio=np.asarray(samples, dtype=np.float32),
            sampling_rate=self.sample_rate,
            return_tensors="pt",
        )
        values = features["input_values"].to(self.device, self.dtype)
        mask = features.get("padding_mask")
        out = self.model.encode(values, mask.to(self.device) if mask is not None else None)
        codes = out.audio_codes[0, 0]
        if codes.shape[0] != CODEBOOKS:
            raise ValueError(
                f"expected {CODEBOOKS} codebooks at the default bandwidth, got {codes.shape[0]}"
            )
        return codes.cpu().numpy().astype(np.int64)

    @torch.no_grad()
    def decode(self, codes: np.ndarray | list) -> np.ndarray:
        """Mono float32 samples at `sample_rate` from codes [codebooks, frames]."""
        tensor = torch.as_tensor(np.asarray(codes, dtype=np.int64), device=self.device)
        if tensor.ndim != 2 or tensor.shape[0] != CODEBOOKS or tensor.shape[1] == 0:
            raise ValueError(
                f"music codes must be [{CODEBOOKS}, frames>0], got {tuple(tensor.shape)}"
            )
        audio = self.model.decode(tensor[None, None], [None])
        return audio.audio_values[0, 0].float().cpu().numpy()


def load_music_codec(
    source: str, device: str = "cpu", dtype: torch.dtype = torch.float32
) -> MusicCodec:
    """Encodec 32 kHz from a transformers folder or hub id (e.g. facebook/encodec_32khz)."""
    from transformers import EncodecFeatureExtractor, EncodecModel

    try:
        model = EncodecModel.from_pretrained(source, dtype=dtype)
        extractor = EncodecFeatureExtractor.from_pretrained(source)
    except OSError as exc:
        raise FileNotFoundError(
            f"Encodec 32 kHz not found at {source!r} (a transformers folder with config.json, weights "
            "and preprocessor_config.json, or a hub id such as facebook/encodec_32khz)"
        ) from exc
    if int(model.config.sampling_rate) != SAMPLE_RATE:
        raise ValueError(
            f"{source}: AnyGPT's music codec runs at {SAMPLE_RATE} Hz, this one at {model.config.sampling_rate}"
        )
    return MusicCodec(model.to(device).eval(), extractor)
