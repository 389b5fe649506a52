"""Helpers shared by dataset readers: clear errors for missing data, audio file lookup."""

from __future__ import annotations

from pathlib import Path

from evals.task import DataNotFoundError

AUDIO_EXTENSIONS = (".flac", ".wav", ".ogg", ".mp3", ".opus")


def require_dir(path: Path, dataset: str, layout: str, hint: str = "") -> Path:
    """`path` if it is a folder, else a DataNotFoundError naming the path and the expected layout."""
    if path.is_dir():
        return path
    what = "is a file, not a folder" if path.exists() else "does not exist"
    extra = f"\n{hint}" if hint else ""
    raise DataNotFoundError(f"{dataset}: {path} {what}.\nExpected layout:\n{layout}{extra}")


def require_file(path: Path, dataset: str, layout: str, hint: str = "") -> Path:
    if path.is_file():
        return path
    what = "is a folder, not a file" if path.exists() else "does not exist"
    extra = f"\n{hint}" if hint else ""
    raise DataNotFoundError(f"{dataset}: {path} {what}.\nExpected:\n{layout}{extra}")


def find_audio(
    folder: Path, stem: str, extensions: tuple[str, ...] = AUDIO_EXTENSIONS
) -> Path | None:
    for ext in extensions:
        candidate = folder / f"{stem}{ext}"
        if candidate.exists():
            return candidate
    return None
