"""The voice-prompt rule for zero-shot TTS, shared by every TTS dataset reader.

The prompt for an utterance is the first `seconds` of its speaker's first utterance (in the
dataset's order); the first utterance itself is prompted by the speaker's second. So the prompt is
always the same speaker, never the target utterance, and reproducible. A speaker with a single
utterance has no valid prompt: the sample is yielded without one and fails as an input error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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
