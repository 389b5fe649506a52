"""Classic command-line synthesizers: espeak-ng and flite (Debian packages). Text -> speech."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.adapters.audio_io import request_text
from evals.adapters.base import ModelAdapter, Stopwatch
from evals.adapters.tts_common import require_binary, run_tts_command, speech
from evals.registry import MODELS
from evals.types import Modality, Request, Response


class CommandTTS(ModelAdapter):
    """A synthesizer run as a subprocess per utterance. Not zero-shot: the voice prompt is ignored."""

    capabilities = frozenset({(Modality.TEXT, Modality.SPEECH)})
    binary: str = ""
    debian_package: str = ""

    def __init__(self, options: Any = None):
        super().__init__(options)
        self.path = require_binary(self.binary, self.debian_package)

    def argv(self, text: str) -> list[str]:
        raise NotImplementedError

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out = []
        for req in requests:
            clock = Stopwatch()
            samples, rate = run_tts_command(self.argv(request_text(req)))
            out.append(
                Response(
                    req.sample_id,
                    speech(samples, rate),
                    timings={"generate": clock.per_sample(1)},
                    info={"voice": self.options.voice},
                )
            )
        return out

    def describe(self) -> dict[str, Any]:
        return {"engine": self.binary, "binary": self.path, **vars(self.options)}


@dataclass(frozen=True)
class EspeakOptions:
    voice: str = "en-us"
    """espeak-ng voice (`espeak-ng --voices=en` lists them), e.g. en-us, en-gb, en-us+f3."""
    speed: int = 160
    """Words per minute."""
    pitch: int = 50
    """Pitch, 0-99."""


@MODELS.register("espeak-ng")
class EspeakAdapter(CommandTTS):
    """espeak-ng formant synthesizer; text -> speech."""

    Options = EspeakOptions
    binary, debian_package = "espeak-ng", "espeak-ng"

    def argv(self, text: str) -> list[str]:
        o = self.options
        return [
            self.path,
            "-v",
            o.voice,
            "-s",
            str(o.speed),
            "-p",
            str(o.pitch),
            "-w",
            "{out}",
            "--",
            text,
        ]


@dataclass(frozen=True)
class FliteOptions:
    voice: str = "slt"
    """flite voice: kal, kal16, awb, rms, slt (`flite -lv`), or a .flitevox file."""


@MODELS.register("flite")
class FliteAdapter(CommandTTS):
    """CMU flite diphone/clustergen synthesizer; text -> speech."""

    Options = FliteOptions
    binary, debian_package = "flite", "flite"

    def argv(self, text: str) -> list[str]:
        return [self.path, "-voice", self.options.voice, "-t", text, "-o", "{out}"]
