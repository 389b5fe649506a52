"""Word error rate with jiwer, after a pinned text normalizer.

Statistics per sample are (substitutions + deletions + insertions, reference words). Corpus WER
pools them (sum of errors / sum of reference words, the LibriSpeech convention); the
per-utterance preset averages each utterance's own WER. A failed or empty hypothesis is the empty
string: every reference word is a deletion. A reference that normalizes to nothing has no WER of
its own; in corpus WER its hypothesis words count as insertions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.records import PredictionRecord
from evals.types import Status, Text
from metrics.base import Metric, MetricPreset, SampleScore, directions
from metrics.text_norm import get_normalizer

EMPTY_POLICY = "failed or empty hypothesis = empty string (all reference words are deletions)"


def word_errors(reference: str, hypothesis: str) -> dict[str, int]:
    """Substitutions, deletions, insertions, hits and reference length of normalized texts."""
    ref_words = reference.split()
    hyp_words = hypothesis.split()
    if not ref_words:
        return {"sub": 0, "del": 0, "ins": len(hyp_words), "hit": 0, "ref": 0}
    if not hyp_words:
        return {"sub": 0, "del": len(ref_words), "ins": 0, "hit": 0, "ref": len(ref_words)}
    import jiwer

    out = jiwer.process_words(reference, hypothesis)
    return {
        "sub": out.substitutions,
        "del": out.deletions,
        "ins": out.insertions,
        "hit": out.hits,
        "ref": len(ref_words),
    }


def reference_text(record: PredictionRecord) -> str:
    """The first text reference of the sample (the transcript)."""
    for part in record.sample.references:
        if isinstance(part, Text):
            return part.text
    raise ValueError(f"sample {record.sample_id} has no text reference to compute WER against")


class WER(Metric):
    """WER of a text output against the sample's transcript."""

    def hypothesis(self, record: PredictionRecord) -> tuple[str, str | None]:
        """(hypothesis text, failure policy note or None)."""
        r = record.response
        if r.status in (Status.FAILED, Status.INPUT_ERROR) or not isinstance(r.output, Text):
            return "", EMPTY_POLICY
        return r.output.text, (EMPTY_POLICY if r.status is Status.EMPTY else None)

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        return [self.score_pair(reference_text(rec), *self.hypothesis(rec)) for rec in records]

    def score_pair(self, reference: str, hypothesis: str, policy: str | None = None) -> SampleScore:
        norm = get_normalizer(self.preset.settings["normalizer"])
        ref_n, hyp_n = norm(reference), norm(hypothesis)
        e = word_errors(ref_n, hyp_n)
        errors = e["sub"] + e["del"] + e["ins"]
        value = errors / e["ref"] * self._scale() if e["ref"] else None
        return SampleScore(
            stat=(float(errors), float(e["ref"])),
            value=value,
            policy=policy,
            details={"ref": ref_n, "hyp": hyp_n, **e},
        )

    def _scale(self) -> float:
        return 100.0 if self.preset.scale == "percent" else 1.0

    def reduce(self, stats: np.ndarray) -> float:
        if self.preset.aggregation == "corpus":
            words = stats[:, 1].sum()
            return float(stats[:, 0].sum() / words * self._scale()) if words else float("nan")
        defined = stats[stats[:, 1] > 0]
        return (
            float((defined[:, 0] / defined[:, 1]).mean() * self._scale())
            if len(defined)
            else float("nan")
        )

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        errors, words = stats[:, 0][indices], stats[:, 1][indices]
        if self.preset.aggregation == "corpus":
            with np.errstate(invalid="ignore", divide="ignore"):
                return errors.sum(axis=1) / words.sum(axis=1) * self._scale()
        with np.errstate(invalid="ignore", divide="ignore"):
            per = np.where(words > 0, errors / np.where(words > 0, words, 1), np.nan)
        return np.nanmean(per, axis=1) * self._scale()


def wer_preset(name: str, normalizer: str, aggregation: str, description: str) -> MetricPreset:
    return MetricPreset(
        name=name,
        metric="wer",
        description=description,
        higher_is_better=False,
        scale="percent",
        aggregation=aggregation,
        directions=directions("speech>text", "audio>text"),
        settings={
            "normalizer": normalizer,
            "alignment": "jiwer.process_words (Levenshtein over words)",
            "empty_hypothesis": EMPTY_POLICY,
            "empty_reference": "excluded from per-utterance mean; hypothesis words count as insertions in corpus WER",
        },
    )


WER_PRESETS = (
    wer_preset(
        "wer@whisper-norm",
        "whisper-english",
        "corpus",
        "corpus WER (%) after Whisper's English normalizer; the AnyGPT/Whisper LibriSpeech protocol",
    ),
    wer_preset(
        "wer@whisper-norm-utt",
        "whisper-english",
        "mean",
        "mean per-utterance WER (%) after Whisper's English normalizer",
    ),
    wer_preset(
        "wer@basic",
        "lower-punct",
        "corpus",
        "corpus WER (%) after lowercasing and removing punctuation",
    ),
    wer_preset(
        "wer@basic-utt",
        "lower-punct",
        "mean",
        "mean per-utterance WER (%) after lowercasing and removing punctuation",
    ),
)
