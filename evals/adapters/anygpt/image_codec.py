"""AnyGPT's image path: SEED-2 (image <-> 32 ids) and the Stable unCLIP de-tokenizer.

    encode: RGB image -> SEED-2 -> 32 ids in [0, 8192)
    decode: 32 ids -> SEED-2 codebook + decoder -> 1024-d unCLIP image embedding ->
            StableUnCLIPImg2ImgPipeline (stable-diffusion-2-1-unclip) -> 768 x 768 image

The pipeline settings are the reference's: empty prompt, guidance 10, 20 steps, noise level 0.
Two differences, both for reproducibility and both options: the initial latents and the
embedding noise are drawn from a per-sample seed (the reference draws one latent tensor unseeded
when it starts and reuses it, and draws the embedding noise unseeded on every call);
`shared_latents` reuses one latent tensor for every image as the reference does, drawn from
seed 0 instead of unseeded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from evals.adapters.anygpt.seed2 import QUANTIZER_FILENAME, SeedTokenizer, load_seed_tokenizer
from evals.adapters.anygpt.seed2.config import EvaVitConfig, QFormerConfig, SeedTokenizerConfig

SEED_CONFIG_NAME = "config.json"
"""Optional beside seed_quantizer.pt (not in the release, which is SEED2_CONFIG): the sizes of
another SEED-2 checkpoint, e.g. the tiny test model."""
SHARED_LATENTS_SEED = 0
"""Seed of the one latent tensor `shared_latents` reuses for every image."""


@dataclass(frozen=True)
class UnclipSettings:
    """How the unCLIP pipeline is called (the reference's values by default)."""

    guidance_scale: float = 10.0
    num_inference_steps: int = 20
    noise_level: int = 0
    prompt: str = ""
    shared_latents: bool = False
    """Reuse one latent tensor for every image (the reference); else one per sample seed."""


def seed_config_from_file(path: Path) -> SeedTokenizerConfig:
    """A SeedTokenizerConfig from JSON (`vit` and `qformer` as nested objects)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(SeedTokenizerConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{path}: unknown SEED-2 config keys {unknown}")
    nested = {
        "vit": EvaVitConfig(**raw.get("vit", {})),
        "qformer": QFormerConfig(**raw.get("qformer", {})),
    }
    return SeedTokenizerConfig(**{**raw, **nested})


def load_seed(
    source: str | Path, device: str, dtype: torch.dtype, strict: bool = True
) -> SeedTokenizer:
    """The SEED-2 tokenizer from its release folder (seed_quantizer.pt + eva_vit_g.pth)."""
    folder = Path(source)
    folder = folder.parent if folder.name == QUANTIZER_FILENAME else folder
    if not folder.is_dir():
        raise FileNotFoundError(
            f"SEED-2 tokenizer folder not found: {folder} (expected seed_quantizer.pt from "
            "AILab-CVC/seed-tokenizer-2 and eva_vit_g.pth from BLIP-2)"
        )
    config_file = folder / SEED_CONFIG_NAME
    kwargs: dict[str, Any] = (
        {"config": seed_config_from_file(config_file)} if config_file.is_file() else {}
    )
    return load_seed_tokenizer(
        folder, device=device, dtype=dtype, allow_unexpected=not strict, **kwargs
    )


@dataclass
class ImageCodec:
    """SEED-2 both ways, and the unCLIP pipeline when one is loaded."""

    tokenizer: SeedTokenizer
    pipeline: Any | None
    settings: UnclipSettings

    @property
    def can_decode(self) -> bool:
        return self.pipeline is not None

    def encode(self, pixels: np.ndarray) -> list[int]:
        """The 32 ids of one RGB uint8 image."""
        return self.tokenizer.encode([pixels])[0].tolist()

    def embedding(self, ids: list[int]) -> torch.Tensor:
        return self.tokenizer.decode_embeds(torch.tensor([ids]))

    def latents(self, seed: int) -> torch.Tensor:
        pipe = self.pipeline
        channels = pipe.unet.config.in_channels
        side = pipe.unet.config.sample_size
        generator = torch.Generator("cpu").manual_seed(
            SHARED_LATENTS_SEED if self.settings.shared_latents else seed
        )
        noise = torch.randn((1, channels, side, side), generator=generator)
        return noise.to(pipe.device, pipe.unet.dtype)

    @torch.inference_mode()
    def decode(self, ids: list[int], seed: int) -> np.ndarray:
        """An RGB uint8 image from 32 ids (the pipeline's native size, 768 x 768 for SD 2.1)."""
        if self.pipeline is None:
            raise RuntimeError("no unCLIP pipeline loaded (option unclip=)")
        pipe, s = self.pipeline, self.settings
        embeds = self.embedding(ids).to(pipe.device, pipe.unet.dtype)
        out = pipe(
            prompt=s.prompt,
            image_embeds=embeds,
            guidance_scale=s.guidance_scale,
            num_inference_steps=s.num_inference_steps,
            noise_level=s.noise_level,
            latents=self.latents(seed),
            generator=torch.Generator("cpu").manual_seed(seed),
            output_type="np",
        )
        return (np.clip(out.images[0], 0.0, 1.0) * 255).round().astype(np.uint8)


def load_unclip(source: str, device: str, dtype: torch.dtype) -> Any:
    """StableUnCLIPImg2ImgPipeline from a diffusers folder or hub id (fp16 on GPU as the reference)."""
    from diffusers import StableUnCLIPImg2ImgPipeline

    try:
        pipe = StableUnCLIPImg2ImgPipeline.from_pretrained(source, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise FileNotFoundError(
            f"Stable unCLIP pipeline not found at {source!r}: expected a diffusers folder or hub id "
            "such as stabilityai/stable-diffusion-2-1-unclip"
        ) from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def load_image_codec(
    seed_source: str,
    unclip_source: str | None,
    device: str,
    dtype: torch.dtype,
    settings: UnclipSettings | None = None,
    strict: bool = True,
) -> ImageCodec:
    tokenizer = load_seed(seed_source, device, dtype, strict)
    pipeline = load_unclip(unclip_source, device, dtype) if unclip_source else None
    return ImageCodec(tokenizer, pipeline, settings or UnclipSettings())
