"""The voice-prompt rules for zero-shot TTS, shared by every TTS dataset reader.

`with_voice_prompts` (every utterance is a target): the prompt for an utterance is the first `seconds` of its speaker's first utterance (in the
dataset's order); the first utterance itself is prompted by the speaker's second. So the prompt is
always the same speaker, never the target utterance, and reproducible. A speaker with a single
utterance has no valid prompt: the sample is yielded without one and fails as an input error.

`paper_voice_prompts` (the AnyGPT paper's VCTK protocol): per speaker, one seeded random 3 s
clip from a speech region as the prompt and a few other utterances as targets.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from evals.types import Audio, Modality, Sample, Text


@dataclass(frozen=True)
class Utterance:
    """One recorded utterance of a speaker."""

    id: str
    speaker: str
    text: str
    audio: str
    extra: Mapping[str, Any]


def with_voice_prompts(
    utterances: Iterable[Utterance], seconds: float, offset: float = 0.0
) -> Iterator[Sample]:
    """TTS samples: input text, references (text, real recording), prompt in metadata.

    Needs the first two utterances of each speaker before their others, so it holds back at most
    one utterance per speaker (memory grows with speakers, not utterances).
    """
    first: dict[str, Utterance] = {}
    waiting: dict[str, Utterance] = {}
    for utt in utterances:
        if utt.speaker not in first:
            first[utt.speaker] = utt
            waiting[utt.speaker] = utt  # needs the second utterance as its prompt
            continue
        if utt.speaker in waiting:
            yield _sample(waiting.pop(utt.speaker), utt, seconds, offset)
        yield _sample(utt, first[utt.speaker], seconds, offset)
    for utt in waiting.values():
        yield _sample(utt, None, seconds, offset)


def _sample(utt: Utterance, prompt: Utterance | None, seconds: float, offset: float) -> Sample:
    meta: dict[str, Any] = {"speaker": utt.speaker, "audio": utt.audio, **utt.extra}
    if prompt is not None:
        meta.update(
            prompt_id=prompt.id,
            prompt_audio=prompt.audio,
            prompt_text=prompt.text,
            prompt_offset=offset,
            prompt_seconds=seconds,
        )
    return Sample(
        id=utt.id,
        inputs=(Text(utt.text),),
        references=(Text(utt.text), Audio(path=utt.audio, kind=Modality.SPEECH)),
        metadata=meta,
    )


def voice_prompt_of(sample: Sample) -> Audio | None:
    """The prompt segment named in a TTS sample's metadata."""
    meta = sample.metadata
    if "prompt_audio" not in meta:
        return None
    return Audio(
        path=meta["prompt_audio"],
        kind=Modality.SPEECH,
        offset=float(meta.get("prompt_offset", 0.0)),
        duration=float(meta["prompt_seconds"]),
    )


SPEECH_FRAME_SECONDS = 0.02
"""Frame of the energy-based speech-region detector."""
SPEECH_THRESHOLD_DB = -30.0
"""A frame is speech when its RMS is within this many dB of the utterance's loudest frame."""


def speech_region(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """(start, end) seconds from the first to the last speech frame (energy within
    `SPEECH_THRESHOLD_DB` of the loudest frame); the whole clip if nothing stands out."""
    hop = max(1, round(SPEECH_FRAME_SECONDS * rate))
    frames = len(samples) // hop
    if frames == 0:
        return 0.0, len(samples) / rate
    rms = np.sqrt((samples[: frames * hop].reshape(frames, hop).astype(np.float64) ** 2).mean(1))
    loud = rms >= rms.max() * 10 ** (SPEECH_THRESHOLD_DB / 20)
    voiced = np.flatnonzero(loud)
    if rms.max() == 0 or len(voiced) == 0:
        return 0.0, len(samples) / rate
    return voiced[0] * hop / rate, (voiced[-1] + 1) * hop / rate


def paper_voice_prompts(
    utterances: Iterable[Utterance],
    seconds: float,
    targets_per_speaker: int | None = 1,
    seed: int = 0,
) -> Iterator[Sample]:
    """The AnyGPT paper's VCTK selection: per speaker, one seeded random `seconds` clip from a
    speech region of one utterance as the voice prompt, and `targets_per_speaker` other
    utterances of that speaker (seeded; None: all others) as the texts to speak.

    The draw depends only on (seed, speaker, the speaker's utterance ids), not on other speakers
    or the order they come in. Utterances of a speaker must be contiguous (VCTK's order).
    A speaker with one utterance has no prompt: its sample fails as an input error.
    """
    for _, group in itertools.groupby(utterances, key=lambda u: u.speaker):
        yield from _speaker_selection(list(group), seconds, targets_per_speaker, seed)


def _speaker_selection(
    utts: list[Utterance], seconds: float, n: int | None, seed: int
) -> Iterator[Sample]:
    from evals.media import load_audio

    utts = sorted(utts, key=lambda u: u.id)
    rng = random.Random(f"{seed}:{utts[0].speaker}")  # str seeds hash with sha512: stable
    if len(utts) < 2:
        yield _sample(utts[0], None, seconds, 0.0)
        return
    prompt = rng.choice(utts)
    others = [u for u in utts if u.id != prompt.id]
    targets = sorted(
        others if n is None else rng.sample(others, min(n, len(others))), key=lambda u: u.id
    )
    samples, rate = load_audio(Audio(path=prompt.audio, kind=Modality.SPEECH))
    start, end = speech_region(samples, rate)
    latest = max(start, min(end, len(samples) / rate) - seconds)
    offset = round(rng.uniform(start, latest), 2)
    note = {"prompt_selection": f"paper, seed {seed}", "prompt_speech": [start, end]}
    for utt in targets:
        yield _sample(replace(utt, extra={**utt.extra, **note}), prompt, seconds, offset)
