"""The WER family (WER, CER, MER, WIL, WIP) with jiwer's definitions, after a pinned normalizer.

Statistics per sample are (errors, reference length, hits, deletions, insertions) of the
normalized texts' alignment (metrics.edit_counts; the first two are what WER reduces). Corpus presets pool them (sum of errors / sum of
reference words for WER, the LibriSpeech convention; jiwer's list-input value for the others);
per-utterance presets average each utterance's own value. A failed or empty hypothesis is the
empty string: every reference unit is a deletion. A reference that normalizes to nothing has no
value of its own (left out of per-utterance means); in corpus values its hypothesis units count
as insertions.

Alignment: Levenshtein over words (characters for CER) with unit costs, ties resolved as
jiwer/rapidfuzz resolve them. NIST sclite aligns with weighted costs (substitution 4, insertion
and deletion 3): the same error counts on real transcripts, but a different split where
alignments tie and, rarely, one error more (tests/test_sclite_parity.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.records import PredictionRecord
from evals.types import Status, Text
from metrics.base import Metric, MetricPreset, SampleScore, directions
from metrics.edit_counts import ALIGNERS, FIELDS, as_stats, edit_counts, measure
from metrics.oal_normalizer import versions as oal_versions
from metrics.text_norm import NORMALIZER_PROTOCOLS, get_normalizer

EMPTY_POLICY = "failed or empty hypothesis = empty string (all reference words are deletions)"
ALIGNMENT = (
    "Levenshtein with unit costs over {unit}s (jiwer.process_words): the fewest errors. NIST "
    "sclite minimizes 4S+3D+3I instead: equal error counts on real transcripts (tested), a "
    "different S vs D+I split where alignments tie, and occasionally one error more (ref 'no no "
    "no yes yes', hyp 'yes yes maybe maybe no': 5 errors here, 6 in sclite)"
)


def word_errors(reference: str, hypothesis: str) -> dict[str, int]:
    """Substitutions, deletions, insertions, hits and reference length of normalized texts."""
    counts = edit_counts([reference], [hypothesis])[0]
    e = {name: int(v) for name, v in zip(FIELDS, counts)}
    return {**e, "ref": len(reference.split())}


def reference_text(record: PredictionRecord) -> str:
    """The first text reference of the sample (the transcript)."""
    for part in record.sample.references:
        if isinstance(part, Text):
            return part.text
    raise ValueError(f"sample {record.sample_id} has no text reference to compute WER against")


class WER(Metric):
    """A WER-family measure of a text output against the sample's transcript."""

    def hypothesis(self, record: PredictionRecord) -> tuple[str, str | None]:
        """(hypothesis text, failure policy note or None)."""
        r = record.response
        if r.status in (Status.FAILED, Status.INPUT_ERROR) or not isinstance(r.output, Text):
            return "", EMPTY_POLICY
        return r.output.text, (EMPTY_POLICY if r.status is Status.EMPTY else None)

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        hyps = [self.hypothesis(rec) for rec in records]
        return self.score_pairs(
            [reference_text(rec) for rec in records], [h for h, _ in hyps], [p for _, p in hyps]
        )

    def score_pairs(
        self, references: Sequence[str], hypotheses: Sequence[str], policies: Sequence[str | None]
    ) -> list[SampleScore]:
        """Scores of raw (reference, hypothesis) pairs, normalized and aligned in one batch."""
        norm = get_normalizer(self.preset.settings["normalizer"])
        refs = [norm(r) for r in references]
        hyps = [norm(h) for h in hypotheses]
        align = ALIGNERS[self.preset.settings.get("aligner", "levenshtein")]
        counts = align(refs, hyps, self.preset.settings["unit"])
        stats = as_stats(counts)
        values = self._values(stats)
        return [
            SampleScore(
                stat=tuple(float(x) for x in st),
                value=None if np.isnan(v) else float(v),
                policy=policy,
                details={
                    "ref": r,
                    "hyp": h,
                    **dict(zip(FIELDS, map(int, c))),
                    "ref_len": int(st[1]),
                },
            )
            for r, h, c, st, v, policy in zip(refs, hyps, counts, stats, values, policies)
        ]

    def score_pair(self, reference: str, hypothesis: str, policy: str | None = None) -> SampleScore:
        return self.score_pairs([reference], [hypothesis], [policy])[0]

    def _scale(self) -> float:
        return 100.0 if self.preset.scale == "percent" else 1.0

    def _values(self, stats: np.ndarray) -> np.ndarray:
        return measure(self.preset.settings.get("measure", "wer"), stats) * self._scale()

    def reduce(self, stats: np.ndarray) -> float:
        if not len(stats):
            return float("nan")
        if self.preset.aggregation == "corpus":
            return float(self._values(stats.sum(axis=0)))
        per = self._values(stats)
        return float(np.nanmean(per)) if np.isfinite(per).any() else float("nan")

    def reduce_resamples(self, stats: np.ndarray, indices: np.ndarray) -> np.ndarray:
        if self.preset.aggregation == "corpus":
            counts = np.stack([stats[:, k][indices].sum(axis=1) for k in range(stats.shape[1])], 1)
            return self._values(counts)
        per = self._values(stats)[indices]
        defined = np.isfinite(per)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(defined, per, 0.0).sum(axis=1) / defined.sum(axis=1)


