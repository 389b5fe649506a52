"""Text-to-image: MS-COCO captions (the AnyGPT protocol, 30k prompts) and manifests.

AnyGPT (arXiv 2402.12226v5, Table 3) generates images for 30k captions drawn from MS-COCO val
and reports a "CLIPscore" around 0.65 next to GILL and Emu. Those numbers sit on the cosine
scale and follow SEED-LLaMA's protocol of comparing the generated image with the real COCO image
in CLIP space, so the headline preset is clip_i (cosine of ViT-L/14 image embeddings,
generated vs real). The text-image scores are reported beside it: the torchmetrics CLIP score
(100 * max(cos, 0)) and the raw cosine, plus FID against the real images when the Inception
weights are on the machine. The 30k draw is seeded and recorded in every sample's metadata.
Ground-truth rows (`--model reference`) return the real image: their clip_t is the level real
COCO images reach, their clip_i is 1 by construction.
"""

from __future__ import annotations

from evals.datasets.coco import read_coco_t2i
from evals.datasets.image_manifest import read_t2i_manifest
from evals.registry import TASKS
from evals.task import DataSource, Task
from evals.types import Modality

T2I_METRICS = (
    "clip_i@openai-vit-l-14",
    "clip_t@torchmetrics-openai-vit-l-14",
    "clip_t-cos@openai-vit-l-14",
    "fid@inception-v3-2048",
)
DRAW = {"n": 30000, "seed": 0}

COCO_T2I = Task(
    name="coco-t2i",
    family="t2i",
    description="text-to-image on 30k MS-COCO val2014 captions (one per image, seeded draw), CLIP-I",
    data=DataSource(read_coco_t2i, root="coco", root_env="ANYBENCH_COCO", options=DRAW),
    input=Modality.TEXT,
    output=Modality.IMAGE,
    metrics=T2I_METRICS,
    protocol="AnyGPT Table 3: text-to-image on 30k MS-COCO val captions; headline clip_i "
    "(cosine of CLIP ViT-L/14 embeddings of generated and real image, comparable to 0.65); "
    "draw: sha256 min-key of image ids and annotation ids, seed 0",
)
TASKS.register(COCO_T2I.name, COCO_T2I)

TASKS.register(
    "manifest-t2i",
    Task(
        name="manifest-t2i",
        family="t2i",
        description="text-to-image over a JSONL manifest (id, text[, image]), CLIP scores",
        data=DataSource(
            read_t2i_manifest, root="manifest-t2i.jsonl", root_env="ANYBENCH_T2I_MANIFEST"
        ),
        input=Modality.TEXT,
        output=Modality.IMAGE,
        metrics=T2I_METRICS,
    ),
)
