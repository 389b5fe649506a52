"""The WER family (CER, MER, WIL, WIP), the Seed-TTS-eval and Open ASR Leaderboard protocols,
Whisper's basic normalizer without diacritics, and the text policies for bad input."""

from __future__ import annotations

import string

import jiwer
import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.registry import METRICS
from evals.types import Decoding, Modality, Response, Sample, Text
from metrics.base import stack
from metrics.bootstrap import BootstrapSpec, resample_indices
from metrics.text_norm import get_normalizer
from metrics.wer import EMPTY_POLICY, OAL_SCORED_VERSIONS


def rec(i: int, ref: str, hyp: str | None) -> PredictionRecord:
    resp = (
        Response(str(i), Text(hyp), text=hyp)
        if hyp is not None
        else Response(str(i), error="failed", error_stage="generate")
    )
    return PredictionRecord(
        "asr", Sample(str(i), (), (Text(ref),)), Modality.TEXT, Decoding(), resp
    )


PAIRS = [
    ("The cat sat on the mat.", "the cat sit on mat"),
    ("A quick brown fox", "a quick brown fox jumps over"),
    ("Hello there, General Kenobi!", "hello general"),
    ("one two three four five", ""),
    ("It's twenty past ten", "its twenty passed ten o'clock"),
    ("colour of the sea", "color of sea the"),
]


def scored(name: str, pairs=PAIRS):
    metric = METRICS.get(name)
    scores = metric.score([rec(i, r, h) for i, (r, h) in enumerate(pairs)])
    return metric, scores, stack(scores)


@pytest.mark.parametrize("measure", ["cer", "mer", "wil", "wip", "wer"])
@pytest.mark.parametrize("slug", ["basic", "whisper-norm"])
def test_measures_equal_jiwer(measure, slug):
    metric, scores, stats = scored(f"{measure}@{slug}")
    norm = get_normalizer(metric.preset.settings["normalizer"])
    refs, hyps = [norm(r) for r, _ in PAIRS], [norm(h) for _, h in PAIRS]
    scale = 100.0 if metric.preset.scale == "percent" else 1.0
    assert metric.reduce(stats) == pytest.approx(getattr(jiwer, measure)(refs, hyps) * scale)
    for s, r, h in zip(scores, refs, hyps):
        assert s.value == pytest.approx(getattr(jiwer, measure)(r, h) * scale)
    idx = resample_indices(len(PAIRS), BootstrapSpec(resamples=4, seed=3))
    for b, row in enumerate(idx):
        want = getattr(jiwer, measure)([refs[i] for i in row], [hyps[i] for i in row]) * scale
        assert metric.reduce_resamples(stats, idx)[b] == pytest.approx(want)


def test_details_keep_the_normalized_texts():
    _, scores, _ = scored("wer@basic")
    d = scores[0].details
    assert d["ref"] == "the cat sat on the mat" and d["hyp"] == "the cat sit on mat"
    assert (d["ref_len"], d["sub"], d["del"], d["ins"], d["hit"]) == (6, 1, 1, 0, 4)


def seed_tts_process_one(hypo: str, truth: str) -> float:
    """Seed-TTS-eval's English scoring step as its run_wer.py does it, written out here."""
    from zhon.hanzi import punctuation

    for x in punctuation + string.punctuation:
        if x != "'":
            truth, hypo = truth.replace(x, ""), hypo.replace(x, "")
    truth, hypo = truth.replace("  ", " ").lower(), hypo.replace("  ", " ").lower()
    return jiwer.wer(truth, hypo)


SEED_PAIRS = [
    (
        "Hello, “World”! It’s Mr. Smith's 20 dollars—ok?",
        "hello world it's mister smith's twenty dollars ok",
    ),
    ("Don't stop — believing.", "dont stop believing"),
    ("The U.S.A. is big", "the usa is big"),
    ("Well, well, well...", "well well well"),
]


def test_seed_tts_follows_its_code():
    metric, scores, stats = scored("wer@seed-tts", SEED_PAIRS)
    per = [seed_tts_process_one(h, r) for r, h in SEED_PAIRS]
    assert [s.value / 100 for s in scores] == pytest.approx(per)
    assert metric.reduce(stats) == pytest.approx(100 * np.mean(per))  # mean of utterances
    whisper = METRICS.get("wer@whisper-norm-utt")
    theirs = whisper.reduce(
        stack(whisper.score([rec(i, r, h) for i, (r, h) in enumerate(SEED_PAIRS)]))
    )
    assert abs(theirs - metric.reduce(stats)) > 5  # the two conventions disagree


OAL_INPUT = "It's Mr. Smith's B B C wi-fi, uh, cancellation at 5 g. Alan ok, a i x all right hmm ah"
OAL_OUTPUT = {  # the upstream normalizer's output at each pinned commit
    "2023-07-12": "it is mister smith is b b c wi fi cancellation at 5 g alan ok a i x all right ah",
    "2025-09-11": "it is mister smith is b b c wi fi cancelation at 5 g alan ok a i x all right ah",
    "2026-04-22": "it is mister smith is bbc wifi cancelation at 5g allen ok aix all right ah",
    "2026-04-24": "it is mister smith is bbc wifi cancelation at 5g allen ok aix all right",
    "2026-04-28": "it is mister smith is bbc wifi cancelation at 5g allen okay aix all right",
    "2026-06-10": "it is mister smith sbbc wifi cancelation at 5g allen okay aix all right",
    "2026-06-11": "it is mister smith sbbc wifi cancelation at 5g allen okay aix alright",
    "2026-06-22": "it is mister smith sbbc wifi cancelation at 5g allen okay aix alright",
}


