"""MusicCaps (Agostinelli et al. 2023): the public CSV plus a folder of clips named by YouTube id.

Layout (`--data TASK=PATH` points at the folder, or straight at the CSV):

    MusicCaps/musiccaps-public.csv      ytid,start_s,end_s,audioset_positive_labels,aspect_list,
                                        caption,author_id,is_balanced_subset,is_audioset_eval
    MusicCaps/audio/<ytid>.<ext>        (or clips/, wav/, music_data/, or next to the CSV)

A clip file is either the 10 s MusicCaps segment itself or the whole video's audio; the rule: a
file longer than the segment (end_s - start_s) by more than 1 s is the whole video, read from
start_s; otherwise it is the segment, read from 0. The protocol window is `clip_seconds` from
`clip_offset` into the segment (AnyGPT: the first 5 s). Models resample it themselves.

Most copies are incomplete (videos get taken down). A row whose clip is missing, too short for
the window or unreadable by header is still yielded, with the reason in `metadata["problem"]`;
the music tasks fail it as an input error, so every task and every model is evaluated on the same
rows and the integrity counts show how complete the copy is. The reader logs how many clips are
missing and the first ids.
"""

from __future__ import annotations

import ast
import csv
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from evals.datasets.common import require_dir
from evals.datasets.hf_copies import or_hf_copy
from evals.datasets.hf_layouts import read_hf_musiccaps
from evals.task import DataNotFoundError
from evals.types import Audio, Modality, Sample, Text

log = logging.getLogger("anybench")

CSV_NAME = "musiccaps-public.csv"
CLIP_DIRS = ("audio", "clips", "wav", "music_data")
CLIP_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".opus", ".m4a", ".webm")
FULL_VIDEO_MARGIN_S = 1.0
"""A file longer than the segment by more than this is taken to be the whole video's audio."""
SHORT_TOLERANCE_S = 0.05
"""A window may come up this much short before the clip counts as too short (codec padding)."""
COLUMNS = ("ytid", "start_s", "end_s", "caption")
SPLITS = {
    "all": lambda row: True,
    "audioset-eval": lambda row: row.get("is_audioset_eval") == "True",
    "balanced": lambda row: row.get("is_balanced_subset") == "True",
}

LAYOUT = f"""  MusicCaps/{CSV_NAME}   (columns: {", ".join(COLUMNS)}, aspect_list, ...)
  MusicCaps/audio/<ytid>.wav           one file per clip, any audio extension; the 10 s segment
                                       or the whole video (read from start_s)"""


def find_csv(path: Path) -> Path:
    if path.is_file():
        return path
    require_dir(path, "MusicCaps", LAYOUT)
    candidate = path / CSV_NAME
    if candidate.is_file():
        return candidate
    others = sorted(path.glob("*.csv"))
    if len(others) == 1:
        return others[0]
    raise DataNotFoundError(
        f"MusicCaps: no {CSV_NAME} in {path}"
        + (f" (found {', '.join(p.name for p in others)}: point --data at one)" if others else "")
        + f".\nExpected layout:\n{LAYOUT}"
    )


def find_clip_dir(csv_path: Path, audio_dir: str | None) -> Path:
    if audio_dir:
        folder = Path(audio_dir) if Path(audio_dir).is_absolute() else csv_path.parent / audio_dir
        return require_dir(folder, "MusicCaps clips", LAYOUT)
    for name in CLIP_DIRS:
        if (csv_path.parent / name).is_dir():
            return csv_path.parent / name
    return csv_path.parent


def index_clips(folder: Path) -> dict[str, Path]:
    """Clip files by stem (the YouTube id); one directory scan, no decoding."""
    clips: dict[str, Path] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            stem, ext = os.path.splitext(entry.name)
            if ext.lower() in CLIP_EXTENSIONS and entry.is_file():
                clips.setdefault(stem, Path(entry.path))
    return clips


