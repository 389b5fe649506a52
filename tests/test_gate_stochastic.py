"""The gate on stochastic models (model.json `deterministic: false`) and on smaller candidates.

A stochastic model's identical rerun differs by generation noise that one run per side cannot
show, so the gate needs repeated seeds and tests against their spread (docs/ci-gate.md).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest

import tests.fakes  # noqa: F401  (registers the fixture presets' families)
from evals.cli.main import main
from evals.registry import METRICS
from reports.gate import GateInputError, run_gate
from reports.gate_rules import Rules, parse_rules
from reports.gate_stats import seed_detectable, seed_variance_test
from reports.runs import load_runs
from tests.report_fixtures import scored_run

N = 40
SIMS = np.random.default_rng(7).normal(0.7, 0.05, N)
SPEC = "piper:voice=joe"


def seeds(tmp_path, name, offsets, deterministic=False, n=N):
    """One run per offset: the same voice, each seed shifting every sample (generation noise that
    is shared across one run's samples, as a sampled noise scale is) plus per-sample noise."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    folders = []
    for s, offset in enumerate(offsets):
        sims = np.clip(SIMS[:n] + offset + rng.normal(0, 0.01, n), 0, 1)[:, None]
        folders.append(
            scored_run(
                tmp_path / f"{name}-s{s}",
                name,
                "t",
                {"sim@resemblyzer": sims},
                seed=s,
                spec=SPEC,
                deterministic=deterministic,
            )
        )
    return folders


def gate(capsys, base, cand, *extra):
    code = main(["gate", "--baseline", *map(str, base), "--candidate", *map(str, cand), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_one_seed_of_a_stochastic_model_is_refused_with_the_command(tmp_path, capsys):
    # the demo's case: the same Piper command twice; the two draws of its noise differ
    base = seeds(tmp_path, "main", [0.02])
    cand = seeds(tmp_path, "rerun", [-0.02])
    code, out, err = gate(capsys, base, cand)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert "is stochastic (model.json: deterministic false)" in line
    assert "needs 3 seeds per side; the baseline has 1" in line
    assert "`for s in 1 2; do anybench run --model piper:voice=joe --tasks t" in line
    assert "--seed $s; done`" in line and "--baseline" in line
    # the same data, recorded as deterministic, is the paired test of today: a regression
    det_base = seeds(tmp_path, "dmain", [0.02], deterministic=True)
    det_cand = seeds(tmp_path, "drerun", [-0.02], deterministic=True)
    assert gate(capsys, det_base, det_cand)[0] == 1


def test_repeated_seeds_pass_an_identical_rerun_and_fail_a_regression(tmp_path, capsys):
    base = seeds(tmp_path, "main", [0.02, -0.01, 0.0])
    rerun = seeds(tmp_path, "rerun", [-0.02, 0.01, 0.005])
    code, out, _ = gate(capsys, base, rerun)
    assert code == 0 and "## anybench gate: PASS" in out
    assert "a t-test of the per-seed values" in out
    worse = seeds(tmp_path, "worse", [-0.09, -0.06, -0.08])
    code, out, _ = gate(capsys, base, worse)
    assert code == 1 and "significant regression" in out


def test_a_stochastic_candidate_needs_seeds_too(tmp_path):
    base = load_runs(seeds(tmp_path, "main", [0.0, 0.01, -0.01], deterministic=True))
    cand = load_runs(seeds(tmp_path, "pr", [0.0]))
    with pytest.raises(GateInputError, match="the candidate has 1"):
        run_gate(base, cand)
    relaxed = run_gate(base, load_runs(seeds(tmp_path, "pr2", [0.0, 0.01])), Rules(min_seeds=2))
    assert relaxed.checks[0].delta.method == "seed variance"
    with pytest.raises(Exception, match="`min_seeds` must be between 2"):
        parse_rules({"min_seeds": 1})


def test_seed_variance_test_keeps_its_false_alarm_rate_and_power():
    """The seed t-test on 3 seeds per side: false alarms <= alpha; its stated detectable size is
    detected with about the stated power (both within 3 Monte Carlo standard errors)."""
    metric = METRICS.get("sim@resemblyzer")
    rng = np.random.default_rng(3)
    reps, k, sd = 500, 3, 0.02

    def draw(shift):
        sides = []
        for delta in (0.0, shift):
            sides.append([(SIMS + delta + rng.normal(0, sd))[:, None] for _ in range(k)])
        return sides

    slack = 3 * math.sqrt(0.05 * 0.95 / reps)
    alarms = sum(seed_variance_test(metric, *draw(0.0), True).p_value < 0.05 for _ in range(reps))
    assert alarms / reps <= 0.05 + slack
    # the size the test states for this spread (df 2k - 2)
    size = seed_detectable(sd * math.sqrt(2 / k), 2 * k - 2, 0.05, 0.8)
    stated = np.median([seed_variance_test(metric, *draw(0.0), True).detectable for _ in range(50)])
    assert stated == pytest.approx(size, rel=0.25)
    hits = sum(seed_variance_test(metric, *draw(-size), True).p_value < 0.05 for _ in range(reps))
    assert hits / reps >= 0.8 - 3 * math.sqrt(0.8 * 0.2 / reps)


def test_a_smaller_candidate_cannot_be_compared_unless_allowed(tmp_path, capsys):
    base = seeds(tmp_path, "main", [0.0], deterministic=True)
    cand = seeds(tmp_path, "pr", [0.0], deterministic=True, n=10)
    code, out, _ = gate(capsys, base, cand)
    assert code == 2 and "CANNOT COMPARE" in out
    assert "the candidate covers 10 of the baseline's 40 samples; pass --allow-subset" in out
    code, out, _ = gate(capsys, base, cand, "--allow-subset")
    assert code == 0 and "30 samples only in the baseline and 0 only in the candidate" in out


def test_identical_runs_print_zero_not_negative_zero(tmp_path, capsys):
    base = seeds(tmp_path, "main", [0.0], deterministic=True)
    code, out, _ = gate(capsys, base, base)
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("| pass"))
    assert "-0.0" not in row and "+0.0" not in row and "| 0.0000 |" in row
