"""Shards of a run: are they complete, disjoint and from one config; joining them into one run.

A task can be generated in parts, each with its own log and done marker,
`predictions/<task>.shard<i>of<N>.jsonl` and `<task>.shard<i>of<N>.done.json`, written by
`anybench run --shard i/N` or by rank i of N under torchrun. The parts may share one run folder
(the default: the run id does not depend on the shard) or lie in several (one per job, e.g. on
node-local disks). A task is finished when, for some N, all N parts have a done marker for the
task's current subset; the sum of their counts must equal the distinct samples in the logs, and
no sample may be in two logs. Finishing writes the task's own done marker, which scoring reads.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.errors import UserError
from evals.run_config import RunConfig
from evals.store import RunStore, iter_log_ids, read_json, write_json

PART = re.compile(r"shard(\d+)of(\d+)")


class ShardError(UserError, ValueError):
    """Shards that cannot be joined: incomplete, overlapping or made with different configs."""


@dataclass(frozen=True)
class Finished:
    """A task whose parts are all done."""

    task: str
    """Task name."""
    expected: int
    """Samples in the task: the sum of the parts' counts."""
    parts: int
    """N, the number of parts whose markers prove it (1 for an unsharded run)."""
    wall_s: float
    """Generation wall time: the slowest part's (parts run in parallel)."""


