"""COCO caption metrics as coco-caption (pycocoevalcap 1.2) computes them, on the x100 scale.

BLEU-1..4, METEOR, ROUGE-L, CIDEr-D and SPICE over one shared PTB-tokenized corpus
(metrics.caption_corpus). Values equal pycocoevalcap's scorers on the same captions, times 100
(the scale papers print: "CIDEr 136.7" is pycocoevalcap's 1.367).

Bootstrap intervals resample images and recompute each metric the way it aggregates:
BLEU and METEOR from summed corpus statistics (n-gram matches and lengths; the METEOR jar's
sufficient statistics), ROUGE-L and SPICE as means of per-image scores, and CIDEr-D with its
document frequencies recomputed on every resampled corpus (metrics.cider).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.records import PredictionRecord
from metrics.base import CAPTION_DIRECTIONS, MeanMetric, Metric, MetricPreset, SampleScore
from metrics.caption_corpus import EMPTY_POLICY, CaptionCorpus, build_corpus, cached

SCALE = 100.0
BLEU_SMALL, BLEU_TINY = 1e-9, 1e-15  # BleuScorer's guards against division by zero


def _memo(corpus: CaptionCorpus, name: str, compute):
    if name not in corpus.memo:
        corpus.memo[name] = compute(corpus)
    return corpus.memo[name]


def multiplicities(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each of n rows occurs in each resample: [B, n] counts."""
    b = len(indices)
    flat = (np.asarray(indices) + np.arange(b)[:, None] * n).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


def resampled_sums(stats: np.ndarray, indices: np.ndarray, block: int = 256) -> np.ndarray:
    """Column sums of `stats` over each resample (rows of `indices`): [B, k]."""
    out = np.empty((len(indices), stats.shape[1]))
    for start in range(0, len(indices), block):
        out[start : start + block] = (
            multiplicities(indices[start : start + block], len(stats)) @ stats
        )
    return out


class CaptionMetric(Metric):
    """Scores the shared corpus; subclasses compute per-image values and statistics."""

    def per_image(self, corpus: CaptionCorpus) -> tuple[np.ndarray, np.ndarray]:
        """(values on pycocoevalcap's scale [n], statistics [n, k])."""
        raise NotImplementedError

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        if not records:
            return []
        corpus = build_corpus(records)
        values, stats = self.per_image(corpus)
        return [
            SampleScore(
                tuple(float(x) for x in stat),
                float(value) * SCALE,
                policy,
                {"held_out_reference": held} if held is not None else {},
            )
            for value, stat, policy, held in zip(values, stats, corpus.policies, corpus.held_out)
        ]

    def describe(self) -> dict[str, Any]:
        from importlib import metadata

        return {"scorer": "pycocoevalcap", "version": metadata.version("pycocoevalcap")}


# --- BLEU -------------------------------------------------------------------------------


def bleu_stats(corpus: CaptionCorpus) -> np.ndarray:
    """[n, 10]: test length, closest reference length, guesses 1..4, matches 1..4 per image."""
    from pycocoevalcap.bleu.bleu_scorer import cook_refs, cook_test

    rows = []
    for hyp, refs in zip(corpus.hyps, corpus.refs):
        comps = cook_test(hyp, cook_refs(list(refs)))
        test_len = comps["testlen"]
        ref_len = min((abs(n - test_len), n) for n in comps["reflen"])[1]
        rows.append([test_len, ref_len, *comps["guess"], *comps["correct"]])
    return np.asarray(rows, dtype=float).reshape(-1, 10)


def bleu_from_sums(sums: np.ndarray, k: int) -> np.ndarray:
    """BLEU-k of summed statistics rows [..., 10], BleuScorer's formula term by term."""
    bleu = np.ones(sums.shape[:-1])
    for j in range(k):
        bleu = bleu * ((sums[..., 6 + j] + BLEU_TINY) / (sums[..., 2 + j] + BLEU_SMALL))
    score = bleu ** (1.0 / k)
    ratio = (sums[..., 0] + BLEU_TINY) / (sums[..., 1] + BLEU_SMALL)
    with np.errstate(divide="ignore"):
        penalty = np.where(ratio < 1, np.exp(1 - 1 / ratio), 1.0)
    return score * penalty


