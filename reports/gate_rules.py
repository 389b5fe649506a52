"""Gate rules: how much regression each (task, metric) may show, and the test's settings.

A rules file is YAML:

    alpha: 0.05          # one-sided false-alarm rate, family-wise under `correction`
    power: 0.8           # power quoted for the detectable regression
    resamples: 2000      # paired bootstrap resamples
    seed: 0              # resampling seed
    correction: holm     # holm (family-wise over all checks) or none
    min_seeds: 3         # seeds per side required where a model is stochastic (docs/ci-gate.md)
    allow_subset: false  # compare a candidate that covers fewer samples than the baseline
    default:             # where no rule matches
      max_regression: 0  # absolute, in the metric's units (e.g. WER points)
    rules:               # first match wins; task and metric are shell-style patterns
      - {task: "*", metric: "wer*", max_regression: 0.5}
      - {metric: "sim@*", max_regression_rel: 0.02}   # 2% of the baseline value
      - {metric: "dnsmos@*", skip: true}

Both `max_regression` and `max_regression_rel` may be given: the larger tolerance applies.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import UserError

CORRECTIONS = ("holm", "none")


class RulesError(UserError, ValueError):
    """A rules file that cannot be used; names the file and the key."""


@dataclass(frozen=True)
class Rule:
    """Tolerance for the checks it matches."""

    task: str = "*"
    """Task name pattern (fnmatch)."""
    metric: str = "*"
    """Metric preset pattern (fnmatch)."""
    max_regression: float | None = None
    """Allowed regression in the metric's units."""
    max_regression_rel: float | None = None
    """Allowed regression as a fraction of the baseline's value."""
    skip: bool = False
    """Do not check (reported as skipped)."""

    def matches(self, task: str, metric: str) -> bool:
        return fnmatch.fnmatchcase(task, self.task) and fnmatch.fnmatchcase(metric, self.metric)

    def tolerance(self, baseline: float) -> float:
        """The larger of the absolute and the relative tolerance (0 when neither is set)."""
        rel = (self.max_regression_rel or 0.0) * abs(baseline) if math.isfinite(baseline) else 0.0
        return max(self.max_regression or 0.0, rel)

    def describe(self) -> str:
        parts = []
        if self.max_regression is not None:
            parts.append(f"{self.max_regression:g}")
        if self.max_regression_rel is not None:
            parts.append(f"{100 * self.max_regression_rel:g}% of baseline")
        return " or ".join(parts) if parts else "0"


@dataclass(frozen=True)
class Rules:
    """Settings and tolerances of a gate."""

    alpha: float = 0.05
    power: float = 0.8
    resamples: int = 2000
    seed: int = 0
    correction: str = "holm"
    min_seeds: int = 3
    """Runs (seeds) each side needs where either model is stochastic; see docs/ci-gate.md."""
    allow_subset: bool = False
    """Compare on the shared samples when the candidate lacks some of the baseline's."""
    default: Rule = field(default_factory=Rule)
    rules: tuple[Rule, ...] = ()
    source: str = "built-in defaults"
    """Where the rules came from (file path)."""

    def match(self, task: str, metric: str) -> Rule:
        return next((r for r in self.rules if r.matches(task, metric)), self.default)


RULE_KEYS = {"task", "metric", "max_regression", "max_regression_rel", "skip"}
TOP_KEYS = {
    "alpha",
    "power",
    "resamples",
    "seed",
    "correction",
    "min_seeds",
    "allow_subset",
    "default",
    "rules",
}


def _number(where: str, key: str, value: Any, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RulesError(f"{where}: `{key}` must be a number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise RulesError(f"{where}: `{key}` must be {bound}, not {value!r}")
    return float(value)


def parse_rule(where: str, data: Any, default: bool = False) -> Rule:
    if not isinstance(data, Mapping):
        raise RulesError(f"{where}: expected a mapping, not {data!r}")
    unknown = set(data) - RULE_KEYS
    if default:
        unknown |= {k for k in data if k in ("task", "metric")}
    if unknown:
        raise RulesError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: {', '.join(sorted(RULE_KEYS - ({'task', 'metric'} if default else set())))}"
        )
    kwargs: dict[str, Any] = {}
    for key in ("task", "metric"):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise RulesError(f"{where}: `{key}` must be a pattern string")
            kwargs[key] = data[key]
    if "max_regression" in data:
        kwargs["max_regression"] = _number(where, "max_regression", data["max_regression"], 0.0)
    if "max_regression_rel" in data:
        kwargs["max_regression_rel"] = _number(
            where, "max_regression_rel", data["max_regression_rel"], 0.0, 1.0
        )
    if "skip" in data:
        if not isinstance(data["skip"], bool):
            raise RulesError(f"{where}: `skip` must be true or false")
        kwargs["skip"] = data["skip"]
    return Rule(**kwargs)


def parse_rules(data: Any, source: str = "rules") -> Rules:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise RulesError(f"{source}: expected a mapping at the top level")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise RulesError(
            f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: {', '.join(sorted(TOP_KEYS))}"
        )
    kwargs: dict[str, Any] = {"source": source}
    if "alpha" in data:
        kwargs["alpha"] = _number(source, "alpha", data["alpha"], 1e-6, 0.5)
    if "power" in data:
        kwargs["power"] = _number(source, "power", data["power"], 0.5, 0.999)
    if "resamples" in data:
        kwargs["resamples"] = int(_number(source, "resamples", data["resamples"], 100))
    if "seed" in data:
        kwargs["seed"] = int(_number(source, "seed", data["seed"], 0))
    if "min_seeds" in data:
        kwargs["min_seeds"] = int(_number(source, "min_seeds", data["min_seeds"], 2, 100))
    if "allow_subset" in data:
        if not isinstance(data["allow_subset"], bool):
            raise RulesError(f"{source}: `allow_subset` must be true or false")
        kwargs["allow_subset"] = data["allow_subset"]
    if "correction" in data:
        if data["correction"] not in CORRECTIONS:
            raise RulesError(f"{source}: `correction` must be one of {', '.join(CORRECTIONS)}")
        kwargs["correction"] = data["correction"]
    if "default" in data:
        kwargs["default"] = parse_rule(f"{source}: default", data["default"], default=True)
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise RulesError(f"{source}: `rules` must be a list")
    kwargs["rules"] = tuple(parse_rule(f"{source}: rules[{i}]", r) for i, r in enumerate(rules))
    return Rules(**kwargs)


def load_rules(path: str | Path) -> Rules:
    """Read a YAML rules file; errors name the file and the key."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{p}: cannot read rules file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{p}: not valid YAML ({exc})") from None
    return parse_rules(data, str(p))
