"""Small deterministic test models and data builders (no network, no weights).

`test-echo` is a speech->text model whose "transcript" is a pure function of the audio, so
resumed, sharded and batched runs can be compared exactly; it can sleep per sample (to be killed
mid-run) and fail on chosen samples.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from evals.adapters.base import ModelAdapter
from evals.media import load_audio
from evals.registry import MODELS
from evals.types import Audio, Modality, Request, Response, Text

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def words_for(samples: np.ndarray) -> str:
    """Three words chosen by a hash of the samples (rounded to survive 16-bit storage)."""
    digest = hashlib.sha256(np.round(samples * 1000).astype(np.int32).tobytes()).digest()
    return " ".join(WORDS[b % len(WORDS)] for b in digest[:3])


@dataclass(frozen=True)
class EchoOptions:
    sleep: float = 0.0
    """Seconds to sleep per sample."""
    fail: str = ""
    """Sample ids (joined by '+') whose generation raises."""
    crash_batch: bool = False
    """Raise for the whole batch whenever it holds a failing id (tests per-sample retry)."""
    oom_above: int = 0
    """Raise torch.cuda.OutOfMemoryError for batches larger than this (0: never)."""
    crash: str = ""
    """Sample ids (joined by '+') whose generation stops the process (SystemExit), as a fatal
    device error would; the error is not the sample's, so no per-sample retry catches it."""
    kill: str = ""
    """Sample ids (joined by '+') at which the process SIGKILLs itself (a rank that vanishes)."""


if "test-echo" not in MODELS.names():

    @MODELS.register("test-echo")
    class EchoASR(ModelAdapter):
        """Deterministic fake ASR: the transcript is a hash of the audio."""

        capabilities = frozenset({(Modality.SPEECH, Modality.TEXT)})
        Options = EchoOptions
        decoding_presets = ("default", "other")

        def generate(self, requests: Sequence[Request]) -> list[Response]:
            o = self.options
            if o.oom_above and len(requests) > o.oom_above:
                import torch

                raise torch.cuda.OutOfMemoryError(f"fake: {len(requests)} > {o.oom_above}")
            for r in requests:
                if r.sample_id in o.kill.split("+"):
                    os.kill(os.getpid(), signal.SIGKILL)
                if r.sample_id in o.crash.split("+"):
                    raise SystemExit(f"fake device lost at {r.sample_id}")
            failing = set(filter(None, self.options.fail.split("+")))
            if (
                self.options.crash_batch
                and len(requests) > 1
                and any(r.sample_id in failing for r in requests)
            ):
                raise RuntimeError("batch crashed")
            out = []
            for r in requests:
                time.sleep(self.options.sleep)
                if r.sample_id in failing:
                    raise RuntimeError(f"cannot do {r.sample_id}")
                audio = next(p for p in r.inputs if isinstance(p, Audio))
                text = words_for(load_audio(audio, 16000)[0])
                out.append(Response(r.sample_id, Text(text), text=text, info={"pid": os.getpid()}))
            return out


@dataclass(frozen=True)
class ToneOptions:
    sleep: float = 0.0
    """Seconds to sleep per sample (to be killed while media are written)."""


if "test-tone" not in MODELS.names():

    @MODELS.register("test-tone")
    class ToneTTS(ModelAdapter):
        """Deterministic fake TTS: an in-memory tone whose pitch and length come from the text."""

        capabilities = frozenset({(Modality.TEXT, Modality.SPEECH)})
        Options = ToneOptions

        def generate(self, requests: Sequence[Request]) -> list[Response]:
            out = []
            for r in requests:
                time.sleep(self.options.sleep)
                text = next(p.text for p in r.inputs if isinstance(p, Text))
                digest = hashlib.sha256(text.encode()).digest()
                samples = tone(0.2 + 0.01 * len(text), 150 + digest[0], seed=digest[1])
                out.append(Response(r.sample_id, Audio(samples=samples, sample_rate=16000)))
            return out


def tone(seconds: float, freq: float, rate: int = 16000, seed: int = 0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(seed)
    return (0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)).astype(
        np.float32
    )


def mixed_texts(n: int) -> list[str]:
    """Transcripts of different lengths, so per-sample WERs differ and intervals are not trivial."""
    return [" ".join(WORDS[(i + k) % len(WORDS)] for k in range(1 + i % 5)) for i in range(n)]


def write_asr_manifest(
    folder: Path, n: int, texts: Sequence[str] | None = None, rate: int = 16000
) -> Path:
    """n tone clips with transcripts equal to their echo words (so WER 0 for test-echo)."""
    (folder / "wavs").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        samples = tone(0.5 + 0.05 * i, 200 + 30 * i, rate, seed=i)
        sf.write(folder / "wavs" / f"u{i:03d}.wav", samples, rate, subtype="FLOAT")
        stored = sf.read(folder / "wavs" / f"u{i:03d}.wav", dtype="float32")[0]
        text = (
            texts[i]
            if texts
            else words_for(load_audio(Audio(samples=stored, sample_rate=rate), 16000)[0])
        )
        rows.append(
            {"id": f"u{i:03d}", "audio": f"wavs/u{i:03d}.wav", "text": text, "speaker": f"s{i % 3}"}
        )
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
