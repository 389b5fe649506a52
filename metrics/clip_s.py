"""Hessel et al.'s CLIPScore (CLIP-S) and RefCLIP-S (EMNLP 2021), as their reference code does it.

A pair is an image and a caption: for a captioning record the input image and the generated
caption, for a text-to-image record the generated image and its prompt. The caption is embedded
with the prefix "A photo depicts "; CLIP-S = 2.5 * max(cos, 0) per pair, averaged. RefCLIP-S
(captioning records) is the harmonic mean of CLIP-S and max(max_r cos(caption, reference r), 0)
over the sample's text references, embedded without the prefix (the reference code embeds the
prefixed candidate against the plain references). The reference code leaves the reference-side
maximum unclamped; the paper clamps it, and so do we (they differ only where every reference
cosine is negative).

Policy: a failed or empty caption, a failed or unreadable image, scores 0 and is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from evals.records import PredictionRecord
from evals.types import Image, Text
from metrics.audio_outputs import usable_output
from metrics.base import MeanMetric, MetricPreset, MetricUnavailable, SampleScore, directions
from metrics.clip_formulas import CLIP_S_PREFIX, CLIP_S_WEIGHT, clip_s, ref_clip_s
from metrics.clip_model import ClipSpec, clip_scorer
from metrics.clip_score import SCORERS, embed_images, generated_image, scorer_settings

NO_PAIR = "failed or empty caption, or failed or unreadable image"
NO_REFERENCES = "no reference captions"


def pair(record: PredictionRecord) -> tuple[Image | None, str | None]:
    """(image, caption) of a record: the generated one and the one it was made from."""
    if isinstance(record.response.output, Image) or generated_image(record) is not None:
        prompt = next((p.text for p in record.sample.inputs if isinstance(p, Text)), None)
        return generated_image(record), prompt
    image = next((p for p in record.sample.inputs if isinstance(p, Image)), None)
    caption = usable_output(record, Text)
    text = caption.text.strip() if isinstance(caption, Text) else ""
    return image, text or None


def reference_captions(record: PredictionRecord) -> list[str]:
    return [p.text for p in record.sample.references if isinstance(p, Text) and p.text.strip()]


class ClipS(MeanMetric):
    """CLIP-S, or RefCLIP-S when the preset says `references: true`."""

    @property
    def spec(self) -> ClipSpec:
        s = self.preset.settings
        return ClipSpec(s["scorer_id"], s["open_clip_model"], s["pretrained"], s["quick_gelu"])

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        if not records:
            return []
        settings = self.preset.settings
        scorer = clip_scorer(self.spec, resolve_device("auto"))
        pairs = [pair(r) for r in records]
        with_refs = bool(settings["references"])
        if with_refs and not any(isinstance(r.response.output, Text) for r in records):
            raise MetricUnavailable(f"{self.name} scores generated captions; this task has none")
        images = embed_images(scorer, [im for im, _ in pairs])
        ok = [k for k, (im, cap) in enumerate(pairs) if cap is not None and images[k] is not None]
        texts = scorer.embed_texts([settings["prompt_prefix"] + pairs[k][1] for k in ok])
        out = [SampleScore((0.0,), 0.0, policy=NO_PAIR) for _ in records]
        for j, k in enumerate(ok):
            cos = float(images[k] @ texts[j])  # type: ignore[operator]
            value = float(clip_s(cos, float(settings["w"])))
            details: dict[str, Any] = {"cosine": cos, "clip_s": value}
            policy = None
            if with_refs:
                refs = reference_captions(records[k])
                if refs:
                    best = float(np.max(scorer.embed_texts(refs) @ texts[j]))
                    value = float(ref_clip_s(value, best))
                    details["best_reference_cosine"] = best
                else:
                    value, policy = 0.0, NO_REFERENCES
            out[k] = SampleScore((value,), value, policy, details)
        return out

    def describe(self) -> dict[str, Any]:
        return clip_scorer(self.spec, resolve_device("auto")).describe()


def clip_s_presets(hub_id: str, model: str, pretrained: str, slug: str, quick_gelu: bool):
    """CLIP-S and RefCLIP-S on one open_clip scorer."""
    common = {
        **scorer_settings(hub_id, model, pretrained, quick_gelu),
        "w": CLIP_S_WEIGHT,
        "prompt_prefix": CLIP_S_PREFIX,
        "pair": "captioning: input image + generated caption; text-to-image: generated image + "
        "prompt",
        "empty": NO_PAIR + ": 0",
    }
    return (
        MetricPreset(
            name=f"clipscore@{slug}",
            metric="clipscore",
            description=f"CLIP-S 2.5*max(cos(image, 'A photo depicts '+caption), 0), mean "
            f"(Hessel et al. 2021), {model} {pretrained}",
            higher_is_better=True,
            scale="clip-s",
            aggregation="mean",
            settings={**common, "references": False, "clamp": "per pair: max(cos, 0), then x w"},
            directions=directions("image>text", "text>image"),
        ),
        MetricPreset(
            name=f"refclipscore@{slug}",
            metric="refclipscore",
            description=f"RefCLIP-S: harmonic mean of CLIP-S and max(max_r cos(caption, ref), 0), "
            f"mean (Hessel et al. 2021), {model} {pretrained}",
            higher_is_better=True,
            scale="clip-s",
            aggregation="mean",
            settings={
                **common,
                "references": True,
                "clamp": "CLIP-S per pair max(cos, 0) x w; reference side max(max_r cos, 0) (the "
                "paper's clamp; the reference code leaves it unclamped); 0 where either is 0",
                "reference_text": "embedded without the prefix; best of the sample's references",
                "no_references": NO_REFERENCES + ": 0",
            },
            directions=directions("image>text"),
        ),
    )


CLIP_S_PRESETS = tuple(p for args in SCORERS for p in clip_s_presets(*args))
