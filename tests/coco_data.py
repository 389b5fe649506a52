"""Test helper: a small MS-COCO folder in the official layout, images drawn with Pillow.

<root>/annotations/captions_val2014.json   images[{id, file_name, ...}], annotations[{id, image_id, caption}]
<root>/dataset_coco.json                   Karpathy split file (test / val / restval / train)
<root>/val2014/COCO_val2014_<12-digit id>.jpg
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tests.caption_data import make_captions


@dataclass(frozen=True)
class CocoFixture:
    root: Path
    ids: dict[str, list[int]]
    """Image ids per Karpathy split."""
    captions: dict[int, list[str]]
    """Annotation captions per image id, in file order."""


def draw_image(path: Path, seed: int, size: tuple[int, int]) -> None:
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", size, tuple(int(c) for c in rng.integers(0, 255, 3)))
    draw = ImageDraw.Draw(im)
    for _ in range(4):
        x0, y0 = rng.integers(0, size[0] // 2), rng.integers(0, size[1] // 2)
        box = (
            int(x0),
            int(y0),
            int(x0 + rng.integers(8, size[0] // 2)),
            int(y0 + rng.integers(8, size[1] // 2)),
        )
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=color)
    im.save(path, quality=90)


def write_coco(root: Path, n: dict[str, int] | None = None, seed: int = 0) -> CocoFixture:
    """A COCO folder with n[split] images per Karpathy split (all from val2014)."""
    n = n or {"test": 12, "val": 3, "restval": 2}
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "val2014").mkdir(exist_ok=True)
    total = sum(n.values())
    _, refs = make_captions(total, n_refs=5, seed=seed)
    refs[1].append("An extra sixth caption, as some COCO images have.")
    ids = [100000 + 7919 * i for i in range(total)]
    images, annotations, karpathy = [], [], []
    by_split: dict[str, list[int]] = {s: [] for s in n}
    ann_id = 1
    splits = [s for s in n for _ in range(n[s])]
    for i, (image_id, split, caps) in enumerate(zip(ids, splits, refs)):
        name = f"COCO_val2014_{image_id:012d}.jpg"
        size = (48 + 8 * (i % 3), 40 + 4 * (i % 2))
        draw_image(root / "val2014" / name, seed * 1000 + i, size)
        images.append({"id": image_id, "file_name": name, "width": size[0], "height": size[1]})
        for cap in caps:
            annotations.append({"id": ann_id, "image_id": image_id, "caption": cap})
            ann_id += 1
        karpathy.append(
            {
                "filepath": "val2014",
                "filename": name,
                "cocoid": image_id,
                "imgid": i,
                "split": split,
                "sentences": [{"raw": c.strip(), "tokens": c.lower().split()} for c in caps],
            }
        )
        by_split[split].append(image_id)
    karpathy.append(
        {"filepath": "train2014", "filename": "COCO_train2014_000000000009.jpg", "cocoid": 9,
         "split": "train", "sentences": [{"raw": "a train image", "tokens": ["a"]}]}
    )  # fmt: skip
    coco = {
        "info": {"description": "test"},
        "images": images,
        "licenses": [],
        "annotations": annotations,
    }
    (root / "annotations" / "captions_val2014.json").write_text(json.dumps(coco))
    (root / "dataset_coco.json").write_text(json.dumps({"images": karpathy, "dataset": "coco"}))
    captions = {image_id: caps for image_id, caps in zip(ids, refs)}
    return CocoFixture(root, by_split, captions)
