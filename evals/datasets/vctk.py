"""VCTK (0.80 `wav48/` + `txt/`, or 0.92 `wav48_silence_trimmed/` FLAC + `txt/`), per speaker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from evals.datasets.common import require_dir
from evals.datasets.hf_copies import or_hf_copy
from evals.datasets.hf_layouts import read_hf_vctk_tts
from evals.datasets.voice_prompts import Utterance, paper_voice_prompts, with_voice_prompts
from evals.task import DataNotFoundError
from evals.types import Sample

LAYOUT = """  VCTK-Corpus/
    txt/<speaker>/<speaker>_<nnn>.txt
    wav48/<speaker>/<speaker>_<nnn>.wav                         (VCTK 0.80)
      or wav48_silence_trimmed/<speaker>/<speaker>_<nnn>_mic1.flac  (VCTK 0.92)"""

AUDIO_DIRS = ("wav48_silence_trimmed", "wav48", "wav16", "wav")


def _audio_for(root: Path, speaker: str, stem: str) -> Path | None:
    for sub in AUDIO_DIRS:
        folder = root / sub / speaker
        for name in (f"{stem}_mic1.flac", f"{stem}.flac", f"{stem}.wav", f"{stem}_mic2.flac"):
            if (folder / name).exists():
                return folder / name
    return None


def read_vctk_utterances(root: Path, speakers: tuple[str, ...] = ()) -> Iterator[Utterance]:
    """Utterances with text and audio, speakers and utterances in sorted order."""
    require_dir(root, "VCTK", LAYOUT)
    txt = require_dir(root / "txt", "VCTK", LAYOUT)
    if not any((root / d).is_dir() for d in AUDIO_DIRS):
        raise DataNotFoundError(
            f"VCTK: no audio folder ({', '.join(AUDIO_DIRS)}) under {root}.\nExpected layout:\n{LAYOUT}"
        )
    wanted = set(speakers)
    for spk_dir in sorted(p for p in txt.iterdir() if p.is_dir()):
        if wanted and spk_dir.name not in wanted:
            continue
        for text_file in sorted(spk_dir.glob("*.txt")):
            audio = _audio_for(root, spk_dir.name, text_file.stem)
            if audio is None:
                continue  # transcripts without recordings exist in VCTK (e.g. p315 has the reverse)
            text = text_file.read_text(encoding="utf-8", errors="replace").strip()
            yield Utterance(text_file.stem, spk_dir.name, text, str(audio), {})


@or_hf_copy(read_hf_vctk_tts)
def read_vctk_tts(
    root: Path,
    prompt_seconds: float = 3.0,
    prompt_offset: float = 0.0,
    speakers: tuple[str, ...] = (),
) -> Iterator[Sample]:
    """Zero-shot TTS samples over VCTK, every utterance a target (see
    evals.datasets.voice_prompts for the prompt rule)."""
    return with_voice_prompts(read_vctk_utterances(root, speakers), prompt_seconds, prompt_offset)


def read_vctk_tts_paper(
    root: Path,
    prompt_seconds: float = 3.0,
    targets_per_speaker: int | None = 1,
    selection_seed: int = 0,
    speakers: tuple[str, ...] = (),
) -> Iterator[Sample]:
    """The AnyGPT paper's VCTK selection: per speaker a seeded random 3 s speech clip as the
    prompt and `targets_per_speaker` other utterances as targets (None or 0: all others)."""
    return paper_voice_prompts(
        read_vctk_utterances(root, speakers),
        prompt_seconds,
        targets_per_speaker or None,
        selection_seed,
    )
