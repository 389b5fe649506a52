"""CLIP scores of generated images with open_clip, as distinct presets per formula and scorer.

- `clip_t@torchmetrics-<scorer>`: torchmetrics' `clip_score` formula, max(mean(100 * cos), 0):
  each image scores 100 * cos(image, prompt), the clamp is on the mean (the usual "CLIP score
  ~30" scale).
  (Hessel et al.'s CLIP-S and RefCLIP-S are in metrics.clip_s.)
- `clip_t-cos@<scorer>`: the raw cosine between image and prompt embeddings, averaged.
- `clip_i@<scorer>`: the cosine between the generated image and the real image the prompt
  describes (the COCO image of the caption), averaged. This is the reading of AnyGPT's
  text-to-image "CLIPscore" (0.65; SEED-LLaMA's image-to-image CLIP similarity protocol).

A failed, empty or unreadable generated image scores 0 (the preset's failure value). A sample
whose real image is missing or unreadable cannot be scored by clip_i and scores 0 as well, with
its own policy note; a task with no real images at all makes clip_i unavailable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from evals.media import MediaError, load_image
from evals.records import PredictionRecord
from evals.types import Image, Text
from metrics.audio_outputs import usable_output
from metrics.base import MeanMetric, MetricPreset, MetricUnavailable, SampleScore, directions
from metrics.clip_formulas import FORMULAS, Formula
from metrics.clip_model import ClipScorer, ClipSpec, clip_scorer

FAILED_IMAGE = "failed, empty or unreadable generated image"
NO_REFERENCE = "reference image missing or unreadable"
_EMBED_CACHE: dict[tuple[ClipSpec, str], np.ndarray] = {}
CACHE_LIMIT = 200_000


def generated_image(record: PredictionRecord) -> Image | None:
    return usable_output(record, Image)


def reference_image(record: PredictionRecord) -> Image | None:
    return next((p for p in record.sample.references if isinstance(p, Image)), None)


def prompt_text(record: PredictionRecord) -> str:
    """The caption the image should show: the first text reference, else the text input."""
    for part in (*record.sample.references, *record.sample.inputs):
        if isinstance(part, Text):
            return part.text
    raise ValueError(f"sample {record.sample_id} has no text to score the image against")


def embed_images(scorer: ClipScorer, images: Sequence[Image | None]) -> list[np.ndarray | None]:
    """Embeddings of images (None where missing or unreadable); file images are cached by path.
    Images are decoded as the scorer asks for them, one batch in memory at a time."""
    from PIL import Image as PILImage

    out: list[np.ndarray | None] = [None] * len(images)
    todo: list[int] = []

    def pixels():
        for i, image in enumerate(images):
            if image is None:
                continue
            key = (scorer.spec, image.path) if image.path else None
            if key in _EMBED_CACHE:
                out[i] = _EMBED_CACHE[key]
                continue
            try:
                im = PILImage.fromarray(load_image(image))
            except MediaError:
                continue
            todo.append(i)
            yield im

    embeddings = scorer.embed_images(pixels())
    if len(_EMBED_CACHE) > CACHE_LIMIT:
        _EMBED_CACHE.clear()
    for i, emb in zip(todo, embeddings):
        out[i] = emb
        if images[i].path:  # type: ignore[union-attr]
            _EMBED_CACHE[(scorer.spec, images[i].path)] = emb  # type: ignore[union-attr,index]
    return out


_TEXTS: dict[tuple[ClipSpec, tuple[str, ...]], np.ndarray] = {}


def embed_prompts(scorer: ClipScorer, texts: list[str]) -> np.ndarray:
    """Text embeddings, kept for the last text list (clip_t and clip_t-cos embed the same one)."""
    key = (scorer.spec, tuple(texts))
    if key not in _TEXTS:
        _TEXTS.clear()
        _TEXTS[key] = scorer.embed_texts(texts)
    return _TEXTS[key]


class ClipScore(MeanMetric):
    """Mean over samples of a formula of cos(generated image, target); see the module docstring."""

    @property
    def spec(self) -> ClipSpec:
        s = self.preset.settings
        return ClipSpec(s["scorer_id"], s["open_clip_model"], s["pretrained"], s["quick_gelu"])

    @property
    def formula(self) -> Formula:
        """The formula the preset names (metrics.clip_formulas)."""
        return FORMULAS[self.preset.settings["formula"]]

    def scorer(self) -> ClipScorer:
        return clip_scorer(self.spec, resolve_device("auto"))

    def reduce(self, stats: np.ndarray) -> float:
        return float(self.formula.reduce(stats[:, 0])) if len(stats) else float("nan")

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return self.formula.reduce(stats[:, 0][indices])

    def targets(self, scorer: ClipScorer, records: Sequence[PredictionRecord]) -> list:
        if self.preset.settings["target"] == "prompt":
            return list(embed_prompts(scorer, [prompt_text(r) for r in records]))
        refs = [reference_image(r) for r in records]
        if all(ref is None for ref in refs):
            raise MetricUnavailable(
                f"{self.name} compares with the real image, and no sample has one "
                "(a t2i manifest needs an `image` per row)"
            )
        return embed_images(scorer, refs)

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        if not records:
            return []
        scorer = self.scorer()
        targets = self.targets(scorer, records)
        generated = embed_images(scorer, [generated_image(r) for r in records])
        formula = self.formula.value
        failure = float(self.preset.settings["failure_value"])
        out = []
        for gen, target in zip(generated, targets):
            if gen is None or target is None:
                why = FAILED_IMAGE if gen is None else NO_REFERENCE
                out.append(SampleScore((failure,), failure, policy=why))
                continue
            cos = float(np.dot(gen, target))
            value = float(formula(np.float64(cos)))
            out.append(SampleScore((value,), value, details={"cosine": cos}))
        return out

    def describe(self) -> dict[str, Any]:
        return self.scorer().describe()


def scorer_settings(hub_id: str, model: str, pretrained: str, quick_gelu: bool) -> dict:
    """The pinned settings of one open_clip scorer, shared by every CLIP preset on it."""
    return {
        "scorer_id": hub_id,
        "open_clip_model": model,
        "pretrained": pretrained,
        "quick_gelu": quick_gelu,
        "preprocess": "open_clip's transform for the model (resize shortest side, bicubic; "
        "center crop; CLIP mean/std)",
        "text": "open_clip tokenizer, truncated to 77 tokens",
        "precision": "float32",
        "failure_value": 0.0,
    }


SCORERS = (
    ("timm/vit_large_patch14_clip_224.openai", "ViT-L-14", "openai", "openai-vit-l-14", True),
    ("timm/vit_base_patch32_clip_224.openai", "ViT-B-32", "openai", "openai-vit-b-32", True),
)
"""(hub id, open_clip model, pretrained tag, preset slug, quick_gelu) of the pinned scorers."""


def clip_presets(hub_id: str, model: str, pretrained: str, slug: str, quick_gelu: bool):
    """The three CLIP presets of one open_clip scorer (register more scorers with this)."""
    scorer = scorer_settings(hub_id, model, pretrained, quick_gelu)
    return (
        MetricPreset(
            name=f"clip_t@torchmetrics-{slug}",
            metric="clip_t",
            description=f"CLIP score max(mean(100*cos(image, prompt)), 0) (torchmetrics clip_score), {model} {pretrained}",
            higher_is_better=True,
            scale="x100",
            aggregation="mean",
            settings={
                **scorer,
                "target": "prompt",
                "formula": "torchmetrics",
                "clamp": "on the mean: max(mean(100*cos), 0), as torchmetrics.functional."
                "multimodal.clip_score; per image 100*cos, unclamped",
            },
            directions=directions("text>image"),
            version="2",
        ),
        MetricPreset(
            name=f"clip_t-cos@{slug}",
            metric="clip_t-cos",
            description=f"cosine(image, prompt) of CLIP embeddings, mean, {model} {pretrained}",
            higher_is_better=True,
            scale="cosine",
            aggregation="mean",
            settings={**scorer, "target": "prompt", "formula": "cosine", "clamp": "none"},
            directions=directions("text>image"),
        ),
        MetricPreset(
            name=f"clip_i@{slug}",
            metric="clip_i",
            description=f"cosine(generated image, real image) of CLIP embeddings, mean, {model} {pretrained}",
            higher_is_better=True,
            scale="cosine",
            aggregation="mean",
            settings={**scorer, "target": "reference image", "formula": "cosine", "clamp": "none"},
            directions=directions("text>image", "image>image"),
        ),
    )


CLIP_PRESETS = tuple(p for args in SCORERS for p in clip_presets(*args))
