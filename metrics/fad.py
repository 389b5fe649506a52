"""Fréchet Audio Distance (Kilgour et al. 2019) between generated audio and a reference set.

`fad@clap-music-audioset`: one L2-normalized CLAP audio embedding per clip (the music checkpoint
of `clap@music-audioset`, the `clap-laion-music` embedding of fadtk), a Gaussian fitted to each
set, and their Fréchet distance (metrics.frechet). The reference set is the task's real clips
(each sample's audio reference). VGGish, the embedding of the original FAD and of audiocraft, has
no weights available offline here and no preset.

FAD is a set-level metric: each sample's statistic holds its generated and its real embedding,
and the value is computed over the whole set. The bootstrap resamples samples, so a resample
draws generated clips and their paired real clips together (both sets are resampled). A failed or
empty output is embedded as digital silence; samples without a usable input or reference are
left out of both sets (counted in `n_policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.records import PredictionRecord
from metrics.base import Metric, MetricPreset, SampleScore, directions
from metrics.clap_model import ClapScorer, clap_scorer
from metrics.clap_score import CHECKPOINTS, CHUNK, PROTOCOL
from metrics.frechet import frechet_distance, frechet_distance_eigh, gaussian
from metrics.record_media import FAILED_OUTPUT, audio_pair

SILENCE_SECONDS = 1.0
"""Length of the digital silence that stands in for a failed output (repeat-padding makes the
embedding independent of it)."""


def _compact(x: np.ndarray) -> tuple[float, ...]:
    """float32-precision values, so a statistic stays small in scores/<task>.jsonl."""
    return tuple(float(f"{v:.7g}") for v in x)


class FAD(Metric):
    """Fréchet distance between the generated and the real clips' embeddings (lower is better)."""

    def scorer(self) -> ClapScorer:
        s = self.preset.settings
        return clap_scorer(s["scorer_id"], s["scorer_revision"])

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        scorer = self.scorer()
        rate, dim = scorer.sample_rate, scorer.dim
        silence = np.zeros(round(SILENCE_SECONDS * rate), np.float32)
        out: list[SampleScore] = []
        for start in range(0, len(records), CHUNK):
            pairs = [audio_pair(rec, rate) for rec in records[start : start + CHUNK]]
            usable = [(g, r) for g, r, _ in pairs if r is not None]
            gen_emb = scorer.embed_audio([silence if g is None else g for g, _ in usable])
            real_emb = scorer.embed_audio([r for _, r in usable])
            embeddings = iter(zip(gen_emb, real_emb))
            for gen, real, why in pairs:
                if real is None:
                    out.append(SampleScore((0.0,) * (2 * dim + 1), None, policy=why))
                    continue
                g, r = next(embeddings)
                details = {
                    "generated_s": 0.0 if gen is None else len(gen) / rate,
                    "reference_s": len(real) / rate,
                }
                out.append(SampleScore(_compact(g) + _compact(r) + (1.0,), None, why, details))
        return out

    @staticmethod
    def _sets(stats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dim = (stats.shape[1] - 1) // 2
        used = stats[stats[:, -1] > 0]
        return used[:, :dim], used[:, dim : 2 * dim]

    def reduce(self, stats: np.ndarray) -> float:
        gen, real = self._sets(stats)
        if len(gen) < 2:
            return float("nan")
        return frechet_distance(*gaussian(gen), *gaussian(real))

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        values = []
        for idx in indices:
            gen, real = self._sets(stats[idx])
            ok = len(gen) >= 2
            values.append(frechet_distance_eigh(*gaussian(gen), *gaussian(real)) if ok else np.nan)
        return np.asarray(values)

    def summarize(self, scores: Sequence[SampleScore]) -> dict[str, Any]:
        used = [s for s in scores if s.details]
        gen_s = [s.details["generated_s"] for s in used]
        ref_s = [s.details["reference_s"] for s in used]
        return {
            "reference_set": self.preset.settings["reference_set"],
            "embedding": self.preset.settings["embedding"],
            "n_generated": len(used),
            "n_reference": len(used),
            "n_failed_as_silence": sum(s.policy == FAILED_OUTPUT for s in used),
            "n_excluded": len(scores) - len(used),
            "generated_seconds_total": float(np.sum(gen_s)) if used else 0.0,
            "generated_seconds_mean": float(np.mean(gen_s)) if used else None,
            "reference_seconds_total": float(np.sum(ref_s)) if used else 0.0,
            "reference_seconds_mean": float(np.mean(ref_s)) if used else None,
        }

    def describe(self) -> dict[str, Any]:
        return self.scorer().describe()


def fad_preset(checkpoint: str) -> MetricPreset:
    ckpt = CHECKPOINTS[checkpoint]
    return MetricPreset(
        name=f"fad@clap-{checkpoint}",
        metric="fad",
        description=f"Fréchet audio distance to the real clips, CLAP embeddings ({ckpt['scorer_id']})",
        higher_is_better=False,
        scale="distance",
        aggregation="corpus",
        directions=directions("text>music", "text>audio", "music>music", "audio>audio"),
        settings={
            **ckpt,
            "embedding": f"CLAP audio projection, L2-normalized, one per clip ({ckpt['scorer_id']})",
            "sample_rate": PROTOCOL["sample_rate"],
            "window": PROTOCOL["window"],
            "reference_set": "the task's real clips (each sample's audio reference)",
            "gaussian": "mean and unbiased covariance (ddof=1)",
            "matrix_sqrt": "scipy.linalg.sqrtm; eps 1e-6 on both diagonals if not finite; "
            "imaginary part <= 1e-3 dropped (bootstrap resamples: eigh form, same value)",
            "bootstrap": "resamples samples: generated and paired real clips together",
            "failure_policy": f"{FAILED_OUTPUT}: embedded as digital silence",
            "input_errors": "left out of both sets",
        },
    )


FAD_PRESETS = (fad_preset("music-audioset"),)
