"""Image captioning: MS-COCO Karpathy test (the AnyGPT protocol) and manifests.

AnyGPT (arXiv 2402.12226, Table 2) reports CIDEr on the MS-COCO 2014 Karpathy test split
(5,000 images) against captioning baselines. Every caption metric follows coco-caption
(pycocoevalcap 1.2, PTB tokenizer) on the x100 scale; the headline is CIDEr-D, the number
papers label "CIDEr". Ground-truth rows (`--model reference`) return one human caption and are
scored against the image's other captions.
"""

from __future__ import annotations

from evals.datasets.coco import read_coco_captions
from evals.datasets.image_manifest import read_caption_manifest
from evals.registry import TASKS
from evals.task import DataSource, Task
from evals.types import Modality

CAPTION_METRICS = (
    "cider-d@coco",
    "bleu-4@coco",
    "bleu-1@coco",
    "bleu-2@coco",
    "bleu-3@coco",
    "meteor@coco",
    "rouge-l@coco",
    "spice@coco",
)

COCO_CAPTION = Task(
    name="coco-caption",
    family="caption",
    description="image captioning on the MS-COCO Karpathy test split (5,000 images), CIDEr-D",
    data=DataSource(read_coco_captions, root="coco", root_env="ANYBENCH_COCO"),
    input=Modality.IMAGE,
    output=Modality.TEXT,
    metrics=CAPTION_METRICS,
    protocol="AnyGPT Table 2: CIDEr on MS-COCO 2014 Karpathy test (coco-caption, x100)",
)
TASKS.register(COCO_CAPTION.name, COCO_CAPTION)

TASKS.register(
    "manifest-caption",
    Task(
        name="manifest-caption",
        family="caption",
        description="image captioning over a JSONL manifest (id, image, captions), CIDEr-D",
        data=DataSource(
            read_caption_manifest,
            root="manifest-caption.jsonl",
            root_env="ANYBENCH_CAPTION_MANIFEST",
        ),
        input=Modality.IMAGE,
        output=Modality.TEXT,
        metrics=CAPTION_METRICS,
    ),
)
