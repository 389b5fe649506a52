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
from evals.errors import UserError
from evals.metric_fit import presets_for
from evals.progress import scoring_step
from evals.record_index import IndexEntry, RecordIndex
from evals.records import PredictionRecord
from evals.registry import METRICS, TASKS, UnknownNameError
from evals.results import SCHEMA_VERSION, Integrity, MetricResult, RunResults, TaskResult, to_json
from evals.results import from_json as results_from_json
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


def task_integrity(
    store: RunStore, task: str, records: RecordIndex, done: Mapping | None, limit: int | None
) -> Integrity:
    """Integrity counts; `partial` (with the expected count where it can be told) when the
    task's generation has not finished for its current subset."""
    finished = done is not None and done.get("limit", limit) == limit
    counts = integrity(records, done["expected"] if finished else _enumerated(store, task))
    note = unmatched_predictions(store, task, records)
    if note is not None:
        counts = replace(counts, examples=(*counts.examples, note))
    return counts if finished else replace(counts, partial=True)


def unmatched_predictions(store: RunStore, task: str, records: RecordIndex) -> dict | None:
    """An integrity example for output ids that matched no sample (the predictions adapter's
    `unmatched_prediction_ids` report), so every report lists them beside the counts."""
    report = store.read_model_info().get("report") or {}
    entry = (report.get("unmatched_prediction_ids") or {}).get(task)
    if not entry:
        return None
    logged = set(records.sample_ids)
    shown = [str(i) for i in entry.get("examples", ()) if str(i) not in logged]
    count = int(entry.get("count", 0)) - (len(entry.get("examples", ())) - len(shown))
    if count <= 0:
        return None
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return {
        "sample_id": shown[0] if shown else "?",
        "status": "unmatched",
        "stage": "predictions",
        "reason": f"{count} prediction id(s) match no sample of the task: {', '.join(shown)}{more}",
    }


def _enumerated(store: RunStore, task: str) -> int | None:
    """How many samples the task has (from its data), or None when its data cannot be read."""
    try:
        config = RunConfig.from_json(store.read_config(), store.config_path)
        tc = config.tasks[task]
        return sum(1 for _ in TASKS.get(task).samples(tc.data, tc.limit, config.seed))
    except (UserError, OSError, KeyError):
        return None


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

    def unavailable(reason: str) -> tuple[MetricResult, list[SampleScore]]:
        log.warning("%s unavailable: %s", preset.name, reason)
        return MetricResult(
            value=None, ci_low=None, ci_high=None, n=0, n_policy=0, unavailable=reason, **base
        ), []

    if not records:
        return unavailable("no scorable samples (every sample was an input error, or none)")
    try:
        scores = metric.score(records)
        if len(scores) != len(records):
            raise RuntimeError(
                f"scored {len(scores)} of {len(records)} records (a metric must score each)"
            )
        return _summarize(metric, scores, boot, base)
    except MetricUnavailable as exc:
        return unavailable(str(exc))
    except Exception as exc:  # one preset's failure is its own: the others still score
        return unavailable(one_line(exc))


def one_line(exc: BaseException) -> str:
    """`Type: message`, on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _summarize(
    metric: Metric, scores: list[SampleScore], boot: BootstrapSpec, base: dict
) -> tuple[MetricResult, list[SampleScore]]:
    """The value and interval of per-sample scores; n/a when every one came from the policy."""
    n_policy = sum(s.policy is not None for s in scores)
    if n_policy == len(scores):
        reason = (
            f"every one of the {len(scores)} samples was scored by the failure policy "
            f"({scores[0].policy}); no output could be measured"
        )
        return MetricResult(
            value=None,
            ci_low=None,
            ci_high=None,
            n=len(scores),
            n_policy=n_policy,
            unavailable=reason,
            scorer=metric.describe(),
            **base,
        ), scores
    stats = stack(scores)
    value = metric.reduce(stats)
    low, high = interval(metric, stats, boot)
    details = metric.summarize(scores) if hasattr(metric, "summarize") else {}
    return MetricResult(
        value=value,
        ci_low=low,
        ci_high=high,
        n=len(scores),
        n_policy=n_policy,
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
        integrity=task_integrity(store, task, records, done, limit),
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
    accumulate: bool = True,
) -> RunResults:
    """Score every task of a run (or `tasks`, keeping the other tasks' earlier results).

    Each task scores the presets it was scored with before plus `metrics` (`accumulate`), or
    only `metrics` when given and not accumulating (the first scoring of `anybench run
    --metrics`); config.json records the presets. Unknown tasks and presets, and presets that do
    not fit a task, fail before anything is written.
    """
    store = RunStore(run_dir)
    if not store.exists():
        raise FileNotFoundError(f"{store.root}: not a run folder (no config.json)")
    boot = boot or BootstrapSpec()
    config = RunConfig.from_json(store.read_config(), store.config_path)
    unknown = [t for t in tasks or () if t not in config.tasks]
    if unknown:
        raise UnknownNameError(
            f"{store.root}: task(s) {', '.join(unknown)} not in this run "
            f"(it has: {', '.join(config.tasks)})"
        )
    chosen = [n for n in config.tasks if not tasks or n in tasks]
    plan = {}
    for name in chosen:
        tc = config.tasks[name]
        direction = TASKS.get(name).direction if name in TASKS else None
        defaults = tc.metrics if accumulate or not metrics else ()
        plan[name] = presets_for(name, direction, defaults, metrics)
    store.sweep_temp_files()
    config = _with_presets(store, config, plan)
    task_results = {}
    for name in chosen:
        tc = config.tasks[name]
        family = TASKS.get(name).family if name in TASKS else "unknown"
        task_results[name] = score_task(
            store, name, list(plan[name]), boot, family, tc.version, tc.data, tc.limit
        )
    kept = _earlier_results(store, set(config.tasks) - set(chosen))
    task_results = {
        n: task_results.get(n) or kept[n] for n in config.tasks if n in task_results or n in kept
    }
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


def _with_presets(
    store: RunStore, config: RunConfig, plan: Mapping[str, Sequence[str]]
) -> RunConfig:
    """The config with each planned task's presets; config.json rewritten when they changed."""
    tasks = dict(config.tasks)
    for name, presets in plan.items():
        tasks[name] = replace(tasks[name], metrics=tuple(presets))
    if tasks == dict(config.tasks):
        return config
    updated = replace(config, tasks=tasks)
    store.write_config(updated.to_json())
    return updated


def _earlier_results(store: RunStore, names: set[str]) -> dict[str, TaskResult]:
    """Tasks `names` from the run's current results.json (kept when other tasks are re-scored)."""
    if not names or not store.results_path.exists():
        return {}
    try:
        earlier = results_from_json(store.read_results(), str(store.results_path))
    except UserError as exc:
        log.warning("earlier results not kept: %s", exc)
        return {}
    return {n: t for n, t in earlier.tasks.items() if n in names}


def partial_notes(results: RunResults) -> list[str]:
    """One line per task scored before its generation finished."""
    notes = []
    for name, t in results.tasks.items():
        if t.integrity.partial:
            of = t.integrity.expected if t.integrity.expected is not None else "an unknown number"
            notes.append(
                f"{name}: partial: scored {t.integrity.total} of {of} samples; its generation "
                "is unfinished (resume the run, or merge its shards, then score again)"
            )
    return notes
