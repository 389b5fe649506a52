"""The CLIP score formulas of the field, on given L2-normalized embeddings (cosines).

- torchmetrics `clip_score`: 100 * cos per pair, averaged, and the clamp on the mean:
  max(mean(100 * cos), 0).
- Hessel et al. 2021 CLIP-S: w * max(cos(image, "A photo depicts " + caption), 0) per pair,
  w = 2.5, averaged (the clamp on each pair).
- RefCLIP-S: the harmonic mean of CLIP-S and max(max_r cos(caption, reference r), 0) per pair,
  averaged (the paper's clamp on the reference side; 0 where either side is 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CLIP_S_WEIGHT = 2.5
CLIP_S_PREFIX = "A photo depicts "


def torchmetrics_value(cos: np.ndarray) -> np.ndarray:
    """torchmetrics' per-pair score before its clamp: 100 * cos."""
    return 100.0 * np.asarray(cos, dtype=np.float64)


def clip_s(cos: np.ndarray, w: float = CLIP_S_WEIGHT) -> np.ndarray:
    """Hessel's CLIP-S per pair: w * max(cos, 0)."""
    return w * np.maximum(np.asarray(cos, dtype=np.float64), 0.0)


def ref_clip_s(image_text: np.ndarray, text_text: np.ndarray) -> np.ndarray:
    """RefCLIP-S per pair from CLIP-S values and the best reference cosine (clamped at 0)."""
    a = np.asarray(image_text, dtype=np.float64)
    b = np.maximum(np.asarray(text_text, dtype=np.float64), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = 2.0 * a * b / (a + b)
    return np.where((a > 0) & (b > 0), h, 0.0)


def best_reference_cosine(candidate: np.ndarray, references: np.ndarray) -> float:
    """max_r cos(candidate, r) over a caption's reference embeddings [r, d]."""
    return float(np.max(references @ candidate))


@dataclass(frozen=True)
class Formula:
    """How per-pair cosines become per-sample values and the headline mean."""

    value: Callable[[np.ndarray], np.ndarray]
    """Per-sample value from the cosine (the sample's statistic)."""
    mean_floor: float | None = None
    """When set, the headline is max(mean of values, floor) (torchmetrics' clamp on the mean)."""

    def reduce(self, values: np.ndarray) -> np.ndarray:
        """Headline(s) from values [..., n]: the mean, floored when the formula says so."""
        mean = np.asarray(values, dtype=np.float64).mean(axis=-1)
        return mean if self.mean_floor is None else np.maximum(mean, self.mean_floor)


FORMULAS: dict[str, Formula] = {
    "torchmetrics": Formula(torchmetrics_value, mean_floor=0.0),
    "cosine": Formula(lambda cos: np.asarray(cos, dtype=np.float64)),
    "clip-s": Formula(clip_s),
}
