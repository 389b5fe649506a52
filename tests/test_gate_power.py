"""The gate's statistics on synthetic data with a known difference.

For a metric averaged per sample (speaker similarity) and a corpus metric (corpus WER, resampled
as sum of errors / sum of words), simulated many times with fixed seeds:
- with no true difference, the false-alarm rate is at most alpha;
- with a true regression equal to the detectable size the gate states (its own 80%-power
  figure, averaged over data that carry that regression: a fixed point found from a pilot on
  no-difference data), the detection rate reaches the stated power;
- identical runs always pass.
Rates are Monte Carlo estimates over R replications: each bound allows 3 Monte Carlo standard
errors, sqrt(p (1 - p) / R), and nothing more.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evals.registry import METRICS
from reports.gate_stats import paired_bootstrap

ALPHA, POWER = 0.05, 0.8
R, N, B = 600, 150, 500


def mc_slack(p: float) -> float:
    return 3 * math.sqrt(p * (1 - p) / R)


def similarity_pair(rng, effect):
    """Per-sample cosines; the candidate is `effect` lower on average (higher is better)."""
    base = rng.normal(0.7, 0.08, N)
    cand = base - effect + rng.normal(0.0, 0.04, N)
    return [base[:, None]], [cand[:, None]]


def wer_pair(rng, effect):
    """(errors, words) per utterance; the candidate's word error probability is effect/100 higher."""
    words = rng.integers(4, 30, N)
    difficulty = rng.beta(1.2, 12.0, N)
    base = rng.binomial(words, difficulty)
    cand = rng.binomial(words, np.clip(difficulty + effect / 100.0, 0.0, 1.0))
    return [np.c_[base, words].astype(float)], [np.c_[cand, words].astype(float)]


CASES = [
    ("sim@resemblyzer", True, similarity_pair),
    ("wer@whisper-norm", False, wer_pair),
]


def simulate(name, hib, make, effect, seed, reps=R):
    """(detection rate, mean stated detectable size) over `reps` simulated comparisons."""
    metric = METRICS.get(name)
    rng = np.random.default_rng(seed)
    detected, stated = 0, []
    for r in range(reps):
        base, cand = make(rng, effect)
        d = paired_bootstrap(metric, base, cand, hib, alpha=ALPHA, power=POWER, resamples=B, seed=r)
        detected += d.p_value < ALPHA
        stated.append(d.detectable)
    return detected / reps, float(np.mean(stated))


@pytest.mark.parametrize(("name", "hib", "make"), CASES, ids=[c[0] for c in CASES])
def test_false_alarms_and_power_at_the_stated_size(name, hib, make):
    false_alarms, stated = simulate(name, hib, make, 0.0, seed=11)
    assert false_alarms <= ALPHA + mc_slack(ALPHA)
    # the size the gate states when the data carry a regression of the size it stated before
    _, stated = simulate(name, hib, make, stated, seed=12, reps=R // 3)
    detection, _ = simulate(name, hib, make, stated, seed=13)
    assert detection >= POWER - mc_slack(POWER)
    # twice the stated size is caught nearly always
    detection2, _ = simulate(name, hib, make, 2 * stated, seed=14, reps=R // 3)
    assert detection2 >= 0.99


@pytest.mark.parametrize(("name", "hib", "make"), CASES, ids=[c[0] for c in CASES])
def test_identical_runs_pass(name, hib, make):
    base, _ = make(np.random.default_rng(3), 0.0)
    d = paired_bootstrap(METRICS.get(name), base, base, hib, resamples=B)
    assert d.regression == 0 and d.lower == 0 and d.p_value == 1.0


def test_a_tolerance_absorbs_a_regression_below_it():
    metric = METRICS.get("wer@whisper-norm")
    base, cand = wer_pair(np.random.default_rng(5), 3.0)
    strict = paired_bootstrap(metric, base, cand, False, resamples=B)
    assert strict.p_value < ALPHA and strict.regression > 1.5
    loose = paired_bootstrap(metric, base, cand, False, tolerance=10.0, resamples=B)
    assert loose.p_value > 0.5 and loose.detectable > 10.0


def test_corpus_wer_is_resampled_as_a_corpus():
    """Each resample's value is sum(errors)/sum(words) of the resampled utterances."""
    metric = METRICS.get("wer@whisper-norm")
    stats = np.array([[1.0, 2.0], [0.0, 20.0]])
    idx = np.array([[0, 0], [1, 1], [0, 1]])
    assert metric.reduce_resamples(stats, idx).tolist() == pytest.approx(
        [100 * 2 / 4, 0.0, 100 * 1 / 22]
    )


def test_seed_variation_widens_the_interval():
    """Two seeds per side that disagree: the two-level bootstrap shows a larger error."""
    metric = METRICS.get("sim@resemblyzer")
    rng = np.random.default_rng(9)
    base = rng.normal(0.7, 0.08, N)
    cand = base + rng.normal(0.0, 0.02, N)
    one = paired_bootstrap(metric, [base[:, None]], [cand[:, None]], True, resamples=B)
    seeds_b = [(base + 0.03)[:, None], (base - 0.03)[:, None]]
    seeds_c = [(cand + 0.03)[:, None], (cand - 0.03)[:, None]]
    two = paired_bootstrap(metric, seeds_b, seeds_c, True, resamples=B)
    assert two.regression == pytest.approx(one.regression)  # means over seeds agree
    assert two.se > 1.5 * one.se and two.seeds == (2, 2)
