"""Text-to-image with diffusers pipelines (Stable Diffusion family), batched and seeded per sample.

Any pipeline `DiffusionPipeline.from_pretrained` loads from a folder or hub id. Each request's
latents come from its own CPU `torch.Generator` seeded with the request's seed, so an image
depends on its prompt and seed only: not on the batch it ran in, nor on the device's RNG.
Steps, guidance scale and size are options (and per-request decoding overrides); the safety
checker is off by default, since it blacks out images and that would be scored as the model's
output (`safety_checker=true` keeps the checkpoint's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evals.adapters.audio_io import request_text
from evals.adapters.base import ModelAdapter, Stopwatch, resolve_device, settings_groups
from evals.adapters.torch_utils import torch_dtype
from evals.generation import DiffusionSampling
from evals.hub import resolve
from evals.registry import MODELS
from evals.types import Image, Modality, Request, Response

OVERRIDES = {"steps": "num_inference_steps", "guidance": "guidance_scale"}


@dataclass(frozen=True)
class DiffusersOptions:
    model: str = "stable-diffusion-v1-5/stable-diffusion-v1-5"
    """Pipeline folder (model_index.json + components) or hub id."""
    revision: str | None = None
    """Hub revision (commit) to pin; ignored for folders."""
    variant: str | None = None
    """Weights variant to load (e.g. `fp16`), as published with the checkpoint."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto`."""
    dtype: str = "auto"
    """`auto` (fp16 on CUDA), float32, float16 or bfloat16."""
    steps: int = 50
    """Denoising steps."""
    guidance: float = 7.5
    """Classifier-free guidance scale."""
    height: int | None = None
    """Image height in pixels (default: the pipeline's)."""
    width: int | None = None
    """Image width in pixels (default: the pipeline's)."""
    negative_prompt: str | None = None
    """Negative prompt for every request."""
    safety_checker: bool = False
    """Keep the checkpoint's safety checker (off by default; see the module docstring)."""


@MODELS.register("diffusers-t2i")
class DiffusersT2IAdapter(ModelAdapter):
    """Text-to-image with a diffusers pipeline; text -> image."""

    capabilities = frozenset({(Modality.TEXT, Modality.IMAGE)})
    Options = DiffusersOptions
    generation_options = DiffusionSampling

    def __init__(self, options: DiffusersOptions | None = None):
        super().__init__(options)
        from diffusers import DiffusionPipeline

        o = self.options
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        path = resolve(o.model, "diffusers pipeline", revision=o.revision)  # local, cache or hub
        extra = {"variant": o.variant}
        self.pipe = DiffusionPipeline.from_pretrained(
            path, dtype=self.dtype, **{k: v for k, v in extra.items() if v}
        )
        if not o.safety_checker and getattr(self.pipe, "safety_checker", None) is not None:
            self.pipe.safety_checker = None
        self.pipe.to(self.device)
        self.pipe.set_progress_bar_config(disable=True)

    def _kwargs(self, request: Request) -> dict[str, Any]:
        o = self.options
        kwargs: dict[str, Any] = {"num_inference_steps": o.steps, "guidance_scale": o.guidance}
        kwargs.update({k: v for k, v in (("height", o.height), ("width", o.width)) if v})
        for key, value in request.decoding.overrides.items():
            kwargs[OVERRIDES.get(key, key)] = value
        return kwargs

    def _run(self, requests: Sequence[Request], kwargs: dict[str, Any]) -> list[np.ndarray]:
        import torch

        prompts = [request_text(r) for r in requests]
        generators = [torch.Generator("cpu").manual_seed(r.decoding.seed) for r in requests]
        if self.options.negative_prompt:
            kwargs = {**kwargs, "negative_prompt": [self.options.negative_prompt] * len(prompts)}
        with torch.inference_mode():
            out = self.pipe(prompt=prompts, generator=generators, output_type="np", **kwargs)
        pixels = np.clip(np.asarray(out.images, dtype=np.float32), 0.0, 1.0)
        return list((pixels * 255).round().astype(np.uint8))

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        clock = Stopwatch()
        images: list[np.ndarray | None] = [None] * len(requests)
        for kwargs, idx in settings_groups(requests, self._kwargs):
            for i, image in zip(idx, self._run([requests[i] for i in idx], kwargs)):
                images[i] = image
        per = clock.per_sample(len(requests))
        return [
            Response(r.sample_id, Image(array=im), timings={"generate": per})
            for r, im in zip(requests, images)
        ]

    def describe(self) -> dict[str, Any]:
        o = self.options
        return {
            "engine": "diffusers",
            "model": o.model,
            "pipeline": type(self.pipe).__name__ if self.pipe is not None else None,
            "scheduler": type(self.pipe.scheduler).__name__ if self.pipe is not None else None,
            "revision": o.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "steps": o.steps,
            "guidance": o.guidance,
            "size": [o.height, o.width],
        }

    def close(self) -> None:
        self.pipe = None
