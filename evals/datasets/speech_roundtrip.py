"""Speech round-trip samples: a real utterance in, the same utterance (and transcript) as reference.

Each sample also names a voice prompt in its metadata, by the zero-shot TTS rule
(evals.datasets.voice_prompts: the first seconds of another utterance of the same speaker, never
the target itself), for tokenizers whose decoder needs one (SoundStorm).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from evals.datasets.librispeech import read_librispeech
from evals.datasets.manifest import read_tts_manifest
from evals.datasets.voice_prompts import Utterance, with_voice_prompts
from evals.types import Audio, Sample, Text


def as_roundtrip(samples: Iterable[Sample]) -> Iterator[Sample]:
    """TTS-shaped samples with their recording moved from the references to the input."""
    for sample in samples:
        audio = next(p for p in sample.references if isinstance(p, Audio))
        yield replace(sample, inputs=(audio,))


def read_librispeech_roundtrip(path: Path, prompt_seconds: float = 3.0) -> Iterator[Sample]:
    """LibriSpeech utterances (a split folder) as round-trip samples."""

    def utterances() -> Iterator[Utterance]:
        for s in read_librispeech(path):
            text = next(p.text for p in s.references if isinstance(p, Text))
            extra = {"chapter": s.metadata["chapter"]}
            yield Utterance(s.id, s.metadata["speaker"], text, s.metadata["audio"], extra)

    return as_roundtrip(with_voice_prompts(utterances(), prompt_seconds))


def read_manifest_roundtrip(path: Path, prompt_seconds: float = 3.0) -> Iterator[Sample]:
    """A JSONL manifest (id, audio, text, speaker[, prompt_audio]) as round-trip samples."""
    return as_roundtrip(read_tts_manifest(path, prompt_seconds))
