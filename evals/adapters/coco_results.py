"""COCO caption results files as predictions: `[{"image_id": 42, "caption": "..."}, ...]`.

The format the COCO evaluation server and pycocotools' `loadRes` accept, so captions made
elsewhere (a paper's released results, another harness) can be scored here. Image ids become
sample ids (`str(image_id)`); extra keys are kept. A file with two captions for one image is
refused, as the official evaluation refuses it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.errors import UserError


class CocoResultsError(UserError, ValueError):
    """A COCO results file that cannot be used; names the file and the entry."""


def is_coco_results(path: Path) -> bool:
    """True for a file whose JSON starts with an array (COCO results), not JSONL objects."""
    with open(path, "rb") as f:
        head = f.read(4096).lstrip()
    return head[:1] == b"["


def load_coco_results(path: Path, media: Path | None = None) -> dict[str, dict[str, Any]]:
    """Rows keyed like the predictions adapter's table ("<task>\\0<id>", task empty)."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CocoResultsError(f"{path}: not valid JSON ({exc})") from None
    rows: dict[str, dict[str, Any]] = {}
    duplicates: list[str] = []
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or "image_id" not in entry
            or not isinstance(entry.get("caption"), str)
        ):
            raise CocoResultsError(
                f'{path}: entry {index} is not {{"image_id": ..., "caption": "..."}}: '
                f"{json.dumps(entry)[:200]}"
            )
        key = str(entry["image_id"])
        if f"\0{key}" in rows:
            duplicates.append(key)
        extra = {k: v for k, v in entry.items() if k not in ("image_id", "caption")}
        rows[f"\0{key}"] = {**extra, "id": key, "text": entry["caption"]}
    if duplicates:
        raise CocoResultsError(
            f"{path}: {len(duplicates)} image id(s) have more than one caption "
            f"(e.g. {', '.join(duplicates[:5])}); the COCO evaluation takes one per image"
        )
    return rows
