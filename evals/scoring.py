"""The scoring phase: predictions in the run store -> per-sample scores and results.json.

It loads no generation model, so a changed metric re-scores old runs (`anybench score RUN`).
Records are scored in sample-id order, so results (intervals included) do not depend on how the
generation was split into ranks, shards, batches or resumed sessions. Scoring holds an index of
one task's records (evals.record_index), parses them as metrics read them, and holds one
preset's per-sample scores at a time; corpus metrics (CIDEr-D, FAD) hold what their corpus needs.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import IO

from evals import provenance
from evals.progress import scoring_step
from evals.record_index import IndexEntry, RecordIndex
from evals.records import PredictionRecord
from evals.registry import METRICS, TASKS
from evals.results import SCHEMA_VERSION, Integrity, MetricResult, RunResults, TaskResult, to_json
from evals.run_config import RunConfig
from evals.store import RunStore, atomic_write_lines
from evals.types import Status
from metrics.base import Metric, MetricUnavailable, SampleScore, stack
from metrics.bootstrap import BootstrapSpec, interval

log = logging.getLogger("anybench")
MAX_EXAMPLES = 20


def integrity(records: RecordIndex, expected: int | None) -> Integrity:
    """Counts by status from the index; the first failures' reasons from their records."""
    counts = Counter(e.status for e in records.entries)
    flagged = Counter(f for e in records.entries for f in set(e.flags))
    failing = records.where(lambda e: e.status is not Status.OK)
    failures = [
        {
            "sample_id": r.sample_id,
            "status": r.response.status.value,
            "stage": r.response.error_stage or "",
            "reason": r.response.error or r.response.malformed or "empty output",
        }
        for r in failing[:MAX_EXAMPLES]
    ]
    return Integrity(
        expected=expected,
        total=len(records),
        ok=counts[Status.OK],
        empty=counts[Status.EMPTY],
        malformed=counts[Status.MALFORMED],
        failed=counts[Status.FAILED],
        input_errors=counts[Status.INPUT_ERROR],
        missing=max(expected - len(records), 0) if expected is not None else 0,
        examples=tuple(failures),
        truncated=flagged["truncated"],
        degenerate=flagged["degenerate"],
    )


def score_metric(
    metric: Metric, records: Sequence[PredictionRecord], boot: BootstrapSpec
) -> tuple[MetricResult, list[SampleScore]]:
    preset = metric.preset
    base = dict(
        name=preset.name,
        higher_is_better=preset.higher_is_better,
        scale=preset.scale,
        aggregation=preset.aggregation,
        protocol=preset.protocol(),
        protocol_hash=preset.protocol_hash(),
    )
    try:
        scores = metric.score(records)
    except MetricUnavailable as exc:
        log.warning("%s unavailable: %s", preset.name, exc)
        return MetricResult(
            value=None, ci_low=None, ci_high=None, n=0, n_policy=0, unavailable=str(exc), **base
        ), []
    if len(scores) != len(records):
        raise RuntimeError(
            f"{preset.name}: scored {len(scores)} of {len(records)} records (a metric must score each)"
        )
    stats = stack(scores)
    value = metric.reduce(stats)
    low, high = interval(metric, stats, boot)
    details = metric.summarize(scores) if hasattr(metric, "summarize") else {}
    return MetricResult(
        value=value,
        ci_low=low,
        ci_high=high,
        n=len(scores),
        n_policy=sum(s.policy is not None for s in scores),
        scorer=metric.describe(),
        details=details,
        **base,
    ), scores


INPUT_EXCLUDED = "input error: the sample's data is unusable; excluded from every metric"


def ordered_records(store: RunStore, task: str) -> RecordIndex:
    """A task's records in sample-id order: bootstrap resamples by position, so the log order
    (which depends on sharding, batching and resumes) must not reach the intervals."""
    return RecordIndex.of_task(store, task)


def scorable(records: RecordIndex) -> RecordIndex:
    """The records metrics see. Unusable inputs (missing or corrupt data, no voice prompt) fail
    every model alike: they are counted in the integrity counts and left out of the values, so
    models are compared on the same samples. Failed and empty outputs are scored by policy."""
    return records.where(lambda e: e.status is not Status.INPUT_ERROR)