def clip_window(
    path: Path, start_s: float, end_s: float, clip_offset: float, clip_seconds: float
) -> tuple[float, str, str | None]:
    """(offset into the file, `segment` or `full-video`, problem or None) from the file header."""
    import soundfile as sf

    try:
        total = sf.info(str(path)).duration
    except Exception as exc:  # unreadable header: the load at request time names the error
        return clip_offset, "unknown", f"{path}: not readable as audio ({exc})"
    segment = end_s - start_s
    source = "full-video" if total > segment + FULL_VIDEO_MARGIN_S else "segment"
    offset = (start_s if source == "full-video" else 0.0) + clip_offset
    available = total - offset
    if available < clip_seconds - SHORT_TOLERANCE_S:
        return (
            offset,
            source,
            f"{path}: too short: {available:.2f} s from {offset:.2f} s, the protocol needs {clip_seconds:g} s",
        )
    return offset, source, None


def _aspects(raw: str) -> list[str]:
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return [raw] if raw else []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


@or_hf_copy(read_hf_musiccaps)
def read_musiccaps(
    path: Path,
    input: Literal["text", "music"] = "text",
    clip_seconds: float = 5.0,
    clip_offset: float = 0.0,
    split: str = "all",
    audio_dir: str | None = None,
) -> Iterator[Sample]:
    """MusicCaps rows in CSV order: the caption or the clip as input, both as references."""
    csv_path = find_csv(path)
    clips_at = find_clip_dir(csv_path, audio_dir)
    clips = index_clips(clips_at)
    keep = SPLITS[split]
    missing: list[str] = []
    total = 0
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if absent:
            raise DataNotFoundError(
                f"MusicCaps: {csv_path} lacks column(s) {', '.join(absent)}.\nExpected:\n{LAYOUT}"
            )
        for row in reader:
            if not keep(row):
                continue
            total += 1
            sample = _sample(row, clips, clips_at, input, clip_seconds, clip_offset)
            if sample.metadata["audio"] is None:
                missing.append(sample.id)
            yield sample
    warn_missing_clips(missing, total, clips_at)


def warn_missing_clips(missing: list[str], total: int, where: object) -> None:
    """One warning for the clips a copy lacks (they fail as input errors and are counted)."""
    if missing:
        log.warning(
            "MusicCaps: %d of %d clips missing in %s (first: %s); they fail as input errors",
            len(missing),
            total,
            where,
            ", ".join(missing[:5]),
        )


def _sample(
    row: dict[str, str],
    clips: dict[str, Path],
    clips_at: Path,
    input: str,
    clip_seconds: float,
    clip_offset: float,
) -> Sample:
    ytid = row["ytid"]
    start, end = float(row["start_s"]), float(row["end_s"])
    path = clips.get(ytid)
    if path is None:
        offset, source = clip_offset, "missing"
        problem: str | None = f"MusicCaps clip {ytid} not found in {clips_at} (looked for {ytid}.*)"
    else:
        offset, source, problem = clip_window(path, start, end, clip_offset, clip_seconds)
    audio = Audio(
        path=str(path or clips_at / ytid),
        kind=Modality.MUSIC,
        offset=offset,
        duration=clip_seconds,
    )
    caption = Text(row["caption"])
    meta: dict[str, Any] = {
        "ytid": ytid,
        "start_s": start,
        "end_s": end,
        "aspects": _aspects(row.get("aspect_list", "")),
        "audioset_labels": row.get("audioset_positive_labels", ""),
        "author_id": row.get("author_id", ""),
        "is_balanced_subset": row.get("is_balanced_subset") == "True",
        "is_audioset_eval": row.get("is_audioset_eval") == "True",
        "audio": str(path) if path else None,
        "clip_source": source,
        "clip_offset": offset,
        "clip_seconds": clip_seconds,
        "problem": problem,
    }
    inputs = (caption,) if input == "text" else (audio,)
    return Sample(id=ytid, inputs=inputs, references=(caption, audio), metadata=meta)
