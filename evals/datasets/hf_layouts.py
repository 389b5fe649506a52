"""The published column layouts of LibriSpeech, VCTK, COCO (Karpathy) and MusicCaps on the
Hugging Face hub, read into the same samples as the original layouts give.

Each reader takes an `HFSource` (see evals.datasets.hf_copies) and the original reader's options;
the original readers route to these when their path holds a Hugging Face copy. Row order is the
copy's; ids, inputs, references and metadata are the original reader's, so seeded subsets
(which hash ids) pick the same samples.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from evals.datasets.hf_copies import HFSource, columns_of, iter_rows, media_path
from evals.datasets.voice_prompts import Utterance, with_voice_prompts
from evals.task import DataNotFoundError
from evals.types import Audio, Image, Modality, Sample, Text

LIBRISPEECH = "id, audio {bytes, path}, text[, speaker_id, chapter_id]"
VCTK = "speaker_id, text, audio {bytes, path}[, text_id or file]"
COCO = "cocoid (or imgid, image_id, id), sentences (or captions), image {bytes} (or filepath + filename)[, split]"
MUSICCAPS = (
    "ytid, caption, start_s, end_s[, aspect_list, audio {bytes, path}, is_audioset_eval, ...]"
)


def _first(
    names: Sequence[str], candidates: Sequence[str], dataset: str, file: Path, layout: str
) -> str:
    for c in candidates:
        if c in names:
            return c
    raise DataNotFoundError(
        f"{dataset} (Hugging Face copy): {file} has none of the columns {', '.join(candidates)} "
        f"(it has: {', '.join(names)}).\nExpected columns: {layout}"
    )


def read_hf_librispeech(source: HFSource) -> Iterator[Sample]:
    """openslr/librispeech_asr rows: one utterance each, transcript as the reference."""
    optional = ("id", "file", "speaker_id", "chapter_id")
    for row in iter_rows(source, "LibriSpeech", ("audio", "text"), optional, LIBRISPEECH):
        audio = media_path(row["audio"], source, "librispeech")
        utt_id = row.get("id") or Path(str(row.get("file") or audio or "")).stem
        if not utt_id:
            raise DataNotFoundError(
                f"LibriSpeech (Hugging Face copy): {source.path}: a row has no id"
            )
        parts = str(utt_id).split("-")
        speaker = str(row.get("speaker_id") if row.get("speaker_id") is not None else parts[0])
        chapter = row.get("chapter_id")
        chapter = str(chapter) if chapter is not None else (parts[1] if len(parts) > 1 else "")
        yield Sample(
            id=str(utt_id),
            inputs=(Audio(path=str(audio), kind=Modality.SPEECH),),
            references=(Text(str(row["text"])),),
            metadata={"speaker": speaker, "chapter": chapter, "audio": str(audio)},
        )


def hf_vctk_utterances(source: HFSource, speakers: tuple[str, ...] = ()) -> Iterator[Utterance]:
    """CSTR-Edinburgh/vctk rows as utterances (mic2 duplicates skipped)."""
    wanted = set(speakers)
    rows = iter_rows(
        source, "VCTK", ("speaker_id", "text", "audio"), ("text_id", "file", "id"), VCTK
    )
    for row in rows:
        speaker = str(row["speaker_id"])
        if wanted and speaker not in wanted:
            continue
        name = str(row.get("file") or (row["audio"] or {}).get("path") or "")
        if "_mic2" in name:
            continue
        audio = media_path(row["audio"], source, "vctk")
        if audio is None:
            continue  # as in the original layout: a transcript without a recording
        stem = f"{speaker}_{row['text_id']}" if row.get("text_id") else Path(name).stem
        yield Utterance(stem.replace("_mic1", ""), speaker, str(row["text"]).strip(), audio, {})


def read_hf_vctk_tts(
    source: HFSource,
    prompt_seconds: float = 3.0,
    prompt_offset: float = 0.0,
    speakers: tuple[str, ...] = (),
) -> Iterator[Sample]:
    """Zero-shot TTS samples over a VCTK copy, with the same voice-prompt rule."""
    return with_voice_prompts(hf_vctk_utterances(source, speakers), prompt_seconds, prompt_offset)


def _captions(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    out = []
    for item in value or ():
        out.append(str(item.get("raw") if isinstance(item, dict) else item))
    return out


def read_hf_coco_captions(
    source: HFSource, split: str = "test", annotations: str = ""
) -> Iterator[Sample]:
    """COCO Karpathy rows (e.g. yerevann/coco-karpathy, with or without image bytes)."""
    file = source.files[0]
    names = columns_of(source, file)
    id_col = _first(names, ("cocoid", "imgid", "image_id", "id"), "COCO captions", file, COCO)
    cap_col = _first(names, ("sentences", "captions", "caption"), "COCO captions", file, COCO)
    img_col = _first(names, ("image", "filename", "file_name"), "COCO captions", file, COCO)
    optional = [c for c in ("filepath", "split") if c in names]
    rows = iter_rows(source, "COCO captions", (id_col, cap_col, img_col), optional, COCO)
    found = 0
    for row in rows:
        if "split" in row and row["split"] != split:
            continue
        found += 1
        value = row[img_col]
        if isinstance(value, str):
            value = str(Path(row.get("filepath") or "") / value)
        image = media_path(value, source, "coco")
        image_id = int(row[id_col])
        yield Sample(
            id=str(image_id),
            inputs=(Image(path=str(image)),),
            references=tuple(Text(c) for c in _captions(row[cap_col])),
            metadata={
                "image_id": image_id,
                "image": str(image),
                "split": f"karpathy-{split}",
                "references_from": file.name,
            },
        )
    if not found:
        raise DataNotFoundError(f"COCO captions: {source.path} has no image with split {split!r}")


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return repr([str(v) for v in value])
    return "" if value is None else str(value)


def read_hf_musiccaps(
    source: HFSource,
    input: str = "text",
    clip_seconds: float = 5.0,
    clip_offset: float = 0.0,
    split: str = "all",
    audio_dir: str | None = None,
) -> Iterator[Sample]:
    """google/MusicCaps rows (with an `audio` column where the copy has the clips)."""
    from evals.datasets.musiccaps import SPLITS, warn_missing_clips
    from evals.datasets.musiccaps import _sample as musiccaps_sample

    optional = (
        "start_s",
        "end_s",
        "aspect_list",
        "audioset_positive_labels",
        "author_id",
        "is_balanced_subset",
        "is_audioset_eval",
        "audio",
    )
    keep = SPLITS[split]
    clips_at = source.path  # where a missing clip was looked for: the copy's audio column
    missing, total = [], 0
    for raw in iter_rows(source, "MusicCaps", ("ytid", "caption"), optional, MUSICCAPS):
        row = {k: _csv_value(v) for k, v in raw.items() if k != "audio"}
        row.setdefault("start_s", "0")
        row.setdefault("end_s", "10")
        if not keep(row):
            continue
        total += 1
        audio = media_path(raw.get("audio"), source, "musiccaps")
        clips = {row["ytid"]: Path(audio)} if audio and Path(audio).is_file() else {}
        sample = musiccaps_sample(row, clips, clips_at, input, clip_seconds, clip_offset)
        if sample.metadata["audio"] is None:
            missing.append(sample.id)
        yield sample
    warn_missing_clips(missing, total, source.path)
