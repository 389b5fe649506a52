"""Cheap content fingerprints of a run's inputs, so an input edited in place never resumes a run.

- A file given directly (a manifest, a predictions JSONL) is hashed by content; a weight file
  by its safetensors header, or its size and mtime.
- A folder (a dataset, a checkpoint) by a listing: every file's relative name, and its content
  hash for small text files (configs, tokenizers, transcripts, manifests), else its size and
  mtime (or safetensors header) (audio, images, weights). Renaming, adding, removing or
  rewriting a file changes it.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SMALL_FILE_BYTES = 256 * 1024
"""Text files in a folder up to this size are hashed by content; larger ones by size and mtime."""
TEXT_SUFFIXES = frozenset(
    {".json", ".jsonl", ".yaml", ".yml", ".txt", ".csv", ".tsv", ".model", ".cfg", ".toml"}
)
"""Configs, tokenizers, transcripts and manifests: hashed by content inside a folder (media and
weights are not read: their size and mtime stand for them)."""
WEIGHT_SUFFIXES = frozenset({".bin", ".safetensors", ".pt", ".pth", ".ckpt", ".onnx", ".gguf"})
"""Weight files: never read whole (their header, or size and mtime, stand for them)."""
CHUNK = 1 << 20


def _content(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _safetensors_header(path: Path) -> str | None:
    """Hash of a safetensors file's JSON header (tensor names, dtypes, shapes, offsets)."""
    try:
        with open(path, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            if size > 100 * CHUNK:
                return None
            return hashlib.sha256(f.read(size)).hexdigest()
    except (OSError, struct.error):
        return None


def file_fingerprint(path: Path, in_folder: bool = False) -> str:
    """One file: its content hash; a weight file (or, inside a folder, anything but a small
    text file) by its safetensors header or its size and mtime."""
    st = path.stat()
    header = _safetensors_header(path) if path.suffix == ".safetensors" else None
    if header is not None:
        return f"st:{header}:{st.st_size}"
    small_text = path.suffix in TEXT_SUFFIXES and st.st_size <= SMALL_FILE_BYTES
    if path.suffix in WEIGHT_SUFFIXES or (in_folder and not small_text):
        return f"stat:{st.st_size}:{st.st_mtime_ns}"
    return f"sha:{_content(path)}"


def folder_fingerprint(path: Path) -> str:
    """A folder's listing: relative names with each file's fingerprint (see the module doc)."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(path, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            full = Path(root) / name
            rel = full.relative_to(path).as_posix()
            try:
                fp = file_fingerprint(full, in_folder=True)
            except OSError:
                fp = "unreadable"
            h.update(f"{rel}\0{fp}\n".encode())
    return h.hexdigest()


def path_fingerprint(path: str | os.PathLike) -> str:
    """A short fingerprint of a file or folder ('' when it does not exist)."""
    p = Path(path)
    if p.is_file():
        full = file_fingerprint(p)
    elif p.is_dir():
        full = "dir:" + folder_fingerprint(p)
    else:
        return ""
    return hashlib.sha256(full.encode()).hexdigest()[:16]


def model_fingerprints(options: Mapping[str, Any]) -> dict[str, str]:
    """Fingerprints of every model option whose value is an existing local file or folder."""
    out = {}
    for key, value in sorted(options.items()):
        if isinstance(value, str | os.PathLike) and str(value) and Path(value).exists():
            out[key] = path_fingerprint(value)
    return out


def describe_change(what: str, old: str, new: str) -> str:
    """`what` changed since the run was made, for one-line refusals."""
    return f"{what} changed since this run was made (fingerprint {old} -> {new or 'missing'})"
