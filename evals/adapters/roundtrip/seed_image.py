"""SEED-2 + Stable unCLIP as an image round trip: image -> 32 ids -> 1024-d embedding -> image.

How much an image loses through AnyGPT's image tokenizer and de-tokenizer, with the pipeline
settings AnyGPT uses (evals.adapters.anygpt.image_codec). Scored by `clip_i` (CLIP cosine of
the reconstruction and the input image).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.adapters.base import ModelAdapter, Stopwatch, resolve_device
from evals.adapters.torch_utils import torch_dtype
from evals.media import load_image
from evals.registry import MODELS
from evals.spec import SpecError
from evals.types import Image, Modality, Request, Response


@dataclass(frozen=True)
class SeedUnclipOptions:
    seed: str = ""
    """SEED-2 tokenizer folder (seed_quantizer.pt + eva_vit_g.pth)."""
    unclip: str = "stabilityai/stable-diffusion-2-1-unclip"
    """Stable unCLIP img2img pipeline: diffusers folder or hub id."""
    device: str = "auto"
    """`auto`, `cpu`, `cuda`, `cuda:1`."""
    dtype: str = "auto"
    """`auto` is fp16 on CUDA (as AnyGPT runs both) and fp32 on CPU."""
    shared_latents: bool = False
    """Reuse one latent tensor for every image (the reference); default: per-sample seeds."""
    strict: bool = True
    """Refuse SEED-2 checkpoint keys the tokenizer does not use (see the anygpt adapter's
    `seed_strict`); missing keys and wrong shapes are always errors."""


@MODELS.register("seed-unclip")
class SeedUnclipRoundTrip(ModelAdapter):
    """SEED-2 encode + unCLIP decode; image in, reconstructed image out."""

    capabilities = frozenset({(Modality.IMAGE, Modality.IMAGE)})
    Options = SeedUnclipOptions

    def __init__(self, options: SeedUnclipOptions | None = None):
        super().__init__(options)
        from evals.adapters.anygpt.image_codec import UnclipSettings, load_image_codec

        o = self.options
        if not o.seed:
            raise SpecError("model seed-unclip needs seed=<SEED-2 tokenizer folder>")
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        settings = UnclipSettings(shared_latents=o.shared_latents)
        self.codec = load_image_codec(
            o.seed, o.unclip, self.device, self.dtype, settings, strict=o.strict
        )

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out = []
        for r in requests:
            clock = Stopwatch()
            pixels = load_image(next(p for p in r.inputs if isinstance(p, Image)))
            ids = self.codec.encode(pixels)
            image = self.codec.decode(ids, seed=r.decoding.seed)
            out.append(
                Response(
                    r.sample_id,
                    Image(array=image),
                    token_ids=tuple(ids),
                    timings={"generate": clock.per_sample(1)},
                )
            )
        return out

    def describe(self) -> dict[str, Any]:
        o = self.options
        return {
            "engine": "SEED-2 + Stable unCLIP",
            "seed": o.seed,
            "unclip": o.unclip,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "shared_latents": o.shared_latents,
        }
