"""Image captioners through transformers' image-text-to-text classes: BLIP, BLIP-2, LLaVA-style.

Any checkpoint that `AutoModelForImageTextToText` and `AutoProcessor` load (a folder or a hub
id). An optional `prompt` conditions the caption: a text prefix for BLIP ("a picture of"), a
question for BLIP-2 ("Question: what is in the picture? Answer:"), an instruction for chat
models, which is wrapped with the processor's chat template (image first, then the text) when
it has one. The returned caption is the generated continuation only: prompt tokens are cut,
and a caption that repeats the prompt text at its start has it removed (BLIP's convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.adapters.base import ModelAdapter, Stopwatch, resolve_device, settings_groups
from evals.adapters.torch_utils import seed_everything, torch_dtype
from evals.generation import HFGenerate
from evals.hub import resolve
from evals.media import load_image
from evals.registry import MODELS
from evals.types import Image, Modality, Request, Response, Text

PRESETS: dict[str, dict[str, Any]] = {
    "default": {"num_beams": 3, "do_sample": False},
    "greedy": {"num_beams": 1, "do_sample": False},
    "sample": {"do_sample": True, "top_p": 0.9, "temperature": 1.0},
}


@dataclass(frozen=True)
class HFCaptionerOptions:
    model: str = "Salesforce/blip-image-captioning-large"
    """Checkpoint folder or hub id (BLIP, BLIP-2, LLaVA, ... any image-text-to-text model)."""
    revision: str | None = None
    """Hub revision (commit) to pin; ignored for folders."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto`."""
    dtype: str = "auto"
    """`auto` (fp16 on CUDA), float32, float16 or bfloat16."""
    prompt: str | None = None
    """Text given with the image (prefix, question or instruction); none by default."""
    chat_template: bool = True
    """Wrap the prompt with the processor's chat template when it has one."""
    max_new_tokens: int = 30
    """Upper bound on caption length in tokens."""


@MODELS.register("hf-captioner")
class HFCaptionerAdapter(ModelAdapter):
    """Image captioning with a transformers image-text-to-text model; image -> text."""

    capabilities = frozenset({(Modality.IMAGE, Modality.TEXT)})
    Options = HFCaptionerOptions
    decoding_presets = tuple(PRESETS)
    generation_options = HFGenerate

    def __init__(self, options: HFCaptionerOptions | None = None):
        super().__init__(options)
        from transformers import AutoModelForImageTextToText, AutoProcessor

        o = self.options
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        path = resolve(o.model, "captioner checkpoint", revision=o.revision)  # local, cache or hub
        self.processor = AutoProcessor.from_pretrained(path)
        self.model = AutoModelForImageTextToText.from_pretrained(path, dtype=self.dtype)
        self.model.to(self.device).eval()
        self.text = self._prompt_text()

    def _prompt_text(self) -> str | None:
        """The text passed with every image (chat-templated where the processor has a template)."""
        prompt = self.options.prompt
        template = getattr(self.processor, "chat_template", None)
        if not (self.options.chat_template and template):
            return prompt
        content = [{"type": "image"}] + ([{"type": "text", "text": prompt}] if prompt else [])
        messages = [{"role": "user", "content": content}]
        return self.processor.apply_chat_template(messages, add_generation_prompt=True)

    def _kwargs(self, request: Request) -> dict[str, Any]:
        return {
            **PRESETS[request.decoding.preset],
            "max_new_tokens": self.options.max_new_tokens,
            **request.decoding.overrides,
        }

    def _caption(self, text: str) -> str:
        text = text.strip()
        prompt = (self.options.prompt or "").strip()
        if prompt and text.lower().startswith(prompt.lower()):
            text = text[len(prompt) :].strip()
        return text

    def _run(self, images: list, kwargs: dict[str, Any]) -> list[str]:
        import torch

        texts = [self.text] * len(images) if self.text is not None else None
        inputs = self.processor(images=images, text=texts, return_tensors="pt", padding=True)
        inputs = inputs.to(self.device, self.dtype)  # BatchFeature: casts floating tensors only
        with torch.inference_mode():
            out = self.model.generate(**inputs, **kwargs)
        prompt = inputs.get("input_ids")
        n = prompt.shape[1] if prompt is not None else 0
        if prompt is not None and out.shape[1] >= n and torch.equal(out[:, :n], prompt):
            out = out[:, n:]  # decoder-only models return the prompt first
        return [
            self._caption(t) for t in self.processor.batch_decode(out, skip_special_tokens=True)
        ]

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        from PIL import Image as PILImage

        clock = Stopwatch()
        images = [
            PILImage.fromarray(load_image(next(p for p in r.inputs if isinstance(p, Image))))
            for r in requests
        ]
        captions: list[str] = [""] * len(requests)
        for kwargs, idx in settings_groups(requests, self._kwargs):
            if kwargs.get("do_sample"):  # sampling: one seeded call per sample
                for i in idx:
                    seed_everything(requests[i].decoding.seed)
                    captions[i] = self._run([images[i]], kwargs)[0]
                continue
            for i, caption in zip(idx, self._run([images[i] for i in idx], kwargs)):
                captions[i] = caption
        per = clock.per_sample(len(requests))
        return [
            Response(r.sample_id, Text(c), text=c, timings={"generate": per})
            for r, c in zip(requests, captions)
        ]

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "transformers",
            "model": self.options.model,
            "class": type(self.model).__name__ if self.model is not None else None,
            "revision": self.options.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
            "prompt": self.text,
        }

    def close(self) -> None:
        self.model = None