@pytest.mark.parametrize("version", sorted(OAL_OUTPUT))
def test_oal_versions(version):
    assert get_normalizer(f"oal-english-{version}")(OAL_INPUT) == OAL_OUTPUT[version]


def test_oal_published_examples():
    """The examples in the upstream EnglishAcronymNormalizer docstring and compound comment."""
    norm = get_normalizer("oal-english-2026-06-22")
    assert norm("b b c") == "bbc" and norm("5 g") == "5g"
    assert norm("a big cat") == "a big cat"
    assert norm("wi-fi") == "wifi"
    assert set(OAL_SCORED_VERSIONS) == set(OAL_OUTPUT)


def test_basic_normalizer_remove_diacritics():
    text = "Café naïve résumé Œuvre straße!"
    assert get_normalizer("whisper-basic-nodiacritics")(text).split() == [
        "cafe",
        "naive",
        "resume",
        "oeuvre",
        "strasse",
    ]
    assert get_normalizer("whisper-basic")(text).split() == [
        "café",
        "naïve",
        "résumé",
        "œuvre",
        "straße",
    ]


BAD = [
    ("the cat", ""),  # empty hypothesis
    ("", "words from nowhere"),  # empty reference
    ("...", "hello"),  # punctuation-only reference
    ("猫が座った", "猫が座る"),  # CJK, no spaces
    ("line one\r\nline two\r", "line one line two"),  # \r
    ("naïve café", "naive cafe"),
    ("", ""),
]


@pytest.mark.parametrize(
    "name",
    [
        "wer@whisper-norm",
        "wer@whisper-norm-utt",
        "cer@basic",
        "wip@basic",
        "wer@seed-tts",
        "wer@oal-2026-06-10",
    ],
)
def test_bad_text_scores_by_policy(name):
    metric = METRICS.get(name)
    records = [rec(i, r, h) for i, (r, h) in enumerate(BAD)] + [rec(99, "a b", None)]
    scores = metric.score(records)
    assert len(scores) == len(records)
    assert scores[-1].policy == scores[0].policy == EMPTY_POLICY and scores[5].policy is None
    assert scores[1].value is None and scores[6].value is None  # empty reference: no own value
    if metric.preset.settings["measure"] == "wer":
        assert scores[0].value == 100.0 and scores[-1].value == 100.0  # all deletions
    assert np.isfinite(metric.reduce(stack(scores)))
    idx = resample_indices(len(records), BootstrapSpec(resamples=5, seed=1))
    assert np.isfinite(metric.reduce_resamples(stack(scores), idx)).all()


def test_counts_equal_jiwer_alignment_on_random_pairs():
    """Our direct rapidfuzz alignment gives jiwer's counts pair by pair (ties included)."""
    from metrics.edit_counts import edit_counts

    rng = np.random.default_rng(5)
    words = np.array(["a", "b", "c", "the", "cat"])
    refs = [" ".join(rng.choice(words, rng.integers(1, 9))) for _ in range(400)]
    hyps = [" ".join(rng.choice(words, rng.integers(1, 9))) for _ in range(400)]
    counts = edit_counts(refs, hyps)
    for (h, s, d, i), r, y in zip(counts, refs, hyps):
        o = jiwer.process_words(r, y)
        assert (h, s, d, i) == (o.hits, o.substitutions, o.deletions, o.insertions), (r, y)
    chars = edit_counts(refs[:50], hyps[:50], "char")
    for (h, s, d, i), r, y in zip(chars, refs, hyps):
        o = jiwer.process_characters(r, y)
        assert (h, s, d, i) == (o.hits, o.substitutions, o.deletions, o.insertions), (r, y)


def test_oal_recent_versions_merge_split_compounds():
    """From 2026-06-11 the leaderboard scores with kaldialign.batch_error_rate(merge_compounds=
    True) over the normalized words; our presets follow it, the earlier ones do not merge."""
    from kaldialign import batch_error_rate

    pairs = [
        ("The white paper is here.", "the whitepaper is here"),
        ("A data base of foot ball scores", "a database of football scores"),
        *PAIRS,
    ]
    for version, merges in (("2026-06-22", True), ("2026-06-11", True), ("2026-06-10", False)):
        metric, scores, stats = scored(f"wer@oal-{version}", pairs)
        norm = get_normalizer(f"oal-english-{version}")
        refs = [tuple(norm(r).split()) for r, _ in pairs]
        hyps = [tuple(norm(h).split()) for _, h in pairs]
        upstream = batch_error_rate(refs, hyps, merge_compounds=True)["err_rate"] * 100
        plain = 100 * jiwer.wer([" ".join(r) for r in refs], [" ".join(h) for h in hyps])
        assert metric.reduce(stats) == pytest.approx(upstream if merges else plain)
        assert (scores[0].value == 0.0) is merges
