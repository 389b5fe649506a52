"""JSONL manifests for the image tasks (rows as in evals.datasets.manifest; paths relative to it).

Captioning: `{"id": "1", "image": "imgs/1.jpg", "captions": ["a dog ...", "..."]}` (or a single
`"text"` caption). Text-to-image: `{"id": "1", "text": "a dog on a sofa"[, "image": "real.jpg"]}`;
the optional real image is the reference for CLIP-I and FID.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from evals.datasets.manifest import ManifestError, read_rows
from evals.types import Image, Sample, Text


def _captions(row: dict, path: Path) -> list[str]:
    captions = row.get("captions", [row["text"]] if "text" in row else None)
    if (
        not isinstance(captions, list)
        or not captions
        or not all(isinstance(c, str) for c in captions)
    ):
        raise ManifestError(
            f"{path}: row {row['id']!r} needs `captions` (a non-empty list of strings) or `text`"
        )
    return captions


def read_caption_manifest(path: Path) -> Iterator[Sample]:
    """Captioning samples: the image in, every caption as a reference."""
    for row in read_rows(path, ("id", "image")):
        captions = _captions(row, path)
        yield Sample(
            id=row["id"],
            inputs=(Image(path=row["image"]),),
            references=tuple(Text(c) for c in captions),
            metadata={k: v for k, v in row.items() if k not in ("id", "captions", "text")},
        )


def read_t2i_manifest(path: Path) -> Iterator[Sample]:
    """Text-to-image samples: the prompt in; the prompt and the real image (if any) as references."""
    for row in read_rows(path, ("id", "text")):
        refs: tuple = (Text(row["text"]),)
        if row.get("image"):
            refs += (Image(path=row["image"]),)
        yield Sample(
            id=row["id"],
            inputs=(Text(row["text"]),),
            references=refs,
            metadata={k: v for k, v in row.items() if k not in ("id", "text")},
        )
