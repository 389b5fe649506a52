import jiwer
import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.registry import METRICS
from evals.types import Decoding, Modality, Response, Sample, Text
from metrics.bootstrap import BootstrapSpec, interval
from metrics.text_norm import get_normalizer
from metrics.wer import word_errors

# Published cases of OpenAI Whisper's English normalizer (openai/whisper tests/test_normalizer.py).
WHISPER_CASES = [
    ("two", "2"),
    ("thirty one", "31"),
    ("five twenty four", "524"),
    ("nineteen ninety nine", "1999"),
    ("twenty nineteen", "2019"),
    ("two point five million", "2500000"),
    ("four point two billions", "4200000000s"),
    ("200 thousand dollars", "$200000"),
    ("$20 million", "$20000000"),
    ("€52.4 million", "€52400000"),
    ("£77 thousands", "£77000s"),
    ("two double o eight", "2008"),
    ("three thousand twenty nine", "3029"),
    ("forty three thousand two hundred and sixty", "43260"),
    ("nineteen fifties", "1950s"),
    ("thirty first", "31st"),
    ("thirty three thousand and three hundred and thirty third", "33333rd"),
    ("july third twenty twenty", "july 3rd 2020"),
    ("august twenty sixth twenty twenty one", "august 26th 2021"),
    ("3 14", "3 14"),
    ("3.14", "3.14"),
    ("fourteen point 4", "14.4"),
    ("two point two five dollars", "$2.25"),
    ("ninety percent", "90%"),
    ("seventy six per cent", "76%"),
    ("double oh seven", "007"),
    ("nine double one", "911"),
    ("one triple oh one", "10001"),
    ("two thousandth", "2000th"),
    ("minus 500", "-500"),
    ("positive twenty thousand", "+20000"),
    ("two dollars and seventy cents", "$2.70"),
    ("3 cents", "¢3"),
    ("$0.36", "¢36"),
    ("three euros and sixty five cents", "€3.65"),
    ("three and a half million", "3500000"),
    ("forty eight and a half dollars", "$48.5"),
    ("b747", "b 747"),
    ("10 th", "10th"),
    ("Let's", "let us"),
    ("he's like", "he is like"),
    ("she's been like", "she has been like"),
    ("10km", "10 km"),
    ("RC232", "rc 232"),
    ("Mr. Park visited Assoc. Prof. Kim Jr.", "mister park visited associate professor kim junior"),
    ("mobilisation", "mobilization"),
    ("cancelation", "cancellation"),
]


@pytest.mark.parametrize(("text", "expected"), WHISPER_CASES)
def test_whisper_english_normalizer_published_cases(text, expected):
    assert get_normalizer("whisper-english")(text) == expected


def test_basic_normalizer():
    assert get_normalizer("lower-punct")('Hello, World! It\'s  "fine".') == "hello world it's fine"


def rec(i, ref, hyp=None, error=None):
    resp = Response(
        str(i),
        Text(hyp) if hyp is not None else None,
        error=error,
        error_stage="generate" if error else None,
    )
    return PredictionRecord(
        "asr", Sample(str(i), (), (Text(ref),)), Modality.TEXT, Decoding(), resp
    )


REFS = [
    "the cat sat on the mat",
    "a quick brown fox",
    "hello there general kenobi",
    "one two three four five",
]
HYPS = ["the cat sit on mat", "a quick brown fox jumps", "hello general", ""]


def test_word_errors_by_hand():
    assert word_errors("the cat sat on the mat", "the cat sit on mat") == {
        "sub": 1,
        "del": 1,
        "ins": 0,
        "hit": 4,
        "ref": 6,
    }
    assert word_errors("a b", "") == {"sub": 0, "del": 2, "ins": 0, "hit": 0, "ref": 2}
    assert word_errors("", "x y")["ins"] == 2


def test_corpus_and_utterance_wer_match_jiwer():
    # jiwer refuses empty hypotheses, so the reference values use the non-empty ones; the empty
    # fourth hypothesis adds 5 deletions and 5 reference words by our policy.
    records = [rec(i, r, h) for i, (r, h) in enumerate(zip(REFS, HYPS))]
    corpus = METRICS.get("wer@basic")
    stats = np.array([s.stat for s in corpus.score(records)])
    assert corpus.reduce(stats[:3]) == pytest.approx(100 * jiwer.wer(REFS[:3], HYPS[:3]))
    words = sum(len(r.split()) for r in REFS[:3])
    jiwer_errors = jiwer.wer(REFS[:3], HYPS[:3]) * words
    assert corpus.reduce(stats) == pytest.approx(100 * (jiwer_errors + 5) / (words + 5))
    utt = METRICS.get("wer@basic-utt")
    per = [jiwer.wer(r, h) for r, h in zip(REFS[:3], HYPS[:3])] + [1.0]
    assert utt.reduce(np.array([s.stat for s in utt.score(records)])) == pytest.approx(
        100 * np.mean(per)
    )


def test_failed_and_empty_hypotheses_are_all_deletions_not_dropped():
    records = [
        rec(0, "red green blue"),
        rec(1, "cyan magenta", error="model crashed"),
        rec(2, "black", "black"),
    ]
    m = METRICS.get("wer@whisper-norm")
    scores = m.score(records)
    assert [s.policy is not None for s in scores] == [True, True, False]
    assert scores[0].details["del"] == 3 and scores[1].details["del"] == 2
    assert m.reduce(np.array([s.stat for s in scores])) == pytest.approx(100 * 5 / 6)


def test_whisper_norm_preset_normalizes_before_counting():
    m = METRICS.get("wer@whisper-norm")
    (s,) = m.score([rec(0, "It's twenty five dollars.", "it is $25")])
    assert s.value == 0.0


def test_bootstrap_interval_brackets_the_value_and_resamples_the_corpus():
    rng = np.random.default_rng(0)
    stats = np.stack([rng.integers(0, 5, 300), rng.integers(5, 20, 300)], axis=1).astype(float)
    m = METRICS.get("wer@basic")
    value = m.reduce(stats)
    low, high = interval(m, stats, BootstrapSpec(resamples=500))
    assert low < value < high
    idx = np.random.default_rng(1).integers(0, 300, size=(7, 300))
    loop = [m.reduce(stats[i]) for i in idx]
    np.testing.assert_allclose(m.reduce_resamples(stats, idx), loop)
    u = METRICS.get("wer@basic-utt")
    np.testing.assert_allclose(u.reduce_resamples(stats, idx), [u.reduce(stats[i]) for i in idx])
