"""Per-sample metric statistics of a scored run (`<run>/scores/<task>.jsonl`), for paired tests.

Each line is `{"sample_id", "status", "metrics": {preset: {"value", "stat": [...], ...}}}`; the
statistics are what the metric reduces (e.g. errors and reference words for corpus WER), so
resampling them reproduces corpus metrics exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from evals.results import ResultsError, RunResults


@dataclass(frozen=True)
class SampleStats:
    """One metric's statistics for one task of one run."""

    path: str
    """The scores file they were read from."""
    ids: tuple[str, ...]
    """Sample ids, in file order."""
    stats: np.ndarray
    """[n, k] statistics, row i for ids[i]."""

    def aligned(self, ids: tuple[str, ...]) -> np.ndarray:
        """Rows for `ids`, in that order."""
        where = {sid: i for i, sid in enumerate(self.ids)}
        return self.stats[[where[s] for s in ids]]


def run_folder(run: RunResults) -> Path:
    path = Path(run.path)
    return path.parent if path.name == "results.json" else path


def scores_path(run: RunResults, task: str) -> Path:
    from evals.store import RunStore

    return RunStore(run_folder(run)).scores_path(task)


@lru_cache(maxsize=64)
def _parse(
    path: str, mtime_ns: int
) -> dict[str, tuple[tuple[str, ...], list[list[float]], list[int]]]:
    """metric -> (ids, stats, line numbers) of a scores file (cached by path and mtime)."""
    out: dict[str, tuple[list[str], list[list[float]], list[int]]] = {}
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                sid = str(row["sample_id"])
                metrics = row["metrics"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ResultsError(
                    f"{path}:{lineno}: corrupt per-sample scores line ({type(exc).__name__}: {exc}); "
                    "re-score the run with `anybench score`"
                ) from None
            if sid in seen:
                raise ResultsError(f"{path}:{lineno}: sample {sid} appears twice")
            seen.add(sid)
            for name, entry in metrics.items():
                stat = entry.get("stat") if isinstance(entry, dict) else None
                if not isinstance(stat, list) or not all(
                    isinstance(x, int | float) and not isinstance(x, bool) for x in stat
                ):
                    raise ResultsError(
                        f"{path}:{lineno}: {name} of sample {sid} has no numeric `stat` list"
                    )
                ids, stats, lines = out.setdefault(name, ([], [], []))
                ids.append(sid)
                stats.append([float(x) for x in stat])
                lines.append(lineno)
    return {k: (tuple(v[0]), v[1], v[2]) for k, v in out.items()}


def read_sample_stats(run: RunResults, task: str, metric: str) -> SampleStats:
    """The statistics of `metric` on `task`; ResultsError naming the file if absent or corrupt.

    Metrics whose statistics point at an in-memory corpus (CIDEr-D) are re-scored from the run's
    logs here, so their corpus exists in this process.
    """
    from evals.registry import METRICS

    if metric in METRICS and METRICS.get(metric).stats_need_corpus:
        from evals.scoring import rescore
        from metrics.base import stack

        ids, scores = rescore(run_folder(run), task, METRICS.get(metric))
        return SampleStats(str(run_folder(run)), tuple(ids), stack(scores))
    path = scores_path(run, task)
    if not path.is_file():
        raise ResultsError(
            f"{path}: no per-sample scores (re-score with `anybench score {run_folder(run)}`)"
        )
    parsed = _parse(str(path), path.stat().st_mtime_ns)
    if metric not in parsed:
        raise ResultsError(f"{path}: no per-sample statistics for {metric}")
    ids, stats, lines = parsed[metric]
    widths = {len(s) for s in stats}
    if len(widths) > 1:
        first = next(i for i, s in enumerate(stats) if len(s) != len(stats[0]))
        raise ResultsError(
            f"{path}:{lines[first]}: {metric} statistics have {len(stats[first])} values, "
            f"earlier lines {len(stats[0])}"
        )
    array = np.asarray(stats, dtype=np.float64).reshape(len(stats), -1 if stats else 1)
    return SampleStats(str(path), ids, array)
