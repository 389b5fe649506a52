"""`anybench gate`: does a candidate run regress against a baseline, beyond tolerance?

Every (task, metric) of the baseline is one check: compared by a paired bootstrap over the
samples both sides scored (reports.gate_stats), against the tolerance of the first matching rule
(reports.gate_rules). A side may hold several runs of one configuration that differ only in the
generation seed; they are resampled as seeds. Where either model records `deterministic: false`
(model.json), each side needs `rules.min_seeds` runs and the difference is tested against the
seed-to-seed variance instead (docs/ci-gate.md says why). Exit codes: 0 every check passed (or was skipped),
1 at least one significant regression, 2 nothing failed but something could not be compared
(different protocol hashes, a missing task or metric, no shared samples, stale scores).
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace

from evals.errors import UserError
from evals.results import ResultsError, RunResults
from reports.columns import protocol_differences
from reports.gate_rules import Rule, Rules
from reports.gate_stats import Delta, holm, paired_bootstrap, point, seed_variance_test
from reports.sample_scores import read_sample_stats

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
EXIT_CODES = {PASS: 0, FAIL: 1, ERROR: 2}


class GateInputError(UserError, ValueError):
    """The runs given to one side of the gate are not seeds of one configuration."""


@dataclass(frozen=True)
class Check:
    """One (task, metric) comparison."""

    task: str
    metric: str
    status: str
    """pass, fail, error (cannot compare) or skip."""
    reason: str
    """Why (always set for fail, error and skip)."""
    rule: Rule
    """The rule that applied."""
    higher_is_better: bool | None = None
    scale: str = ""
    delta: Delta | None = None
    """The comparison (None when it could not be made)."""
    p_adjusted: float | None = None
    """p-value after the multiplicity correction."""
    unshared: tuple[int, int] = (0, 0)
    """Samples only the baseline / only the candidate has (left out of the comparison)."""


@dataclass(frozen=True)
class GateResult:
    baseline: tuple[RunResults, ...]
    candidate: tuple[RunResults, ...]
    checks: tuple[Check, ...]
    rules: Rules
    notes: tuple[str, ...]

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else ERROR if ERROR in statuses else PASS

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.checks)


def check_side(runs: Sequence[RunResults], side: str) -> None:
    """Several runs on one side must be seeds of one configuration."""
    if not runs:
        raise GateInputError(f"no {side} run given")
    first = runs[0]
    for run in runs[1:]:
        same = (run.model.get("spec"), run.decoding, sorted(run.tasks)) == (
            first.model.get("spec"),
            first.decoding,
            sorted(first.tasks),
        )
        if not same:
            raise GateInputError(
                f"{side} runs {first.run_id} and {run.run_id} differ in model, decoding or tasks; "
                "several runs on one side must be the same configuration with different seeds"
            )
    seeds = [run.seed for run in runs]
    if len(set(seeds)) != len(seeds):
        raise GateInputError(f"{side} runs share a seed ({seeds}); give each seed once")


def deterministic(run: RunResults) -> bool | None:
    """What the adapter recorded in model.json (`describe.deterministic`); None if it did not."""
    value = (run.model.get("describe") or {}).get("deterministic")
    return value if isinstance(value, bool) else None


def seed_command(runs: Sequence[RunResults], needed: int) -> str:
    """The shell command that adds the seeds one side lacks."""
    first = runs[0]
    used = {r.seed for r in runs}
    new = [s for s in range(needed + len(used)) if s not in used][: needed - len(runs)]
    limits = {tr.limit for tr in first.tasks.values()} - {None}
    limit = f" --limit {next(iter(limits))}" if len(limits) == 1 else ""
    spec = shlex.quote(str(first.model.get("spec", "")))
    run = (
        f"anybench run --model {spec} --tasks {','.join(first.tasks)}{limit} "
        f"--decoding {shlex.quote(first.decoding)} --seed $s"
    )
    return f"for s in {' '.join(map(str, new))}; do {run}; done"


def check_seeds(
    baseline: Sequence[RunResults], candidate: Sequence[RunResults], rules: Rules
) -> bool:
    """True when either side is stochastic; then both need `rules.min_seeds` runs, or refuse."""
    stochastic = [r for r in (*baseline, *candidate) if deterministic(r) is False]
    if not stochastic:
        return False
    for side, runs in (("baseline", baseline), ("candidate", candidate)):
        if len(runs) < rules.min_seeds:
            raise GateInputError(
                f"cannot compare: {stochastic[0].label} is stochastic (model.json: deterministic "
                f"false), so the gate tests against seed-to-seed variance and needs "
                f"{rules.min_seeds} seeds per side; the {side} has {len(runs)}: run "
                f"`{seed_command(runs, rules.min_seeds)}` (same --data and --out) and pass all "
                f"{rules.min_seeds} runs to --{side}"
            )
    return True


def compare_metric(
    task: str,
    name: str,
    baseline: Sequence[RunResults],
    candidate: Sequence[RunResults],
    rule: Rule,
    rules: Rules,
    level: float,
    stochastic: bool = False,
) -> Check:
    """One check, before the multiplicity correction (status pass/fail decided later)."""
    base_m = baseline[0].tasks[task].metrics[name]
    meta = dict(rule=rule, higher_is_better=base_m.higher_is_better, scale=base_m.scale)
    if rule.skip:
        return Check(task, name, SKIP, "skipped by rule", **meta)
    results = []
    for side, runs in (("baseline", baseline), ("candidate", candidate)):
        for run in runs:
            tr = run.tasks.get(task)
            if tr is None:
                return Check(task, name, ERROR, f"{side} {run.run_id} has no task {task}", **meta)
            m = tr.metrics.get(name)
            if m is None:
                return Check(
                    task, name, ERROR, f"{side} {run.run_id} was not scored with {name}", **meta
                )
            if m.unavailable:
                return Check(
                    task, name, ERROR, f"{side} {run.run_id}: unavailable: {m.unavailable}", **meta
                )
            results.append((side, run, m))
    for side, run, m in results[1:]:
        if m.protocol_hash != base_m.protocol_hash:
            diff = "; ".join(protocol_differences(base_m.protocol, m.protocol)) or "hashes differ"
            reason = (
                f"protocol differs: baseline #{base_m.protocol_hash[:8]}, {side} {run.run_id} "
                f"#{m.protocol_hash[:8]} ({diff})"
            )
            return Check(task, name, ERROR, reason, **meta)
    from evals.registry import METRICS

    if name not in METRICS:
        return Check(task, name, ERROR, f"metric preset {name} is not installed here", **meta)
    metric = METRICS.get(name)
    preset = getattr(metric, "preset", None)
    if preset is not None and preset.protocol_hash() != base_m.protocol_hash:
        reason = (
            f"the installed {name} has protocol #{preset.protocol_hash()[:8]}, the runs were "
            f"scored with #{base_m.protocol_hash[:8]}; re-score both runs with `anybench score`"
        )
        return Check(task, name, ERROR, reason, **meta)
    try:
        stats = [(side, run, m, read_sample_stats(run, task, name)) for side, run, m in results]
    except ResultsError as exc:
        return Check(task, name, ERROR, str(exc), **meta)
    for _, run, m, s in stats:
        value = metric.reduce(s.stats)
        if m.value is not None and not math.isclose(value, m.value, rel_tol=1e-6, abs_tol=1e-9):
            reason = (
                f"{s.path} gives {name} = {value:.6g} but results.json says {m.value:.6g}; "
                f"re-score {run.run_id}"
            )
            return Check(task, name, ERROR, reason, **meta)
    base_ids = set.intersection(*(set(s.ids) for side, _, _, s in stats if side == "baseline"))
    cand_ids = set.intersection(*(set(s.ids) for side, _, _, s in stats if side == "candidate"))
    shared = tuple(sorted(base_ids & cand_ids))
    unshared = (len(base_ids - cand_ids), len(cand_ids - base_ids))
    if not shared:
        return Check(task, name, ERROR, "no sample scored by both sides", **meta, unshared=unshared)
    if unshared[0] and not rules.allow_subset:
        reason = (
            f"the candidate covers {len(shared)} of the baseline's {len(base_ids)} samples; "
            "pass --allow-subset to compare on the shared ones"
        )
        return Check(task, name, ERROR, reason, **meta, unshared=unshared)
    aligned = {"baseline": [], "candidate": []}
    for side, _, _, s in stats:
        aligned[side].append(s.aligned(shared))
    baseline_value = point(metric, aligned["baseline"])
    common = dict(
        tolerance=rule.tolerance(baseline_value), alpha=rules.alpha, power=rules.power, level=level
    )
    if stochastic:
        delta = seed_variance_test(
            metric, aligned["baseline"], aligned["candidate"], base_m.higher_is_better, **common
        )
    else:
        delta = paired_bootstrap(
            metric,
            aligned["baseline"],
            aligned["candidate"],
            base_m.higher_is_better,
            resamples=rules.resamples,
            seed=rules.seed,
            **common,
        )
    if not math.isfinite(delta.p_value):
        return Check(task, name, ERROR, "the metric is undefined on these samples", **meta)
    return Check(task, name, PASS, "", **meta, delta=delta, unshared=unshared)


def decide(checks: Sequence[Check], rules: Rules) -> list[Check]:
    """Apply the multiplicity correction and the fail rule to the compared checks."""
    compared = [i for i, c in enumerate(checks) if c.delta is not None and c.status == PASS]
    ps = [checks[i].delta.p_value for i in compared]  # type: ignore[union-attr]
    adjusted = holm(ps) if rules.correction == "holm" else ps
    out = list(checks)
    for i, p in zip(compared, adjusted):
        c = checks[i]
        d = c.delta
        assert d is not None
        if p < rules.alpha:
            reason = (
                f"significant regression: {d.regression:+.4g} (one-sided {1 - rules.alpha:.0%} "
                f"lower bound {d.lower:+.4g}) beyond tolerance {d.tolerance:.4g}; p = {p:.3g}"
            )
            out[i] = replace(c, status=FAIL, reason=reason, p_adjusted=p)
        else:
            out[i] = replace(c, p_adjusted=p)
    return out


def run_gate(
    baseline: Sequence[RunResults], candidate: Sequence[RunResults], rules: Rules | None = None
) -> GateResult:
    """Compare every (task, metric) of the baseline with the candidate."""
    rules = rules or Rules()
    check_side(baseline, "baseline")
    check_side(candidate, "candidate")
    stochastic = check_seeds(baseline, candidate, rules)
    planned = [
        (task, name, rules.match(task, name))
        for task, tr in baseline[0].tasks.items()
        for name in tr.metrics
    ]
    m = sum(not rule.skip for _, _, rule in planned)
    level = rules.alpha / m if rules.correction == "holm" and m > 1 else rules.alpha
    checks = [
        compare_metric(task, name, baseline, candidate, rule, rules, level, stochastic)
        for task, name, rule in planned
    ]
    checks = decide(checks, rules)
    notes = []
    extra = sorted(set(candidate[0].tasks) - set(baseline[0].tasks))
    if extra:
        notes.append(f"Tasks only the candidate has (not checked): {', '.join(extra)}.")
    for c in checks:
        if c.unshared != (0, 0) and c.status != ERROR:
            notes.append(
                f"{c.task}: {c.unshared[0]} samples only in the baseline and "
                f"{c.unshared[1]} only in the candidate were left out."
            )
    return GateResult(
        tuple(baseline), tuple(candidate), tuple(checks), rules, tuple(dict.fromkeys(notes))
    )
