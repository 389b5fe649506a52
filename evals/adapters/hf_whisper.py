"""Whisper through transformers: any local checkpoint folder or hub id, batched, on GPU or CPU.

This is the GPU path for the paper's Whisper baselines (e.g. openai/whisper-large-v2) and for the
Whisper-medium TTS scorer. Inputs are padded to Whisper's 30 s window; longer clips go through
transformers' sequential long-form generation one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.adapters.audio_io import request_audio
from evals.adapters.base import ModelAdapter, Stopwatch, resolve_device, settings_groups
from evals.adapters.torch_utils import torch_dtype
from evals.generation import HFGenerate
from evals.hub import resolve
from evals.registry import MODELS
from evals.types import Modality, Request, Response, Text

SAMPLE_RATE = 16000
WINDOW_S = 30.0
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"num_beams": 5, "do_sample": False},
    "greedy": {"num_beams": 1, "do_sample": False},
}


@dataclass(frozen=True)
class HFWhisperOptions:
    model: str = "openai/whisper-large-v2"
    """Checkpoint folder (config.json, weights, tokenizer, preprocessor) or hub id."""
    revision: str | None = None
    """Hub revision (commit) to pin; ignored for folders."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto`."""
    dtype: str = "auto"
    """`auto` (fp16 on CUDA), float32, float16 or bfloat16."""
    language: str | None = "en"
    """Language token for multilingual checkpoints; ignored by English-only (.en) ones."""
    max_new_tokens: int = 440
    """Upper bound on generated tokens per 30 s window."""


@MODELS.register("hf-whisper")
class HFWhisperAdapter(ModelAdapter):
    """Whisper ASR via transformers (WhisperForConditionalGeneration); speech -> text."""

    capabilities = frozenset({(Modality.SPEECH, Modality.TEXT), (Modality.AUDIO, Modality.TEXT)})
    Options = HFWhisperOptions
    decoding_presets = tuple(PRESETS)
    generation_options = HFGenerate

    def __init__(self, options: HFWhisperOptions | None = None):
        super().__init__(options)
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        o = self.options
        self.device = resolve_device(o.device)
        self.dtype = torch_dtype(o.dtype, self.device)
        path = resolve(o.model, "Whisper checkpoint", revision=o.revision)  # local, cache or hub
        self.processor = WhisperProcessor.from_pretrained(path)
        self.model = WhisperForConditionalGeneration.from_pretrained(path, dtype=self.dtype)
        self.model.to(self.device).eval()
        self.multilingual = bool(getattr(self.model.generation_config, "is_multilingual", False))

    def _generate_kwargs(self, request: Request) -> dict[str, Any]:
        # the decoder window bounds prompt (start tokens) + new tokens: 448 for released models
        room = int(self.model.config.max_target_positions) - 4
        kwargs = {
            **PRESETS[request.decoding.preset],
            "max_new_tokens": min(self.options.max_new_tokens, room),
        }
        if self.multilingual and self.options.language:
            kwargs.update(language=self.options.language, task="transcribe")
        kwargs.update(request.decoding.overrides)
        return kwargs

    def _run(self, audios: list, kwargs: dict[str, Any], long_form: bool) -> list[str]:
        import torch

        extra = (
            {"truncation": False, "padding": "longest", "return_attention_mask": True}
            if long_form
            else {}
        )
        feats = self.processor.feature_extractor(
            audios, sampling_rate=SAMPLE_RATE, return_tensors="pt", **extra
        )
        inputs = {"input_features": feats.input_features.to(self.device, self.dtype)}
        if long_form:
            inputs["attention_mask"] = feats.attention_mask.to(self.device)
            kwargs = {**kwargs, "return_timestamps": True}
        with torch.inference_mode():
            ids = self.model.generate(**inputs, **kwargs)
        return [t.strip() for t in self.processor.batch_decode(ids, skip_special_tokens=True)]

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        clock = Stopwatch()
        audios = [request_audio(r, SAMPLE_RATE) for r in requests]
        texts: list[str | None] = [None] * len(requests)
        short = [i for i, a in enumerate(audios) if len(a) <= WINDOW_S * SAMPLE_RATE]
        # one generate call per distinct decoding setting among the short clips
        for kwargs, idx in settings_groups([requests[i] for i in short], self._generate_kwargs):
            batch = [short[j] for j in idx]
            for i, t in zip(batch, self._run([audios[i] for i in batch], kwargs, False)):
                texts[i] = t
        for i in set(range(len(requests))) - set(short):
            texts[i] = self._run([audios[i]], self._generate_kwargs(requests[i]), True)[0]
        per = clock.per_sample(len(requests))
        return [
            Response(r.sample_id, Text(t or ""), text=t, timings={"generate": per})
            for r, t in zip(requests, texts)
        ]

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "transformers",
            "model": self.options.model,
            "revision": self.options.revision,
            "device": self.device,
            "dtype": str(self.dtype).replace("torch.", ""),
        }

    def close(self) -> None:
        self.model = None
