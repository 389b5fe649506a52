"""LibriSpeech as distributed (openslr.org/12): `<split>/<speaker>/<chapter>/*.trans.txt` + FLAC."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from evals.datasets.common import find_audio, require_dir
from evals.datasets.hf_copies import or_hf_copy
from evals.datasets.hf_layouts import read_hf_librispeech
from evals.task import DataNotFoundError
from evals.types import Audio, Modality, Sample, Text

LAYOUT = """  <split>/                      e.g. LibriSpeech/test-clean
    <speaker>/<chapter>/
      <speaker>-<chapter>.trans.txt   lines: "<utterance-id> <TRANSCRIPT>"
      <utterance-id>.flac"""


@or_hf_copy(read_hf_librispeech)
def read_librispeech(path: Path) -> Iterator[Sample]:
    """Utterances in speaker, chapter, transcript order; audio is read later, per sample."""
    splits = (
        sorted(p.name for p in path.iterdir() if p.is_dir() and "-" in p.name)
        if path.is_dir()
        else []
    )
    hint = (
        f"{path} looks like the LibriSpeech root; point at one split, e.g. {path}/test-clean"
        if any(s.startswith(("test-", "dev-", "train-")) for s in splits)
        else ""
    )
    require_dir(path, "LibriSpeech", LAYOUT, hint)
    transcripts = sorted(path.glob("*/*/*.trans.txt"))
    if not transcripts:
        raise DataNotFoundError(
            f"LibriSpeech: no */*/*.trans.txt under {path}.\nExpected layout:\n{LAYOUT}\n{hint}".rstrip()
        )
    for trans in transcripts:
        chapter_dir = trans.parent
        for line in trans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            utt_id, _, text = line.strip().partition(" ")
            speaker, chapter = utt_id.split("-")[:2]
            audio = find_audio(chapter_dir, utt_id) or chapter_dir / f"{utt_id}.flac"
            yield Sample(
                id=utt_id,
                inputs=(Audio(path=str(audio), kind=Modality.SPEECH),),
                references=(Text(text),),
                metadata={"speaker": speaker, "chapter": chapter, "audio": str(audio)},
            )