def _markers(store: RunStore, task: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(index, count, marker) for the task's done markers in one folder; the main one is 0 of 1."""
    out = []
    main = store.done_info(task)
    if main is not None:
        out.append((0, 1, main))
    if store.predictions_dir.is_dir():
        prefix, suffix = f"{task}.", ".done.json"
        for path in store.predictions_dir.glob(f"{task}.shard*of*.done.json"):
            m = PART.fullmatch(path.name[len(prefix) : -len(suffix)])
            if m:
                out.append((int(m.group(1)), int(m.group(2)), read_json(path)))
    return out


def finished(stores: Sequence[RunStore], task: str, limit: int | None) -> Finished:
    """The task's complete set of done markers across `stores`, or ShardError naming the gaps."""
    groups: dict[int, dict[int, dict[str, Any]]] = {}
    for store in stores:
        for index, count, info in _markers(store, task):
            if info.get("limit", limit) == limit:  # a marker for another subset size is stale
                groups.setdefault(count, {})[index] = info
    complete = {n: g for n, g in groups.items() if len(g) == n}
    where = ", ".join(str(s.predictions_dir) for s in stores)
    if not complete:
        if not groups:
            raise ShardError(f"task {task}: no shard has finished (no done marker in {where})")
        gaps = "; ".join(
            f"of {n}: {', '.join(f'{i}/{n}' for i in range(n) if i not in g)} not finished"
            for n, g in sorted(groups.items())
        )
        raise ShardError(
            f"task {task}: shards incomplete ({gaps}): still running, failed, or their folders "
            f"were not given (looked in {where})"
        )
    totals = {n: sum(int(info["expected"]) for info in g.values()) for n, g in complete.items()}
    if len(set(totals.values())) > 1:
        raise ShardError(
            f"task {task}: finished shard sets disagree on the sample count "
            f"({', '.join(f'{n} shards: {t}' for n, t in sorted(totals.items()))}) in {where}"
        )
    n = max(complete)
    wall = max(float(info.get("wall_s", 0.0)) for info in complete[n].values())
    return Finished(task, totals[n], n, wall)


def count_disjoint(stores: Sequence[RunStore], task: str) -> int:
    """Distinct samples in the task's logs; ShardError if a sample is in two logs (overlap)."""
    seen: dict[str, Path] = {}
    for store in stores:
        for path in store.log_paths(task):
            for sample_id in iter_log_ids(path):
                if sample_id in seen:
                    raise ShardError(
                        f"task {task}: sample {sample_id!r} is in {seen[sample_id]} and in "
                        f"{path}: the shards overlap (the same shard run twice, or shards of "
                        "different splits); remove the extra log, or `anybench score` keeps the "
                        "first line of each sample"
                    )
                seen[sample_id] = path
    return len(seen)


def check_task(stores: Sequence[RunStore], task: str, limit: int | None) -> Finished:
    """Complete and disjoint, with every expected sample logged; returns the totals."""
    done = finished(stores, task, limit)
    logged = count_disjoint(stores, task)
    if logged != done.expected:
        raise ShardError(
            f"task {task}: the logs hold {logged} samples but the finished shards count "
            f"{done.expected}"
        )
    return done


def finalize(store: RunStore, config: RunConfig, tasks: Sequence[str] | None = None) -> None:
    """Check `tasks` (default: all of `config`) in this folder; mark them done."""
    names = list(tasks) if tasks is not None else list(config.tasks)
    _mark_done(store, config, [check_task([store], n, config.tasks[n].limit) for n in names])


def _mark_done(store: RunStore, config: RunConfig, checked: Sequence[Finished]) -> None:
    for done in checked:
        store.mark_done(done.task, done.expected, done.wall_s, limit=config.tasks[done.task].limit)


def _config_diff(a: RunConfig, b: RunConfig) -> str | None:
    """What differs between two configs, in words, or None."""
    for label, x, y in (
        ("model", str(a.model), str(b.model)),
        ("decoding", a.decoding, b.decoding),
        ("seed", a.seed, b.seed),
        ("tasks", sorted(a.tasks), sorted(b.tasks)),
    ):
        if x != y:
            return f"{label} {x!r} vs {y!r}"
    for name, ta in a.tasks.items():
        tb = b.tasks[name]
        for label, x, y in (
            ("version", ta.version, tb.version),
            ("data", ta.data, tb.data),
            ("limit", ta.limit, tb.limit),
        ):
            if x != y:
                return f"task {name} {label} {x!r} vs {y!r}"
    return None


def read_configs(folders: Sequence[Path]) -> list[RunStore]:
    """The run folders, checked to exist and to share one config (same hash, tasks, limits)."""
    stores = [RunStore(f) for f in folders]
    for store in stores:
        if not store.exists():
            raise ShardError(f"{store.root}: not a run folder (no config.json)")
    first = RunConfig.from_json(stores[0].read_config())
    for store in stores[1:]:
        other = RunConfig.from_json(store.read_config())
        diff = _config_diff(first, other)
        if diff:
            raise ShardError(
                f"{store.root} was made with another config than {stores[0].root} "
                f"(config {other.hash()} vs {first.hash()}: {diff}); only shards of one run merge"
            )
    return stores


def merge(folders: Sequence[str | os.PathLike], out: str | os.PathLike | None = None) -> RunStore:
    """Join shard run folders into `out` (or finish one folder in place); returns the run store.

    Checks first, writes after: nothing is created unless every task is complete and disjoint.
    Logs and done markers are copied; media are hard-linked (copied across file systems).
    """
    paths = [Path(f) for f in folders]
    if not paths:
        raise ShardError("no run folders given")
    if len({p.resolve() for p in paths}) != len(paths):
        raise ShardError("a run folder is given twice")
    stores = read_configs(paths)
    config = RunConfig.from_json(stores[0].read_config())
    target = Path(out) if out is not None else None
    if target is None:
        if len(paths) > 1:
            raise ShardError("several run folders need --out, the merged run folder to write")
        target = paths[0]
    in_place = any(target.resolve() == p.resolve() for p in paths)
    if in_place and len(paths) > 1:
        raise ShardError(f"--out {target} is one of the shards; write the merge to a new folder")
    if not in_place and target.exists() and any(target.iterdir()):
        raise ShardError(f"--out {target} exists and is not empty; give a new folder")
    checked = [check_task(stores, name, tc.limit) for name, tc in config.tasks.items()]
    merged = RunStore(target)
    if not in_place:
        _copy_shards(stores, merged, config)
    _mark_done(merged, config, checked)
    return merged


def _copy_shards(stores: Sequence[RunStore], merged: RunStore, config: RunConfig) -> None:
    merged.write_config(config.to_json())
    info = next((s.read_model_info() for s in stores if s.model_info_path.exists()), {})
    write_json(merged.model_info_path, {**info, "merged_from": [str(s.root) for s in stores]})
    merged.predictions_dir.mkdir(parents=True, exist_ok=True)
    for k, store in enumerate(stores):
        for task in config.tasks:
            for log in store.log_paths(task):
                part = log.name[len(task) + 1 : -len(".jsonl")] or None
                _copy_part(store, merged, task, part, k)
        if store.artifacts_dir.is_dir():
            merged.artifacts_dir.mkdir(parents=True, exist_ok=True)
            for src in store.artifacts_dir.iterdir():
                dst = merged.artifacts_dir / src.name
                if src.name.startswith(".") or dst.exists():
                    continue  # temp files; names are content hashes, so a twin is the same file
                _link_or_copy(src, dst)


def _copy_part(src: RunStore, dst: RunStore, task: str, part: str | None, k: int) -> None:
    """Copy one log (and its part's done marker) under its name, or `<part>-<k>` on a clash."""
    name = part
    if name is None or dst.log_path(task, name).exists():
        name = f"{part or 'main'}-{k}"  # a main log, or a name taken by another folder
    shutil.copy2(src.log_path(task, part), dst.log_path(task, name))
    if part is not None and src.done_path(task, part).exists():
        shutil.copy2(src.done_path(task, part), dst.done_path(task, name))


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
