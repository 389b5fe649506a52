"""MS-COCO captions: the Karpathy test split for captioning, and a seeded caption draw for
text-to-image, read from the files as distributed (streamed, see evals.datasets.json_stream).

Captioning (`read_coco_captions`): the images of one Karpathy split (`test`: 5,000 images, the
protocol of captioning papers) with all their human captions as references. The captions come
from the official annotation file (`captions_val2014.json`, the input of the COCO evaluation
server and of pycocoevalcap's COCOEvalCap), in its order; when that file is absent, from the
Karpathy file's `raw` sentences (the same captions), and each sample records which was used.

Text-to-image (`read_coco_t2i`): `n` images of val2014 chosen by a seeded hash of their id, one
caption each, chosen by a seeded hash of the annotation id. The draw depends only on the ids and
the seed (not on file order), so it is the same on every machine; each sample records its image
id, annotation id and the draw.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evals.datasets.common import require_dir
from evals.datasets.hf_copies import or_hf_copy
from evals.datasets.hf_layouts import read_hf_coco_captions
from evals.datasets.json_stream import iter_array
from evals.task import DataNotFoundError
from evals.types import Image, Sample, Text

ANNOTATIONS = "annotations/captions_val2014.json"
KARPATHY_NAMES = (
    "dataset_coco.json",
    "karpathy/dataset_coco.json",
    "annotations/dataset_coco.json",
)

LAYOUT = """  <coco>/                                 e.g. ~/data/coco ($ANYBENCH_COCO)
    annotations/captions_val2014.json     images[{id, file_name}], annotations[{id, image_id, caption}]
    dataset_coco.json                     Karpathy split: images[{filepath, filename, cocoid, split,
                                          sentences[{raw, tokens}]}] (also looked for in karpathy/)
    val2014/COCO_val2014_000000391895.jpg ..."""


def _karpathy_file(root: Path) -> Path:
    for name in KARPATHY_NAMES:
        if (root / name).is_file():
            return root / name
    looked = ", ".join(str(root / n) for n in KARPATHY_NAMES)
    raise DataNotFoundError(
        f"COCO captions: no Karpathy split file (looked for {looked}).\nExpected layout:\n{LAYOUT}"
    )


def _annotation_file(root: Path, name: str) -> Path:
    path = root / name
    if not path.is_file():
        raise DataNotFoundError(
            f"COCO captions: {path} does not exist.\nExpected layout:\n{LAYOUT}"
        )
    return path


def _captions_by_image(path: Path, wanted: set[int]) -> dict[int, list[str]]:
    captions: dict[int, list[str]] = {}
    for ann in iter_array(path, "annotations"):
        image_id = int(ann["image_id"])
        if image_id in wanted:
            captions.setdefault(image_id, []).append(str(ann["caption"]))
    return captions


@or_hf_copy(read_hf_coco_captions)
def read_coco_captions(
    root: Path, split: str = "test", annotations: str = ANNOTATIONS
) -> Iterator[Sample]:
    """Images of Karpathy split `split`, in the split file's order, with all their captions."""
    require_dir(root, "COCO captions", LAYOUT)
    karpathy = _karpathy_file(root)
    entries = [e for e in iter_array(karpathy, "images") if e.get("split") == split]
    if not entries:
        raise DataNotFoundError(f"COCO captions: {karpathy} has no image with split {split!r}")
    ann_path = root / annotations if (root / annotations).is_file() else None
    source = ann_path.name if ann_path else karpathy.name
    captions = _captions_by_image(ann_path, {int(e["cocoid"]) for e in entries}) if ann_path else {}
    for entry in entries:
        image_id = int(entry["cocoid"])
        if ann_path:
            refs = captions.get(image_id)
            if not refs:
                raise DataNotFoundError(
                    f"COCO captions: image {image_id} of the Karpathy {split} split has no caption "
                    f"in {ann_path} (is it the val2014 annotation file?)"
                )
        else:
            refs = [s["raw"] for s in entry.get("sentences", [])]
        image = root / entry.get("filepath", "") / entry["filename"]
        yield Sample(
            id=str(image_id),
            inputs=(Image(path=str(image)),),
            references=tuple(Text(c) for c in refs),
            metadata={
                "image_id": image_id,
                "image": str(image),
                "split": f"karpathy-{split}",
                "references_from": source,
            },
        )


def draw_key(kind: str, seed: int, ident: int) -> int:
    """Uniform 64-bit key of an id under a seed; the draw keeps the smallest keys."""
    digest = hashlib.sha256(f"coco-t2i:{kind}:{seed}:{ident}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def read_coco_t2i(
    root: Path,
    n: int = 30000,
    seed: int = 0,
    annotations: str = ANNOTATIONS,
    images: str = "val2014",
) -> Iterator[Sample]:
    """`n` val2014 images drawn by seeded hash, one caption each; in image-id order.

    Input: the caption. References: the caption and the real image (for CLIP-I and FID).
    """
    require_dir(root, "COCO captions", LAYOUT)
    ann_path = _annotation_file(root, annotations)
    heap: list[tuple[int, int, str]] = []  # (-key, image id, file name): the n smallest keys
    for img in iter_array(ann_path, "images"):
        item = (-draw_key("image", seed, int(img["id"])), int(img["id"]), str(img["file_name"]))
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)
    chosen = {image_id: name for _, image_id, name in heap}
    best: dict[int, tuple[int, int, str]] = {}  # image id -> (key, annotation id, caption)
    for ann in iter_array(ann_path, "annotations"):
        image_id = int(ann["image_id"])
        if image_id not in chosen:
            continue
        key = draw_key("caption", seed, int(ann["id"]))
        if image_id not in best or key < best[image_id][0]:
            best[image_id] = (key, int(ann["id"]), str(ann["caption"]))
    draw: dict[str, Any] = {"n": n, "seed": seed, "drawn": len(best), "rule": "sha256 min-key"}
    for image_id in sorted(best):
        _, ann_id, caption = best[image_id]
        image = root / images / chosen[image_id]
        yield Sample(
            id=str(image_id),
            inputs=(Text(caption.strip()),),
            references=(Text(caption.strip()), Image(path=str(image))),
            metadata={
                "image_id": image_id,
                "annotation_id": ann_id,
                "image": str(image),
                "draw": draw,
            },
        )
