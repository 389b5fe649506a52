"""The regression test: a paired bootstrap of the metric difference, over samples and seeds.

Both runs are resampled with the *same* sample indices (the pairing removes the variance that
comes from which samples are hard), and each resample is reduced by the metric itself, so
corpus metrics (corpus WER = sum of errors / sum of words, CIDEr, FAD) are recomputed on every
resample rather than averaged per sample. Where a side has several runs that differ only in
their generation seed, each resample also draws that many seeds with replacement (a two-level
bootstrap), so seed-to-seed variation widens the interval; a side's value is the mean of its
seeds' values.

The test is one-sided, in the metric's bad direction. `regression` is the candidate's change in
that direction (positive = worse). With tolerance t (absolute or relative to the baseline) the
null hypothesis is `regression <= t`; its bootstrap p-value is the share of resamples whose
regression is <= t, and the check fails when the (multiplicity-adjusted) p-value is below alpha,
i.e. when the lower confidence bound of the regression lies above the tolerance.

The detectable regression reported with each check is t + (q[1-a] + q[power]) * se * sqrt(n/(n-1)):
se is the bootstrap standard error of the regression (times the usual finite-sample factor, as
the bootstrap divides by n), q are Student t quantiles with n - 1 degrees of freedom, a is the
per-check level (alpha / number of checks under a multiplicity correction). It is the true
regression this gate detects with the stated power, to the accuracy of the normal approximation
(tests/test_gate_power.py measures it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from metrics.base import Metric

MAX_CELLS = 4_000_000
"""Resample indices held in memory at once (resamples are drawn in blocks of this size)."""


@dataclass(frozen=True)
class Delta:
    """The paired comparison of one metric."""

    baseline: float
    """Baseline value (mean over its seeds)."""
    candidate: float
    """Candidate value (mean over its seeds)."""
    regression: float
    """Candidate minus baseline in the bad direction: positive means worse."""
    lower: float
    """One-sided (1 - alpha) lower confidence bound of the regression (unadjusted alpha)."""
    upper: float
    """One-sided (1 - alpha) upper confidence bound of the regression."""
    se: float
    """Bootstrap standard error of the regression."""
    p_value: float
    """Bootstrap p-value of `regression <= tolerance` (unadjusted)."""
    tolerance: float
    """Regression allowed, in metric units."""
    detectable: float
    """Regression detected with the stated power at the per-check level."""
    n: int
    """Shared samples."""
    seeds: tuple[int, int]
    """Runs (generation seeds) on the baseline and candidate side."""
    resamples: int
    """Bootstrap resamples used (finite ones); 0 for the seed-variance test."""
    method: str = "paired bootstrap"
    """`paired bootstrap` (deterministic models) or `seed variance` (stochastic models)."""


def side_values(
    metric: Metric, stats: Sequence[np.ndarray], idx: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """[b] resampled values of one side: per-seed values on `idx`, averaged over drawn seeds."""
    per_seed = np.stack([metric.reduce_resamples(s, idx) for s in stats])  # [S, b]
    count = len(stats)
    if count == 1:
        return per_seed[0]
    pick = rng.integers(0, count, size=(idx.shape[0], count))  # [b, S]
    return per_seed[pick, np.arange(idx.shape[0])[:, None]].mean(axis=1)


def bootstrap_regression(
    metric: Metric,
    baseline: Sequence[np.ndarray],
    candidate: Sequence[np.ndarray],
    higher_is_better: bool,
    resamples: int,
    seed: int,
) -> np.ndarray:
    """Resampled regressions (bad-direction differences); non-finite resamples dropped."""
    n = baseline[0].shape[0]
    if any(s.shape[0] != n for s in (*baseline, *candidate)):
        raise ValueError("every run must have the statistics of the same samples, aligned")
    if metric.max_resamples is not None:  # the first rows of the same stream, in any blocks
        resamples = min(resamples, metric.max_resamples)
    rng = np.random.default_rng(seed)
    sign = -1.0 if higher_is_better else 1.0
    block = max(1, MAX_CELLS // max(n, 1))
    out = []
    done = 0
    while done < resamples:
        b = min(block, resamples - done)
        idx = rng.integers(0, n, size=(b, n))
        base = side_values(metric, baseline, idx, rng)
        cand = side_values(metric, candidate, idx, rng)
        out.append(sign * (cand - base))
        done += b
    values = np.concatenate(out)
    return values[np.isfinite(values)]


def undecided(
    base: float,
    cand: float,
    regression: float,
    tolerance: float,
    n: int,
    seeds: tuple[int, int],
    method: str = "paired bootstrap",
) -> Delta:
    """A comparison with no defined statistics (a value or the spread is not finite)."""
    nan = float("nan")
    return Delta(base, cand, regression, nan, nan, nan, nan, tolerance, nan, n, seeds, 0, method)


def point(metric: Metric, stats: Sequence[np.ndarray]) -> float:
    """A side's value: the mean over its seeds of the metric on all samples."""
    return float(np.mean([metric.reduce(s) for s in stats]))