class Bleu(CaptionMetric):
    """Corpus BLEU-k (coco-caption: closest reference length, n-gram counts summed over images)."""

    def per_image(self, corpus):
        stats = _memo(corpus, "bleu", bleu_stats)
        return bleu_from_sums(stats, self.k), stats

    @property
    def k(self) -> int:
        return int(self.preset.settings["n"])

    def reduce(self, stats: np.ndarray) -> float:
        if not len(stats):
            return float("nan")
        return float(bleu_from_sums(stats.sum(axis=0), self.k)) * SCALE

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return bleu_from_sums(resampled_sums(stats, indices), self.k) * SCALE


# --- METEOR -----------------------------------------------------------------------------


def meteor_stats(corpus: CaptionCorpus) -> np.ndarray:
    """The jar's statistics per image, in the form its corpus aggregate sums (meteor.aggregable);
    our aggregate is checked against the jar's own EVAL aggregate of the same segments."""
    from metrics.meteor import aggregable, meteor_from_stats, meteor_jar

    jar = meteor_jar()
    raw = jar.stats(corpus.hyps, corpus.refs)
    segments, aggregate = jar.evaluate(raw)
    stats = aggregable(raw)
    ours = float(meteor_from_stats(stats.sum(axis=0)))
    mine = meteor_from_stats(stats)
    if not math.isclose(ours, aggregate, rel_tol=1e-9, abs_tol=1e-12) or not np.allclose(
        mine, segments, rtol=1e-9, atol=1e-12
    ):
        worst = int(np.argmax(np.abs(mine - segments))) if len(mine) else 0
        raise RuntimeError(
            f"METEOR: our aggregate of {len(raw)} segments ({ours:.12g}) differs from "
            f"meteor-1.5.jar's EVAL aggregate ({aggregate:.12g}); largest segment difference at "
            f"image {worst} (statistics {raw[worst].tolist() if len(raw) else []})"
        )
    return stats


class Meteor(CaptionMetric):
    """Corpus METEOR 1.5: the jar's aggregate of summed sufficient statistics."""

    def per_image(self, corpus):
        from metrics.meteor import meteor_from_stats

        stats = _memo(corpus, "meteor", meteor_stats)
        return meteor_from_stats(stats), stats

    def reduce(self, stats: np.ndarray) -> float:
        from metrics.meteor import meteor_from_stats

        if not len(stats):
            return float("nan")
        return float(meteor_from_stats(stats.sum(axis=0))) * SCALE

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        from metrics.meteor import meteor_from_stats

        return meteor_from_stats(resampled_sums(stats, indices)) * SCALE


# --- ROUGE-L ----------------------------------------------------------------------------


class RougeL(CaptionMetric, MeanMetric):
    """Mean over images of ROUGE-L (LCS F-measure, beta 1.2, best precision and recall over refs)."""

    def per_image(self, corpus):
        from pycocoevalcap.rouge.rouge import Rouge

        rouge = Rouge()
        values = np.array(
            [rouge.calc_score([h], list(r)) for h, r in zip(corpus.hyps, corpus.refs)]
        )
        return values, values[:, None] * SCALE


# --- CIDEr-D ----------------------------------------------------------------------------


class CiderDMetric(CaptionMetric):
    """CIDEr-D with document frequencies of the scored corpus (recomputed per resample).

    Statistics per image: (corpus handle, image index, value); reducing any multiset of rows
    scores the corpus made of those images, which needs the corpus in this process.
    """

    stats_need_corpus = True

    def per_image(self, corpus):
        from metrics.cider import CiderD

        cider = _memo(corpus, "cider", lambda c: CiderD(c.hyps, c.refs))
        values = _memo(corpus, "cider_scores", lambda c: cider.scores())
        n = len(values)
        stats = np.column_stack([np.full(n, float(corpus.key)), np.arange(n), values * SCALE])
        return values, stats

    def _cider(self, stats: np.ndarray):
        keys = np.unique(stats[:, 0])
        if len(keys) != 1:
            raise ValueError(f"CIDEr-D statistics mix {len(keys)} corpora")
        corpus = cached(int(keys[0]))
        self.per_image(corpus)
        return corpus.memo["cider"]

    def reduce(self, stats: np.ndarray) -> float:
        if not len(stats):
            return float("nan")
        images = stats[:, 1].astype(np.int64)
        return float(self._cider(stats).corpus_values(images[None, :])[0]) * SCALE

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        images = stats[:, 1].astype(np.int64)
        return self._cider(stats).corpus_values(images[indices]) * SCALE


# --- SPICE ------------------------------------------------------------------------------


