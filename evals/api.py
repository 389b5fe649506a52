"""The Python face of `anybench run`: one call that generates, scores and returns the results.

`anybench.evaluate` is this module's `evaluate`; it takes plain values (strings, paths,
mappings) and does what the CLI does with the same arguments, in the same run folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.results import RunResults
from evals.spec import ModelSpec


def run_id_for(
    model: ModelSpec,
    decoding: str | None,
    seed: int,
    gen_kwargs: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> str:
    """The default run folder name: model name + hash of model, decoding, seed (and overrides),
    so the same call resumes the same run."""
    ident = f"{model}|{decoding}|{seed}"
    if gen_kwargs:  # absent when unset, so earlier runs keep their folder
        ident += "|" + json.dumps(sorted((k, str(v)) for k, v in gen_kwargs.items()))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", label or model.name).strip("-")
    return f"{slug}-{hashlib.sha256(ident.encode()).hexdigest()[:8]}"


def _tasks_and_suite(
    tasks: str | Sequence[str] | None, suite: str | None
) -> tuple[list[str], dict[str, str], dict[str, int | None] | None]:
    from evals.suites import load_suite

    if (tasks is None) == (suite is None):
        raise ValueError("give exactly one of tasks=[...] and suite=NAME")
    if suite is not None:
        s = load_suite(suite)
        return list(s.tasks), dict(s.data), {t: s.limits.get(t) for t in s.tasks}
    return ([tasks] if isinstance(tasks, str) else list(tasks)), {}, None


def evaluate(
    model: str | ModelSpec,
    tasks: str | Sequence[str] | None = None,
    *,
    suite: str | None = None,
    data: Mapping[str, str | os.PathLike] | None = None,
    limit: int | None = None,
    out: str | os.PathLike = "runs",
    run_id: str | None = None,
    seed: int = 0,
    decoding: str | None = None,
    gen_kwargs: Mapping[str, Any] | None = None,
    metrics: Sequence[str] | None = None,
    bootstrap: int = 1000,
    batch_size: int | None = 8,
    include_path: Sequence[str | os.PathLike] = (),
    label: str | None = None,
    progress: bool = True,
    score: bool = True,
    as_dataframe: bool = False,
) -> Any:
    """Run `model` on `tasks` (or a `suite`) into `out/<run id>`, score, and return the results.

    `model` is a model spec as on the command line (`faster-whisper:model=tiny.en`); `data`
    maps task names to their data location; `limit` draws a seeded subset per task;
    `gen_kwargs` overrides the decoding preset; `include_path` adds folders of task files and
    adapters. Returns the typed `RunResults` (as written to the run's results.json), or
    with `as_dataframe=True` a pandas DataFrame of its scores (one row per task and metric).
    A finished or interrupted run with the same arguments is resumed, not repeated.
    """
    from evals import progress as progress_output
    from evals import runner
    from evals.include import env_paths, include
    from evals.registry import MODELS, TASKS
    from evals.scoring import score_run
    from metrics.bootstrap import BootstrapSpec

    progress_output.set_enabled(progress)
    include([*env_paths(), *include_path])
    spec = model if isinstance(model, ModelSpec) else ModelSpec.parse(model)
    names, suite_data, suite_limits = _tasks_and_suite(tasks, suite)
    for name in names:
        TASKS.get(name)  # unknown names fail here, with suggestions
    MODELS.get(spec.name)
    raw_kwargs = {str(k): str(v) for k, v in (gen_kwargs or {}).items()}
    folder = Path(out) / (run_id or run_id_for(spec, decoding, seed, raw_kwargs, label))
    store = runner.run(
        spec,
        names,
        folder,
        data={**suite_data, **{k: str(v) for k, v in (data or {}).items()}},
        limit=limit or suite_limits,
        seed=seed,
        decoding=decoding,
        options=runner.RunOptions(batch_size=batch_size, progress=progress),
        label=label,
        skip_unservable=suite is not None,
        gen_kwargs=raw_kwargs,
    )
    if not score:
        return store.root  # the run folder, to score later
    boot = BootstrapSpec(resamples=bootstrap)
    results = score_run(store.root, metrics=metrics, boot=boot, label=label)
    return to_dataframe(results) if as_dataframe else results


def to_dataframe(results: RunResults | Sequence[RunResults]):
    """Scores as a pandas DataFrame: one row per run, task and metric, with intervals."""
    from reports.frame import frame

    runs = [results] if isinstance(results, RunResults) else list(results)
    return frame(runs)
