"""CMU PocketSphinx 5: a second, real and different ASR engine (HMM/GMM acoustic model + 3-gram LM).

The `pocketsphinx` wheel (5.1.1) ships the CMU en-us acoustic model, its 3-gram language model
and the CMU pronouncing dictionary, so `pocketsphinx` runs offline with no options. It is a weak
recognizer next to Whisper (tens of percent WER on clean read speech), which is the point: a
baseline from another family, through the same tasks and scorers.

Spec options (all optional): `hmm` (acoustic model folder), `lm` (ARPA or binary LM), `dict`
(pronouncing dictionary), `beam` / `wbeam` (pruning beams), `lw` (language weight). Empty
means the engine's bundled default. Decoding is deterministic; there is one preset, `default`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from evals.adapters.audio_io import request_audio
from evals.adapters.base import ModelAdapter, transcribe_each
from evals.registry import MODELS
from evals.types import Modality, Request, Response

RATE = 16000
"""The bundled en-us model's sample rate; inputs are resampled to it."""


@dataclass(frozen=True)
class PocketSphinxOptions:
    hmm: str = ""
    """Acoustic model folder; empty: the en-us model inside the wheel."""
    lm: str = ""
    """Language model file (ARPA or .lm.bin); empty: the wheel's en-us 3-gram."""
    dict: str = ""
    """Pronouncing dictionary; empty: the wheel's CMUdict."""
    beam: float = 0.0
    """Main pruning beam (e.g. 1e-48); 0: the engine default."""
    wbeam: float = 0.0
    """Word-exit pruning beam; 0: the engine default."""
    lw: float = 0.0
    """Language weight; 0: the engine default (6.5)."""


def decoder_config(options: PocketSphinxOptions) -> dict[str, Any]:
    """The keyword arguments for `pocketsphinx.Decoder`: only the options that were set."""
    set_ = {k: v for k, v in asdict(options).items() if v not in ("", 0.0)}
    return {"loglevel": "FATAL", "samprate": RATE, **set_}


def int16_pcm(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as the 16-bit little-endian PCM pocketsphinx reads (clipped)."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


@MODELS.register("pocketsphinx")
class PocketSphinxAdapter(ModelAdapter):
    """CMU PocketSphinx ASR; speech -> text."""

    capabilities = frozenset({(Modality.SPEECH, Modality.TEXT), (Modality.AUDIO, Modality.TEXT)})
    Options = PocketSphinxOptions
    decoding_presets = ("default",)

    def __init__(self, options: PocketSphinxOptions | None = None):
        super().__init__(options)
        from pocketsphinx import Decoder

        self.decoder = Decoder(**decoder_config(self.options))
        self.config = {k: self.decoder.config[k] for k in ("hmm", "lm", "dict")}

    def transcribe(self, samples: np.ndarray) -> str:
        """One utterance, decoded whole (`full_utt`); an empty string when nothing was heard."""
        d = self.decoder
        d.start_utt()
        d.process_raw(int16_pcm(samples), full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        return hyp.hypstr.strip() if hyp is not None else ""

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        return transcribe_each(requests, lambda req: self.transcribe(request_audio(req, RATE)))

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "engine": "pocketsphinx",
            "version": version("pocketsphinx"),
            **self.config,
            **{k: v for k, v in decoder_config(self.options).items() if k not in self.config},
        }