OAL_COMPOUNDS_FROM = "2026-06-11"
"""From this version the leaderboard aligns with kaldialign's merge_compounds (split compounds
count no error) instead of jiwer's Levenshtein."""
OAL_SCORED_VERSIONS = tuple(oal_versions())

MEASURE_TEXT = {
    "wer": ("word error rate (S+D+I)/N", "percent", False),
    "cer": ("character error rate (S+D+I)/N over characters, spaces included", "percent", False),
    "mer": ("match error rate (S+D+I)/(H+S+D+I)", "percent", False),
    "wil": ("word information lost 1 - (H/N)(H/P)", "fraction", False),
    "wip": ("word information preserved (H/N)(H/P)", "fraction", True),
}
"""measure: (what it is, scale, higher is better); N reference units, P hypothesis units."""


def wer_preset(
    name: str,
    normalizer: str,
    aggregation: str,
    description: str,
    measure: str = "wer",
    aligner: str = "levenshtein",
) -> MetricPreset:
    what, scale, higher = MEASURE_TEXT[measure]
    unit = "char" if measure == "cer" else "word"
    corpus = (
        "summed over the corpus, then the measure"
        if aggregation == "corpus"
        else ("mean over utterances of each utterance's value")
    )
    return MetricPreset(
        name=name,
        metric=measure,
        description=description,
        higher_is_better=higher,
        scale=scale,
        aggregation=aggregation,
        directions=directions("speech>text", "audio>text"),
        settings={
            "measure": measure,
            "definition": what + " (jiwer 4 definitions)",
            "unit": unit,
            "normalizer": normalizer,
            "normalizer_protocol": NORMALIZER_PROTOCOLS[normalizer],
            "counts": corpus,
            "alignment": ALIGNMENT.format(unit=unit)
            if aligner == "levenshtein"
            else (
                "kaldialign 0.12 edit_distance(merge_compounds=True): Levenshtein where adjacent "
                "words joined without a separator match one word at no cost"
            ),
            **({} if aligner == "levenshtein" else {"aligner": aligner}),
            "empty_hypothesis": EMPTY_POLICY,
            "empty_reference": "no value of its own (left out of per-utterance means); its "
            "hypothesis units count as insertions in corpus values",
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
    wer_preset(
        "wer@whisper-basic",
        "whisper-basic",
        "corpus",
        "corpus WER (%) after Whisper's BasicTextNormalizer (diacritics kept)",
    ),
    wer_preset(
        "wer@whisper-basic-nodiacritics",
        "whisper-basic-nodiacritics",
        "corpus",
        "corpus WER (%) after Whisper's BasicTextNormalizer(remove_diacritics=True)",
    ),
    wer_preset(
        "wer@seed-tts",
        "seed-tts-en",
        "mean",
        "Seed-TTS-eval English WER (%): punctuation (zhon + ASCII, apostrophe kept) removed, "
        "lowercased, mean of per-utterance jiwer WER",
    ),
    *(
        wer_preset(
            f"wer@oal-{version}",
            f"oal-english-{version}",
            "corpus",
            f"corpus WER (%) after the Open ASR Leaderboard English normalizer as of {version}"
            + (", split compounds merged (kaldialign)" if version >= OAL_COMPOUNDS_FROM else ""),
            aligner="kaldialign-merge-compounds"
            if version >= OAL_COMPOUNDS_FROM
            else "levenshtein",
        )
        for version in OAL_SCORED_VERSIONS
    ),
    *(
        wer_preset(
            f"{m}@{slug}",
            norm,
            "corpus",
            f"corpus {m.upper()} ({MEASURE_TEXT[m][1]}) after {label}",
            measure=m,
        )
        for m in ("cer", "mer", "wil", "wip")
        for slug, norm, label in (
            ("whisper-norm", "whisper-english", "Whisper's English normalizer"),
            ("whisper-basic", "whisper-basic", "Whisper's BasicTextNormalizer"),
            ("basic", "lower-punct", "lowercasing and removing punctuation"),
        )
    ),
)