class Spice(CaptionMetric, MeanMetric):
    """Mean over images of SPICE F-score ("All"), when Stanford CoreNLP 3.6.0 is installed."""

    def per_image(self, corpus):
        from metrics.spice import spice_scores

        values = _memo(corpus, "spice", lambda c: spice_scores(c.hyps, c.refs))
        return values, values[:, None] * SCALE


# --- presets ----------------------------------------------------------------------------

COMMON = {
    "implementation": "pycocoevalcap 1.2 (coco-caption)",
    "tokenizer": "Stanford PTBTokenizer (stanford-corenlp-3.4.1.jar) -preserveLines -lowerCase, "
    "coco-caption's punctuation tokens removed",
    "references": "all human captions of the image; a ground-truth row is scored against the "
    "others (its own caption, Response.info['reference_index'], left out)",
    "empty_hypothesis": EMPTY_POLICY,
    "scale": "100 x pycocoevalcap's value",
    "bootstrap": "resamples images; the metric is recomputed on each resampled corpus",
}


def caption_preset(name: str, metric: str, description: str, aggregation: str, **settings: Any):
    return MetricPreset(
        name=name,
        metric=metric,
        description=description,
        higher_is_better=True,
        scale="x100",
        aggregation=aggregation,
        settings={**COMMON, **settings},
        directions=CAPTION_DIRECTIONS,
    )


BLEU_PRESETS = tuple(
    caption_preset(
        f"bleu-{k}@coco",
        "bleu",
        f"corpus BLEU-{k} x100, coco-caption protocol (PTB tokens, closest reference length)",
        "corpus",
        n=k,
        reference_length="closest to the hypothesis (ties: the shorter)",
        corpus_statistics="clipped n-gram matches, n-gram counts and lengths summed over images",
        smoothing="none (BleuScorer's 1e-15 / 1e-9 division guards)",
    )
    for k in (1, 2, 3, 4)
)
METEOR_PRESETS = (
    caption_preset(
        "meteor@coco",
        "meteor",
        "corpus METEOR 1.5 x100 (meteor-1.5.jar -l en -norm over PTB tokens), coco-caption protocol",
        "corpus",
        jar="meteor-1.5.jar (pycocoevalcap 1.2) -l en -norm, best reference per image",
        parameters="alpha 0.85, beta 0.2, gamma 0.6, delta 0.75; module weights exact 1.0, "
        "stem 0.6, synonym 0.8, paraphrase 0.6",
        corpus_statistics="the jar's 23 sufficient statistics summed over images (its EVAL "
        "aggregate, MeteorStats.addStats), not a mean of image scores; an image matched in full "
        "in one chunk adds no chunks to the sum, as in the jar",
    ),
)
ROUGE_PRESETS = (
    caption_preset(
        "rouge-l@coco",
        "rouge-l",
        "mean ROUGE-L x100 over images (LCS F-measure, beta 1.2), coco-caption protocol",
        "mean",
        beta=1.2,
    ),
)
CIDER_PRESETS = (
    caption_preset(
        "cider-d@coco",
        "cider-d",
        "CIDEr-D x100 (coco-caption's 'CIDEr': 1-4-grams, clipping, length penalty sigma 6)",
        "corpus",
        n=4,
        sigma=6.0,
        idf="log(#images) - log(max(1, df)), df over the scored images' references; "
        "recomputed on every bootstrap resample",
        length="bigram count (coco-caption's CiderScorer)",
        bootstrap_interval="percentile, document frequencies recomputed on every resample: on "
        "simulated 5,000-image test sets its bias is -0.05 SE and its coverage 0.92, equal to "
        "BCa's and above fixed-df and basic intervals (docs/cider-bootstrap.md)",
    ),
)
SPICE_PRESETS = (
    caption_preset(
        "spice@coco",
        "spice",
        "mean SPICE F-score x100 over images (spice-1.0.jar + Stanford CoreNLP 3.6.0)",
        "mean",
        jar="spice-1.0.jar (pycocoevalcap 1.2) with stanford-corenlp-3.6.0 (+models), -subset",
        unavailable="reported unavailable when the CoreNLP jars are not in pycocoevalcap/spice/lib",
    ),
)

CAPTION_METRICS: tuple[tuple[type[Metric], tuple[MetricPreset, ...]], ...] = (
    (Bleu, BLEU_PRESETS),
    (Meteor, METEOR_PRESETS),
    (RougeL, ROUGE_PRESETS),
    (CiderDMetric, CIDER_PRESETS),
    (Spice, SPICE_PRESETS),
)
