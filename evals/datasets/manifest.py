"""A plain JSONL manifest: one object per line with `id` and any of audio, image, text, speaker.

    {"id": "utt1", "audio": "wavs/utt1.wav", "text": "hello world", "speaker": "spk1"}

Relative paths are relative to the manifest's folder. Extra keys are kept as metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evals.datasets.common import require_file
from evals.datasets.voice_prompts import Utterance, with_voice_prompts
from evals.errors import UserError
from evals.jsonl import iter_objects
from evals.types import Audio, Modality, Sample, Text

LAYOUT = """  a .jsonl file (or a folder holding manifest.jsonl), one object per line:
    {"id": "...", "audio": "relative/or/absolute.wav", "text": "...", "speaker": "..."}"""


class ManifestError(UserError, ValueError):
    """A manifest line that cannot be used; the message names file and line."""


def manifest_file(path: Path) -> Path:
    if path.is_dir():
        path = path / "manifest.jsonl"
    return require_file(path, "manifest", LAYOUT)


def read_rows(path: Path, required: tuple[str, ...] = ("id",)) -> Iterator[dict[str, Any]]:
    """Manifest rows with media paths made absolute; streams the file line by line."""
    path = manifest_file(path)
    base = path.parent
    seen: set[str] = set()
    for lineno, row in iter_objects(path, ManifestError):
        missing = [k for k in required if k not in row]
        if missing:
            raise ManifestError(f"{path}:{lineno}: missing field(s) {', '.join(missing)}")
        row["id"] = str(row["id"])
        if row["id"] in seen:
            raise ManifestError(f"{path}:{lineno}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        for key in ("audio", "image", "prompt_audio"):
            if key in row and row[key] is not None:
                row[key] = (
                    str((base / row[key]).resolve())
                    if not Path(row[key]).is_absolute()
                    else row[key]
                )
        yield row


def _meta(row: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in drop}


def read_asr_manifest(path: Path) -> Iterator[Sample]:
    """ASR samples: audio in, transcript (`text`) as reference."""
    for row in read_rows(path, ("id", "audio", "text")):
        yield Sample(
            id=row["id"],
            inputs=(Audio(path=row["audio"], kind=Modality.SPEECH),),
            references=(Text(row["text"]),),
            metadata=_meta(row, ("id", "text")),
        )


def read_tts_manifest(
    path: Path, prompt_seconds: float = 3.0, prompt_offset: float = 0.0
) -> Iterator[Sample]:
    """Zero-shot TTS samples: `text` in; the real `audio` and `text` as references.

    A row's `prompt_audio` is used as its voice prompt when present; otherwise the prompt comes
    from the same speaker's other utterances (evals.datasets.voice_prompts).
    """
    rows = read_rows(path, ("id", "text", "speaker", "audio"))
    explicit: list[Sample] = []

    def utterances() -> Iterator[Utterance]:
        for row in rows:
            utt = Utterance(
                row["id"],
                str(row["speaker"]),
                row["text"],
                row["audio"],
                _meta(row, ("id", "text", "speaker", "audio")),
            )
            if row.get("prompt_audio"):
                explicit.append(_explicit(utt, row["prompt_audio"], prompt_seconds, prompt_offset))
            else:
                yield utt

    for sample in with_voice_prompts(utterances(), prompt_seconds, prompt_offset):
        while explicit:
            yield explicit.pop(0)
        yield sample
    yield from explicit


def _explicit(utt: Utterance, prompt: str, seconds: float, offset: float) -> Sample:
    meta = {
        "speaker": utt.speaker,
        "audio": utt.audio,
        **utt.extra,
        "prompt_audio": prompt,
        "prompt_offset": offset,
        "prompt_seconds": seconds,
    }
    return Sample(
        utt.id,
        (Text(utt.text),),
        (Text(utt.text), Audio(path=utt.audio, kind=Modality.SPEECH)),
        meta,
    )