def paired_bootstrap(
    metric: Metric,
    baseline: Sequence[np.ndarray],
    candidate: Sequence[np.ndarray],
    higher_is_better: bool,
    tolerance: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    resamples: int = 2000,
    seed: int = 0,
    level: float | None = None,
) -> Delta:
    """Compare aligned statistics ([n, k] per seed and side); `level` is the per-check alpha used
    for the detectable regression (default `alpha`)."""
    base_value, cand_value = point(metric, baseline), point(metric, candidate)
    sign = -1.0 if higher_is_better else 1.0
    regression = sign * (cand_value - base_value) + 0.0  # + 0.0: no negative zero
    boot = bootstrap_regression(metric, baseline, candidate, higher_is_better, resamples, seed)
    if boot.size == 0 or not math.isfinite(regression):
        seeds = (len(baseline), len(candidate))
        return undecided(base_value, cand_value, regression, tolerance, baseline[0].shape[0], seeds)
    lower, upper = np.quantile(boot, [alpha, 1.0 - alpha])
    p_value = (np.count_nonzero(boot <= tolerance) + 1) / (boot.size + 1)
    se = float(np.std(boot, ddof=1)) if boot.size > 1 else 0.0
    n = baseline[0].shape[0]
    df = max(n - 1, 1)
    from scipy.stats import t as student_t  # here: scipy.stats costs 60 MiB and 0.8 s to import

    z = student_t.ppf(1.0 - (level or alpha), df) + student_t.ppf(power, df)
    z *= math.sqrt(n / df)
    return Delta(
        baseline=base_value,
        candidate=cand_value,
        regression=regression,
        lower=float(lower),
        upper=float(upper),
        se=se,
        p_value=float(p_value),
        tolerance=tolerance,
        detectable=float(tolerance + z * se),
        n=n,
        seeds=(len(baseline), len(candidate)),
        resamples=int(boot.size),
    )


def seed_variance_test(
    metric: Metric,
    baseline: Sequence[np.ndarray],
    candidate: Sequence[np.ndarray],
    higher_is_better: bool,
    tolerance: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    level: float | None = None,
) -> Delta:
    """One-sided two-sample t-test of the per-seed values (each seed's metric on the shared
    samples), the seed-to-seed variance pooled over both sides (under the null they are one
    configuration): for stochastic models the run-to-run noise is that spread, which a sample
    bootstrap of one run per side cannot see. Needs at least two seeds per side."""
    from scipy.stats import t as student_t

    base = np.array([metric.reduce(s) for s in baseline], dtype=float)
    cand = np.array([metric.reduce(s) for s in candidate], dtype=float)
    if min(base.size, cand.size) < 2:
        raise ValueError("the seed-variance test needs at least two seeds per side")
    sign = -1.0 if higher_is_better else 1.0
    regression = sign * float(cand.mean() - base.mean()) + 0.0
    df = float(base.size + cand.size - 2)
    pooled = ((base.size - 1) * base.var(ddof=1) + (cand.size - 1) * cand.var(ddof=1)) / df
    se = math.sqrt(pooled * (1.0 / base.size + 1.0 / cand.size))
    n = baseline[0].shape[0]
    seeds = (len(baseline), len(candidate))
    if not math.isfinite(regression) or not math.isfinite(se):
        return undecided(
            float(base.mean()), float(cand.mean()), regression, tolerance, n, seeds, "seed variance"
        )
    if se == 0.0:  # every seed scored the same on both sides
        p_value = 0.0 if regression > tolerance else 1.0
    else:
        p_value = float(student_t.sf((regression - tolerance) / se, df))
    q = student_t.ppf(1.0 - alpha, df)
    return Delta(
        baseline=float(base.mean()),
        candidate=float(cand.mean()),
        regression=regression,
        lower=regression - q * se,
        upper=regression + q * se,
        se=se,
        p_value=p_value,
        tolerance=tolerance,
        detectable=tolerance + seed_detectable(se, df, level or alpha, power),
        n=n,
        seeds=seeds,
        resamples=0,
        method="seed variance",
    )


def seed_detectable(se: float, df: float, level: float, power: float) -> float:
    """The regression the seed t-test detects with `power` at `level` when its standard error is
    `se`: the noncentral t's shift (exact for a known spread; with few seeds the normal
    shortcut q[1-a] + q[power] understates it)."""
    from scipy.optimize import brentq
    from scipy.stats import nct
    from scipy.stats import t as student_t

    if se == 0.0:
        return 0.0
    critical = student_t.ppf(1.0 - level, df)
    shift = brentq(lambda nc: nct.sf(critical, df, nc) - power, 0.0, 1000.0)
    return float(shift * se)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (family-wise error control), in input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
