"""The results file (`results.json`): a typed, schema-versioned record of one scored run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import UserError

SCHEMA_VERSION = 1


class ResultsError(UserError, ValueError):
    """A results file that is missing, corrupt or of an unknown schema; names the file."""


@dataclass(frozen=True)
class MetricResult:
    """One metric preset's score on one task."""

    name: str
    """Preset name, e.g. `wer@whisper-norm`."""
    value: float | None
    """Headline value on the preset's scale; None when unavailable or no sample could be scored."""
    ci_low: float | None
    """Lower end of the bootstrap interval."""
    ci_high: float | None
    """Upper end of the bootstrap interval."""
    n: int
    """Samples that entered the value (failed and empty outputs included, scored by policy)."""
    n_policy: int
    """How many of them were scored by the failure policy rather than measured."""
    higher_is_better: bool
    """Direction of the metric."""
    scale: str
    """Scale the value is on (`percent`, `x100`, `cosine`, `mos`, ...)."""
    aggregation: str
    """`corpus` or `mean`."""
    protocol: Mapping[str, Any]
    """The preset's pinned protocol (scorer, normalizer, sample rate, policy ...)."""
    protocol_hash: str
    """Hash of `protocol`; values with different hashes never share a column."""
    scorer: Mapping[str, Any] = field(default_factory=dict)
    """The scorer actually loaded (path, file hash, device)."""
    unavailable: str | None = None
    """Why the metric could not be computed here (e.g. scorer weights missing)."""
    n_excluded: int = 0
    """Samples left out because their input was unusable (input errors: the same for every
    model on the same data); they are counted in the integrity counts, not scored."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Sub-scores worth keeping (e.g. substitution/deletion/insertion totals)."""


@dataclass(frozen=True)
class Integrity:
    """How the samples of a task ended; every sample is in exactly one bucket."""

    expected: int | None
    """Samples the task was enumerated with (None while generation is unfinished)."""
    total: int
    """Samples with a prediction record."""
    ok: int
    """Usable output."""
    empty: int
    """Empty output (scored by policy)."""
    malformed: int
    """Output broke the expected format; salvaged part scored."""
    failed: int
    """Generation or output handling raised (scored by policy)."""
    input_errors: int
    """Sample unreadable (corrupt or missing media, no voice prompt)."""
    missing: int
    """Expected but absent from the predictions (an unfinished run)."""
    examples: tuple[Mapping[str, str], ...] = ()
    """The first failures: sample id, status, stage and reason; plus, with status `unmatched`,
    output ids that matched no sample (e.g. a predictions file's stray ids)."""
    truncated: int = 0
    """Of all records, how many carry the `truncated` flag (stopped at the token budget); a
    flag, not a bucket: these samples are also counted by their status."""
    degenerate: int = 0
    """Of all records, how many carry the `degenerate` flag (input too short or silent); a
    flag, not a bucket."""
    partial: bool = False
    """Scored before generation finished: the values cover `total` of `expected` samples
    (`expected` from the task's enumeration, or unknown); every table marks such a task."""


@dataclass(frozen=True)
class TaskResult:
    """A task's scores and integrity counts."""

    task: str
    """Task name."""
    family: str
    """Task family."""
    version: str
    """Task version."""
    data: str
    """Data location read."""
    limit: int | None
    """Subset size, or None for the full split."""
    integrity: Integrity
    """Sample outcome counts."""
    metrics: Mapping[str, MetricResult]
    """Scores by preset name, in the task's order."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds: generation wall time, mean per-sample model time, scoring time."""


@dataclass(frozen=True)
class RunResults:
    """Everything a report needs from one run."""

    schema_version: int
    """Version of this schema."""
    run_id: str
    """Folder name of the run."""
    model: Mapping[str, Any]
    """Spec, adapter name and the adapter's own description (checkpoint, device, dtype)."""
    config_hash: str
    """Hash of model, decoding, seed and task identities."""
    decoding: str
    """Decoding preset."""
    seed: int
    """Run seed."""
    tasks: Mapping[str, TaskResult]
    """Results by task name."""
    provenance: Mapping[str, Any]
    """Package versions, git revision, host and device, scoring time, bootstrap settings."""
    path: str = ""
    """Where this results file was read from (not stored)."""

    @property
    def label(self) -> str:
        """Short display name: the `label` model option if set, else the model spec."""
        return str(self.model.get("label") or self.model.get("spec") or self.run_id)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def to_json(results: RunResults) -> dict[str, Any]:
    data = asdict(results)
    data.pop("path", None)
    return _clean(data)


def from_json(data: Mapping[str, Any], path: str = "") -> RunResults:
    where = path or "results"
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultsError(
            f"{where}: schema_version {version!r} is not {SCHEMA_VERSION} (re-score with `anybench score`)"
        )
    try:
        tasks = {}
        for name, t in data["tasks"].items():
            integ = dict(t["integrity"])
            integ["examples"] = tuple(integ.get("examples", ()))
            metrics = {m: MetricResult(**mr) for m, mr in t["metrics"].items()}
            tasks[name] = TaskResult(**{**t, "integrity": Integrity(**integ), "metrics": metrics})
        return RunResults(**{**data, "tasks": tasks, "path": path})
    except (KeyError, TypeError) as exc:
        raise ResultsError(
            f"{where}: not a valid anybench results file ({type(exc).__name__}: {exc})"
        ) from exc


def load(path: str | Path) -> RunResults:
    """Read a run folder's results.json (or the file itself)."""
    import json

    p = Path(path)
    if p.is_dir():
        p = p / "results.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{p}: no results file (run `anybench score {p.parent}` first)"
        ) from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{p}: corrupt JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{p}: expected a JSON object")
    return from_json(data, str(p))
