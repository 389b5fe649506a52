"""Encodec through transformers: mono audio <-> codes [codebooks, frames], one clip at a time.

Loaded as `EncodecModel` + `EncodecFeatureExtractor` from a local folder or a hub id. AnyGPT's
music tokenizer is `facebook/encodec_32khz` at its default bandwidth (2.2 kbps: 4 codebooks of
2048 at 50 Hz): the reference takes `audio_codes[0][0]` ([4, frames]) and decodes codes
[1, 1, 4, frames] with no scales. The `encodec-hf` round trip uses the same class at any
bandwidth the checkpoint offers.
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
    bandwidth: float
    """Target kbps, one of the checkpoint's `target_bandwidths` (it sets the codebook count)."""

    @property
    def codebooks(self) -> int:
        return int(self.model.quantizer.get_num_quantizers_for_bandwidth(self.bandwidth))

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
        mask = mask.to(self.device) if mask is not None else None
        out = self.model.encode(values, mask, bandwidth=self.bandwidth)
        return out.audio_codes[0, 0].cpu().numpy().astype(np.int64)

    @torch.no_grad()
    def decode(self, codes: np.ndarray | list) -> np.ndarray:
        """Mono float32 samples at `sample_rate` from codes [codebooks, frames]."""
        tensor = torch.as_tensor(np.asarray(codes, dtype=np.int64), device=self.device)
        if tensor.ndim != 2 or tensor.shape[0] != self.codebooks or tensor.shape[1] == 0:
            raise ValueError(
                f"music codes must be [{self.codebooks}, frames>0], got {tuple(tensor.shape)}"
            )
        audio = self.model.decode(tensor[None, None], [None])
        return audio.audio_values[0, 0].float().cpu().numpy()


def load_encodec(
    source: str,
    device: str = "cpu",
    dtype: torch.dtype = torch.float32,
    bandwidth: float | None = None,
    revision: str | None = None,
) -> MusicCodec:
    """Any transformers Encodec folder or hub id, at `bandwidth` (default: its first)."""
    from transformers import EncodecFeatureExtractor, EncodecModel

    try:
        model = EncodecModel.from_pretrained(source, revision=revision, dtype=dtype)
        extractor = EncodecFeatureExtractor.from_pretrained(source, revision=revision)
    except OSError as exc:
        raise FileNotFoundError(
            f"Encodec not found at {source!r} (a transformers folder with config.json, weights "
            "and preprocessor_config.json, or a hub id such as facebook/encodec_32khz)"
        ) from exc
    offered = list(model.config.target_bandwidths)
    chosen = offered[0] if bandwidth is None else bandwidth
    if chosen not in offered:
        raise ValueError(
            f"{source}: bandwidth {chosen} not offered (target_bandwidths: {offered} kbps)"
        )
    if model.config.audio_channels != 1:
        raise ValueError(f"{source}: not a mono model ({model.config.audio_channels} channels)")
    return MusicCodec(model.to(device).eval(), extractor, chosen)


def load_music_codec(
    source: str, device: str = "cpu", dtype: torch.dtype = torch.float32
) -> MusicCodec:
    """AnyGPT's music codec: Encodec at 32 kHz with 4 codebooks at its default bandwidth."""
    codec = load_encodec(source, device, dtype)
    if codec.sample_rate != SAMPLE_RATE or codec.codebooks != CODEBOOKS:
        raise ValueError(
            f"{source}: AnyGPT's music codec is {SAMPLE_RATE} Hz with {CODEBOOKS} codebooks, this one "
            f"{codec.sample_rate} Hz with {codec.codebooks}"
        )
    return codec
