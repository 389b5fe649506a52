"""CLAP scorers through transformers' ClapModel: L2-normalized audio and text embeddings.

Protocol (pinned by every CLAP preset, following LAION-CLAP's own `get_*_embedding` and
audiocraft's text-consistency metric): audio is resampled to the checkpoint's rate (48 kHz, soxr
HQ), mono, not int16-quantized; a clip longer than the model window (10 s) is cut to its first
10 s (LAION-CLAP's unfused models draw a random window; a fixed one keeps scores reproducible);
a shorter clip is repeat-padded to 10 s by the feature extractor (`repeatpad`). Text is the
RoBERTa tokenizer's, truncated to 77 tokens as LAION-CLAP does. Embeddings are the projections,
L2-normalized. Only unfused checkpoints are accepted: the fused feature extractor picks random
crops.

Weights are found by `evals.hub.resolve` (a local folder, `$ANYBENCH_SCORERS/<hub id>`, the Hugging
Face cache, then the hub where it can be reached); nothing is downloaded when `HF_HUB_OFFLINE=1`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from metrics.base import MetricUnavailable
from metrics.scorers import scorer_path

TEXT_MAX_TOKENS = 77
"""Caption tokens kept (LAION-CLAP's tokenizer setting; longer captions are truncated)."""
BATCH = 16
"""Clips or texts per forward pass."""
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ClapScorer:
    """One CLAP checkpoint: embeds audio clips and texts into its joint space."""

    def __init__(self, path: str, revision: str | None = None, device: str = "auto"):
        import torch
        from transformers import ClapModel, ClapProcessor

        self.path, self.revision = path, revision
        self.device = resolve_device(device)
        self.model = ClapModel.from_pretrained(path, revision=revision, dtype=torch.float32)
        self.model.to(self.device).eval()
        processor = ClapProcessor.from_pretrained(path, revision=revision)
        self.features, self.tokenizer = processor.feature_extractor, processor.tokenizer
        if getattr(self.model.config.audio_config, "enable_fusion", False):
            raise MetricUnavailable(
                f"CLAP checkpoint {path} is a fused model; these presets pin unfused checkpoints"
            )

    @property
    def sample_rate(self) -> int:
        """Audio rate the checkpoint's feature extractor expects (48 kHz for LAION-CLAP)."""
        return int(self.features.sampling_rate)

    @property
    def window_seconds(self) -> float:
        """Model window; longer clips are cut to their first `window_seconds`."""
        return float(self.features.max_length_s)

    def embed_audio(self, clips: Sequence[np.ndarray]) -> np.ndarray:
        """[n, d] unit-norm embeddings of mono clips at `sample_rate`."""
        import torch

        window = round(self.window_seconds * self.sample_rate)
        out = []
        for start in range(0, len(clips), BATCH):
            batch = [np.asarray(c, dtype=np.float64)[:window] for c in clips[start : start + BATCH]]
            feats = self.features(
                batch,
                sampling_rate=self.sample_rate,
                truncation="rand_trunc",  # never used: clips are cut to the window above
                padding="repeatpad",
                return_tensors="pt",
            )
            with torch.inference_mode():
                emb = self.model.get_audio_features(
                    input_features=feats["input_features"].to(self.device, torch.float32),
                    is_longer=feats["is_longer"].to(self.device),
                ).pooler_output
            out.append(_unit(emb.float().cpu().numpy()))
        return np.concatenate(out) if out else np.zeros((0, self.dim))

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """[n, d] unit-norm embeddings of texts (truncated to 77 tokens)."""
        import torch

        out = []
        for start in range(0, len(texts), BATCH):
            tokens = self.tokenizer(
                list(texts[start : start + BATCH]),
                padding=True,
                truncation=True,
                max_length=TEXT_MAX_TOKENS,
                return_tensors="pt",
            )
            with torch.inference_mode():
                emb = self.model.get_text_features(
                    input_ids=tokens["input_ids"].to(self.device),
                    attention_mask=tokens["attention_mask"].to(self.device),
                ).pooler_output
            out.append(_unit(emb.float().cpu().numpy()))
        return np.concatenate(out) if out else np.zeros((0, self.dim))

    @property
    def dim(self) -> int:
        return int(self.model.config.projection_dim)

    def describe(self) -> dict[str, Any]:
        return {
            "scorer": self.path,
            "revision": self.revision,
            "weights_sha256": weights_hash(self.path),
            "device": self.device,
            "sample_rate": self.sample_rate,
            "window_s": self.window_seconds,
        }


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


@functools.cache
def weights_hash(path: str) -> str | None:
    """sha256 of a local checkpoint's weights file (None for a hub id)."""
    from evals.media import sha256_file

    for name in WEIGHT_FILES:
        candidate = Path(path) / name
        if candidate.is_file():
            return sha256_file(candidate)
    return None


@functools.cache
def clap_scorer(scorer_id: str, revision: str | None = None) -> ClapScorer:
    """The CLAP checkpoint `scorer_id`, loaded once per process; unavailable names where it looked."""
    path = scorer_path(scorer_id, "CLAP scorer", revision=revision)
    try:
        return ClapScorer(path)
    except (OSError, ValueError) as exc:
        raise MetricUnavailable(
            f"CLAP scorer {scorer_id}: {path} could not be loaded "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). It needs the checkpoint "
            "folder (config.json, weights, preprocessor and tokenizer files)."
        ) from exc
