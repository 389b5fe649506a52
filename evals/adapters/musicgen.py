"""MusicGen through transformers (MusicgenForConditionalGeneration): text -> music.

Loads any checkpoint folder or hub id in the transformers layout (facebook/musicgen-small,
-medium, -large). Durations map to tokens at the 50 Hz frame rate of MusicGen's Encodec: the
delay pattern costs (codebooks - 1) extra steps, so `max_new_tokens = round(duration x 50) +
codebooks - 1` yields exactly `duration` seconds, as audiocraft's `duration` does. Sampling
follows audiocraft's defaults (top-k 250, temperature 1, classifier-free guidance 3) with one
seeded generator per request, so a sample's music does not depend on its batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evals.adapters.audio_io import request_text
from evals.adapters.base import ModelAdapter, Stopwatch, resolve_device, settings_groups
from evals.adapters.torch_utils import torch_dtype
from evals.audio_checks import audio_issues
from evals.generation import HFGenerate
from evals.hub import resolve
from evals.registry import MODELS
from evals.types import Audio, Modality, Request, Response

PRESETS: dict[str, dict[str, Any]] = {
    "default": {"do_sample": True, "top_k": 250, "top_p": None, "temperature": 1.0},
    "greedy": {"do_sample": False},
}
"""`default`: audiocraft's MusicGen sampling (use_sampling, top_k=250, temperature 1.0)."""


@dataclass(frozen=True)
class MusicGenOptions:
    model: str = "facebook/musicgen-small"
    """Checkpoint folder (config.json, weights, processor and tokenizer files) or hub id."""
    revision: str | None = None
    """Hub revision (commit) to pin; ignored for folders."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto`."""
    dtype: str = "auto"
    """`auto` (fp16 on CUDA), float32, float16 or bfloat16."""
    duration: float = 5.0
    """Seconds of music per caption (5 s: the AnyGPT MusicCaps protocol length)."""
    guidance_scale: float = 3.0
    """Classifier-free guidance coefficient (audiocraft's cfg_coef default); 1 disables it."""


@MODELS.register("musicgen")
class MusicGenAdapter(ModelAdapter):
    """MusicGen via transformers; text -> music, batched, seeded per request."""

    capabilities = frozenset({(Modality.TEXT, Modality.MUSIC), (Modality.TEXT, Modality.AUDIO)})
    Options = MusicGenOptions
    decoding_presets = tuple(PRESETS)
    generation_options = HFGenerate

    def __init__(self, options: MusicGenOptions | None = None):
        super().__init__(options)
        from transformers import AutoProcessor, MusicgenForConditionalGeneration

        o = self.options
        if o.duration <= 0:
            raise ValueError(f"musicgen: duration must be > 0 seconds, got {o.duration}")
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        path = resolve(o.model, "MusicGen checkpoint", revision=o.revision)  # local, cache or hub
        self.processor = AutoProcessor.from_pretrained(path)
        self.model = MusicgenForConditionalGeneration.from_pretrained(path, dtype=self.dtype)
        self.model.to(self.device).eval()
        codec = self.model.config.audio_encoder
        self.sample_rate = int(codec.sampling_rate)
        self.frame_rate = float(codec.frame_rate)
        self.codebooks = int(self.model.decoder.num_codebooks)

    @property
    def max_new_tokens(self) -> int:
        return round(self.options.duration * self.frame_rate) + self.codebooks - 1

    def _settings(self, request: Request) -> dict[str, Any]:
        settings = {
            **PRESETS[request.decoding.preset],
            "guidance_scale": self.options.guidance_scale,
        }
        settings.update(request.decoding.overrides)
        return settings

    def _run(self, requests: Sequence[Request], settings: dict[str, Any]) -> np.ndarray:
        import torch

        from evals.adapters.seeded_sampling import SeededSampler

        inputs = self.processor(
            text=[request_text(r) for r in requests], padding=True, return_tensors="pt"
        ).to(self.device)
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "guidance_scale": settings["guidance_scale"],
            "do_sample": False,
            "top_k": None,
            "top_p": None,
            "temperature": None,
        }
        if settings.get("do_sample"):
            sampler = SeededSampler(
                [r.decoding.seed for r in requests],
                self.codebooks,
                self.device,
                temperature=settings.get("temperature") or 1.0,
                top_k=settings.get("top_k"),
                top_p=settings.get("top_p"),
                guidance_scale=settings["guidance_scale"],
            )
            kwargs["logits_processor"] = [sampler]
        with torch.inference_mode():
            audio = self.model.generate(**inputs, **kwargs)
        return audio[:, 0].float().cpu().numpy()

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        clock = Stopwatch()
        outputs: dict[int, np.ndarray] = {}
        for settings, idx in settings_groups(requests, self._settings):
            outputs.update(zip(idx, self._run([requests[i] for i in idx], settings)))
        per = clock.per_sample(len(requests))
        keep = round(self.options.duration * self.sample_rate)
        responses = []
        for i, r in enumerate(requests):
            samples = np.ascontiguousarray(outputs[i][:keep], dtype=np.float32)
            issues = audio_issues(samples, self.sample_rate)
            responses.append(
                Response(
                    r.sample_id,
                    Audio(samples=samples, sample_rate=self.sample_rate, kind=Modality.MUSIC),
                    malformed="; ".join(issues) or None,
                    timings={"generate": per},
                    info={"seed": r.decoding.seed, "max_new_tokens": self.max_new_tokens},
                )
            )
        return responses

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "transformers",
            "model": self.options.model,
            "revision": self.options.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "sample_rate": self.sample_rate,
            "frame_rate": self.frame_rate,
            "codebooks": self.codebooks,
            "duration_s": self.options.duration,
            "guidance_scale": self.options.guidance_scale,
        }

    def close(self) -> None:
        self.model = None
