"""open_clip scorer models for the text-to-image metrics: located, loaded once, batched embeddings.

A scorer is named by the hub repository open_clip downloads it from (e.g.
`timm/vit_large_patch14_clip_224.openai` for ViT-L/14 with OpenAI's weights). Where the weights
live is a property of the machine, found by `evals.hub.resolve` (a local path,
`$ANYBENCH_SCORERS/<hub id>`, the hub cache, then the hub where it can be reached): either the hub
repository folder (`open_clip_config.json` + `open_clip_model.safetensors` or
`open_clip_pytorch_model.bin`) or a single weights file. Every model runs in float32.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from metrics.base import MetricUnavailable
from metrics.scorers import SCORERS_ENV, scorer_path

WEIGHT_FILES = (
    "open_clip_model.safetensors",
    "open_clip_pytorch_model.bin",
    "model.safetensors",
    "pytorch_model.bin",
)
BATCH = 64


@dataclass(frozen=True)
class ClipSpec:
    """Which open_clip model scores, pinned in the preset."""

    hub_id: str
    """Hub repository of the weights (also the folder name under $ANYBENCH_SCORERS)."""
    model: str
    """open_clip architecture name, e.g. `ViT-L-14`."""
    pretrained: str
    """open_clip pretrained tag, e.g. `openai`."""
    quick_gelu: bool
    """QuickGELU activations (OpenAI's CLIP weights were trained with them)."""


class ClipScorer:
    """A loaded open_clip model with its preprocessing and tokenizer."""

    def __init__(self, spec: ClipSpec, device: str):
        import open_clip
        import torch

        import evals  # noqa: F401  (torchvision import hook, before open_clip)

        self.spec, self.device, self.torch = spec, device, torch
        files = ["open_clip_config.json", *WEIGHT_FILES]
        local = Path(scorer_path(spec.hub_id, f"CLIP scorer ({spec.model})", files))
        try:
            if (local / "open_clip_config.json").is_file():
                name, pretrained, self.source = f"local-dir:{local}", None, str(local)
            else:
                weights = local if local.is_file() else _weights_in(local)
                name, pretrained, self.source = spec.model, str(weights), str(weights)
            model, _, self.preprocess = open_clip.create_model_and_transforms(
                name, pretrained=pretrained, force_quick_gelu=spec.quick_gelu, device=device
            )
            self.tokenizer = open_clip.get_tokenizer(name)
        except (OSError, RuntimeError, ValueError) as exc:
            raise MetricUnavailable(
                f"CLIP scorer {spec.hub_id} ({spec.model}, {spec.pretrained}) could not be loaded "
                f"({exc}); put the hub repository folder in ${SCORERS_ENV}/{spec.hub_id} or make "
                "the hub reachable"
            ) from exc
        self.model = model.eval().float()

    def embed_images(self, images: Iterable[Any]) -> np.ndarray:
        """L2-normalized embeddings [n, d] of PIL images (read BATCH at a time from an iterable)."""
        out = []
        it = iter(images)
        while chunk := list(itertools.islice(it, BATCH)):
            batch = self.torch.stack([self.preprocess(im) for im in chunk])
            with self.torch.inference_mode():
                out.append(self.model.encode_image(batch.to(self.device)).float().cpu().numpy())
        return _normalize(np.concatenate(out)) if out else np.zeros((0, 1))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """L2-normalized embeddings [n, d] of texts (open_clip's tokenizer, truncated to 77)."""
        out = []
        for start in range(0, len(texts), BATCH):
            tokens = self.tokenizer(texts[start : start + BATCH]).to(self.device)
            with self.torch.inference_mode():
                out.append(self.model.encode_text(tokens).float().cpu().numpy())
        return _normalize(np.concatenate(out)) if out else np.zeros((0, 1))

    def describe(self) -> dict[str, Any]:
        import open_clip

        return {
            "scorer": "open_clip",
            "version": open_clip.__version__,
            "model": self.spec.model,
            "weights": self.source,
            "device": self.device,
            "dtype": "float32",
        }


def _weights_in(folder: Path) -> Path:
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.pt")) + sorted(folder.glob("*.safetensors"))
    if not found:
        raise FileNotFoundError(
            f"no CLIP weights file ({', '.join(WEIGHT_FILES)}, *.pt) in {folder}"
        )
    return found[0]


def _normalize(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@functools.cache
def clip_scorer(spec: ClipSpec, device: str) -> ClipScorer:
    """The scorer for `spec` on `device`, loaded once per process."""
    return ClipScorer(spec, device)
