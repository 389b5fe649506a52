"""Reading scored runs for reports: validated results, display labels, reference rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from evals.results import ResultsError, RunResults, load
from reports.fmt import is_number

REFERENCE_ADAPTERS = frozenset({"reference"})
"""Adapters whose rows are ground truth: shown, but never marked best nor ranked."""


def expand_runs(paths: Sequence[str | Path]) -> tuple[list[Path], list[str]]:
    """Run folders from what the user gave: a run folder or results.json as is; a folder of
    runs (`runs/demo`) as the runs inside it; a folder that is neither (the demo's `data/`) or
    a file that is not JSON skipped with a note. A run folder that is not scored yet stays, so loading names it."""
    out: list[Path] = []
    notes: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_file() and p.suffix != ".json":  # the demo's report.md beside its runs
            notes.append(f"{p}: skipped (not a run folder or results file)")
            continue
        if not p.is_dir() or is_run_folder(p):
            out.append(p)
            continue
        inside = sorted(q for q in p.iterdir() if q.is_dir() and is_run_folder(q))
        if inside:
            out += inside
            notes.append(f"{p}: a folder of runs; reading the {len(inside)} inside it")
        else:
            notes.append(f"{p}: skipped (not a run folder: no results.json or config.json)")
    if not out and paths:
        raise ResultsError(
            f"no results file in {', '.join(map(str, paths))}: not a run folder (no "
            "results.json or config.json) nor a folder of runs"
        )
    return out, notes


def is_run_folder(p: Path) -> bool:
    """A run's folder: it has results.json, or a config.json (generated, maybe not scored)."""
    return (p / "results.json").is_file() or (p / "config.json").is_file()


def load_runs(paths: Sequence[str | Path]) -> list[RunResults]:
    """Load and validate the results of each run folder (or results.json); names the bad file."""
    if not paths:
        raise ResultsError("no runs given")
    runs = [validate(load(p)) for p in paths]
    seen: dict[str, str] = {}
    for run in runs:
        where = str(Path(run.path).resolve())
        if where in seen:
            raise ResultsError(f"{run.path}: given twice")
        seen[where] = run.path
    return runs


def validate(run: RunResults) -> RunResults:
    """Check the fields reports rely on; a wrong type raises ResultsError naming file and field."""
    where = run.path or run.run_id
    for task, tr in run.tasks.items():
        counts = tr.integrity
        for field in ("total", "ok", "empty", "malformed", "failed", "input_errors", "missing"):
            value = getattr(counts, field)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ResultsError(
                    f"{where}: tasks.{task}.integrity.{field} is {value!r}, not a count"
                )
        for name, m in tr.metrics.items():
            for field in ("value", "ci_low", "ci_high"):
                value = getattr(m, field)
                if value is not None and not is_number(value):
                    raise ResultsError(
                        f"{where}: tasks.{task}.metrics.{name}.{field} is {value!r}, not a number"
                    )
            if not isinstance(m.higher_is_better, bool):
                raise ResultsError(
                    f"{where}: tasks.{task}.metrics.{name}.higher_is_better is "
                    f"{m.higher_is_better!r}, not true/false"
                )
            if not isinstance(m.protocol_hash, str) or not m.protocol_hash:
                raise ResultsError(f"{where}: tasks.{task}.metrics.{name} has no protocol_hash")
    return run


def labels(runs: Sequence[RunResults]) -> list[str]:
    """Display names, made unique by appending the run id where two runs share a label."""
    counts = Counter(run.label for run in runs)
    out = [run.label if counts[run.label] == 1 else f"{run.label} ({run.run_id})" for run in runs]
    dup = [name for name, c in Counter(out).items() if c > 1]
    if dup:
        # same label and same run id (two copies of one run folder): number them
        seen: Counter[str] = Counter()
        renamed = []
        for name in out:
            seen[name] += 1
            renamed.append(f"{name} #{seen[name]}" if name in dup else name)
        out = renamed
    return out


def is_reference(run: RunResults) -> bool:
    """Ground-truth rows (the `reference` adapter)."""
    return str(run.model.get("name", "")) in REFERENCE_ADAPTERS