def rescore(run_dir: str | Path, task: str, metric: Metric) -> tuple[list[str], list[SampleScore]]:
    """Per-sample scores of one metric recomputed from a run's logs (no generation model), for
    metrics whose statistics need their corpus in memory (`Metric.stats_need_corpus`)."""
    records = scorable(ordered_records(RunStore(run_dir), task))
    return records.sample_ids, metric.score(records)


def score_task(
    store: RunStore,
    task: str,
    presets: Sequence[str],
    boot: BootstrapSpec,
    family: str,
    version: str,
    data: str,
    limit: int | None,
) -> TaskResult:
    records = ordered_records(store, task)
    done = store.done_info(task)
    t0 = time.perf_counter()
    metric_results: dict[str, MetricResult] = {}
    scored = scorable(records)
    with ExitStack() as stack:
        columns: dict[str, IO[str]] = {}
        for i, name in enumerate(presets, 1):
            with scoring_step(task, name, i, len(presets)):
                result, scores = score_metric(METRICS.get(name), scored, boot)
            metric_results[name] = replace(result, n_excluded=len(records) - len(scored))
            if not scores:  # unavailable, or nothing to score: no per-sample column
                continue
            columns[name] = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            columns[name].writelines(_score_json(sc) + "\n" for sc in scores)
            columns[name].seek(0)
            del scores  # one preset's per-sample scores in memory at a time
        _write_scores(store.scores_path(task), records, columns)
    gen_times = [e.generate_s for e in records.entries if e.generate_s is not None]
    timings = {"scoring_s": round(time.perf_counter() - t0, 3)}
    if done and "wall_s" in done:
        timings["generation_wall_s"] = done["wall_s"]
    if gen_times:
        timings["model_s_per_sample"] = round(sum(gen_times) / len(gen_times), 4)
    return TaskResult(
        task=task,
        family=family,
        version=version,
        data=data,
        limit=limit,
        integrity=integrity(records, done["expected"] if done else None),
        metrics=metric_results,
        timings=timings,
    )


def _score_json(sc: SampleScore) -> str:
    row = {"value": sc.value, "stat": list(sc.stat), "policy": sc.policy, "details": sc.details}
    return json.dumps(row, ensure_ascii=False, default=float)


def _write_scores(path: Path, records: RecordIndex, columns: Mapping[str, IO[str]]) -> None:
    """One line per record: its status and, unless its input was unusable, each preset's score
    (read back in step from the presets' column files, which hold the scored records in order)."""

    def line(e: IndexEntry) -> str:
        row: dict = {"sample_id": e.sample_id, "status": e.status.value, "metrics": {}}
        if e.status is Status.INPUT_ERROR:
            row["excluded"] = INPUT_EXCLUDED
        else:
            row["metrics"] = {name: json.loads(f.readline()) for name, f in columns.items()}
        return json.dumps(row, ensure_ascii=False)

    atomic_write_lines(path, (line(e) for e in records.entries))


def score_run(
    run_dir: str | Path,
    metrics: Sequence[str] | None = None,
    tasks: Sequence[str] | None = None,
    boot: BootstrapSpec | None = None,
    label: str | None = None,
) -> RunResults:
    """Score every task of a run (or `tasks`), with each task's presets or `metrics`."""
    store = RunStore(run_dir)
    if not store.exists():
        raise FileNotFoundError(f"{store.root}: not a run folder (no config.json)")
    boot = boot or BootstrapSpec()
    config = RunConfig.from_json(store.read_config())
    task_results = {}
    for name, tc in config.tasks.items():
        if tasks and name not in tasks:
            continue
        family = TASKS.get(name).family if name in TASKS else "unknown"
        task_results[name] = score_task(
            store, name, list(metrics or tc.metrics), boot, family, tc.version, tc.data, tc.limit
        )
    info = store.read_model_info()
    model = {
        "spec": str(config.model),
        "name": config.model.name,
        "label": label or info.get("label"),
        "describe": info.get("describe", {}),
        "report": info.get("report", {}),
    }
    results = RunResults(
        schema_version=SCHEMA_VERSION,
        run_id=store.root.name,
        model=model,
        config_hash=config.hash(),
        decoding=config.decoding,
        seed=config.seed,
        tasks=task_results,
        provenance={
            **provenance.collect(),
            "bootstrap": boot.to_json(),
            "scored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )
    store.write_results(to_json(results))
    return results
