"""The reference base CLI's post-processing of a decoded output string, reproduced for parity.

`cli_infer_base_model.py` decodes prompt + output with `skip_special_tokens=True` and then:
- text: `extract_text_between_tags(decoded, "[MMGPT] : ", "<eos>").strip()`. The tag has a space
  before the colon because transformers 4.34.1's slow Llama tokenizer puts a space around every
  added token when decoding; with a decoder that does not, the tag is never found and the whole
  decoded string, prompt included, is returned.
- image, speech, music: the text between the modality's tags, then every run of digits in it
  (whatever token it came from); music values modulo 2048, cut to whole frames of 4.
Where the reference's de-tokenizer would raise, `error` says why instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evals.adapters.anygpt.vocab import ASSISTANT, ASSISTANT_END, MODALITY_TOKENS, modality_tokens
from evals.types import Modality

TEXT_START_TAG = f"{ASSISTANT} : "
"""The tag the reference looks for before a text answer (as slow 4.34.1 decoding spaces it)."""


def extract_text_between_tags(text: str, tag1: str, tag2: str) -> str:
    """The reference's tag extraction: the stripped text between the first `tag1` and the next
    `tag2`; the unstripped rest after `tag1` if that is empty or `tag2` is missing; the whole
    text if `tag1` is missing."""
    if tag1 not in text:
        return text
    start = text.index(tag1) + len(tag1)
    end = text.find(tag2, start)
    if end == -1:
        return text[start:]
    return text[start:end].strip() or text[start:]


def content2rvq_codes(content: str) -> tuple[tuple[int, ...], ...]:
    """The reference's music codes [4][frames] from a content string: every digit run modulo
    2048, trailing partial frame dropped, frame-major order undone."""
    return MODALITY_TOKENS[Modality.MUSIC].split_codebooks(_numbers(content))


@dataclass(frozen=True)
class ReferenceResult:
    """What the reference base CLI makes of one decoded output."""

    modality: Modality
    """The output modality requested."""
    text: str | None = None
    """Text outputs: the string the CLI returns."""
    content: str | None = None
    """Modality outputs: what `extract_text_between_tags` returned for the modality's tags."""
    numbers: tuple[int, ...] = ()
    """Every digit run in `content`, as ints (image and speech ids; music before modulo)."""
    codes: tuple[tuple[int, ...], ...] = ()
    """What reaches the de-tokenizer: one row of ids (image, speech) or [4][frames] (music)."""
    error: str | None = None
    """Why the reference's de-tokenizer would raise on this output; None if it would not."""


def reference_postprocess(decoded: str, output: Modality) -> ReferenceResult:
    """Reproduce the reference CLI on one decoded string; never raises for any string."""
    if output is Modality.TEXT:
        text = extract_text_between_tags(decoded, TEXT_START_TAG, ASSISTANT_END).strip()
        return ReferenceResult(output, text=text)
    scheme = modality_tokens(output)
    content = extract_text_between_tags(decoded, scheme.start, scheme.end)
    numbers = tuple(_numbers(content))
    codes = scheme.split_codebooks(numbers) if scheme.codebooks > 1 else (numbers,)
    return ReferenceResult(output, None, content, numbers, codes, _CRASH_CHECKS[output](codes))


def _numbers(content: str) -> list[int]:
    # `\d` as in the reference: any Unicode decimal digit counts.
    return [int(n) for n in re.findall(r"\d+", content)]


def _image_error(codes: Sequence[Sequence[int]]) -> str | None:
    ids = codes[0]
    if len(ids) not in (1, 32):
        return f"SEED get_codebook_entry needs 32 ids (or 1, which broadcasts); got {len(ids)}"
    if max(ids) >= 8192:
        return f"id {max(ids)} is outside SEED's codebook of 8192"
    return None


def _speech_error(codes: Sequence[Sequence[int]]) -> str | None:
    ids = codes[0]
    if not ids:
        return "SoundStorm cannot generate from 0 semantic ids"
    if max(ids) >= 1024:
        return f"id {max(ids)} is outside SoundStorm's 1024 semantic embeddings"
    return None


def _music_error(codes: Sequence[Sequence[int]]) -> str | None:
    return None if codes[0] else "Encodec cannot decode 0 frames"


_CRASH_CHECKS: Mapping[Modality, Callable[[Sequence[Sequence[int]]], str | None]] = {
    Modality.IMAGE: _image_error,
    Modality.SPEECH: _speech_error,
    Modality.MUSIC: _music_error,
}
