"""The resolved configuration of a run, and the rules for resuming or extending one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.errors import UserError
from evals.spec import ModelSpec
from evals.store import RunStore
from evals.task import Task

CONFIG_SCHEMA = 1


class ConfigMismatchError(UserError, ValueError):
    """A run folder that was made with another configuration than the one asked for now."""


@dataclass(frozen=True)
class TaskConfig:
    """One task of a run, as resolved when the run started."""

    name: str
    """Task name."""
    version: str
    """Task version (prompts, selection); results of different versions are not comparable."""
    data: str
    """Resolved data location."""
    limit: int | None
    """Seeded subset size, or None for the whole split."""
    metrics: tuple[str, ...]
    """Metric presets the task scores with by default."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "data": self.data,
            "limit": self.limit,
            "metrics": list(self.metrics),
        }

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> TaskConfig:
        return cls(
            name, str(d["version"]), str(d["data"]), d.get("limit"), tuple(d.get("metrics", ()))
        )


@dataclass(frozen=True)
class RunConfig:
    """What was evaluated: model, decoding, seed and tasks. Batch size and devices are not here."""

    model: ModelSpec
    """The model spec as given."""
    decoding: str
    """Decoding preset name."""
    seed: int
    """Run seed; per-sample seeds derive from it and the sample id."""
    tasks: Mapping[str, TaskConfig]
    """Tasks by name, in the order they run."""
    gen_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Typed decoding overrides from `--gen-kwargs`, on top of the preset (part of the hash)."""

    @classmethod
    def build(
        cls,
        model: ModelSpec,
        tasks: Sequence[Task],
        data: Mapping[str, str],
        limit: int | Mapping[str, int | None] | None,
        seed: int,
        decoding: str,
        gen_kwargs: Mapping[str, Any] | None = None,
    ) -> RunConfig:
        """`limit` is one size for every task, or a size per task name (suites)."""
        limits = limit if isinstance(limit, Mapping) else {t.name: limit for t in tasks}
        resolved = {
            t.name: TaskConfig(
                t.name,
                t.version,
                str(t.data.resolve(data.get(t.name)).resolve()),
                limits.get(t.name),
                t.metrics,
            )
            for t in tasks
        }
        return cls(model, decoding, seed, resolved, dict(gen_kwargs or {}))

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": CONFIG_SCHEMA,
            "model": {
                "spec": str(self.model),
                "name": self.model.name,
                "options": dict(self.model.options),
            },
            "decoding": self.decoding,
            "seed": self.seed,
            "tasks": {name: tc.to_json() for name, tc in self.tasks.items()},
            **({"gen_kwargs": dict(self.gen_kwargs)} if self.gen_kwargs else {}),
            "config_hash": self.hash(),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RunConfig:
        model = ModelSpec(d["model"]["name"], dict(d["model"]["options"]))
        tasks = {name: TaskConfig.from_json(name, t) for name, t in d["tasks"].items()}
        return cls(model, d["decoding"], int(d["seed"]), tasks, dict(d.get("gen_kwargs", {})))

    def hash(self) -> str:
        """Hash of everything that decides the predictions (not limits: a subset grows in place)."""
        ident = {
            "model": [self.model.name, sorted(self.model.options.items())],
            "decoding": self.decoding,
            "seed": self.seed,
            "tasks": sorted((t.name, t.version, t.data) for t in self.tasks.values()),
        }
        if self.gen_kwargs:  # absent when unset, so earlier runs keep their hash
            ident["gen_kwargs"] = sorted(self.gen_kwargs.items())
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def reconcile_config(store: RunStore, new: RunConfig, write: bool = True) -> RunConfig:
    """Write `new` for a fresh run; for an existing one, check it matches and add new tasks.

    With `write=False` only the checks run (to fail before a model is loaded).
    """
    if not store.exists():
        if write:
            store.write_config(new.to_json())
        return new
    old = RunConfig.from_json(store.read_config())
    where = store.config_path
    for label, a, b in (
        ("model", str(old.model), str(new.model)),
        ("decoding", old.decoding, new.decoding),
        ("seed", old.seed, new.seed),
        ("--gen-kwargs", dict(old.gen_kwargs), dict(new.gen_kwargs)),
    ):
        if a != b:
            raise ConfigMismatchError(
                f"{where}: this run was made with {label} {a!r}, not {b!r}; "
                "use another --out (or --run-id) for a different configuration"
            )
    tasks = dict(old.tasks)
    for name, tc in new.tasks.items():
        prev = tasks.get(name)
        if prev is None:
            tasks[name] = tc
            continue
        for label, a, b in (("version", prev.version, tc.version), ("data", prev.data, tc.data)):
            if a != b:
                raise ConfigMismatchError(
                    f"{where}: task {name} was run with {label} {a!r}, not {b!r}"
                )
        if prev.limit is not None and (tc.limit is None or tc.limit > prev.limit):
            tasks[name] = TaskConfig(
                name, prev.version, prev.data, tc.limit, prev.metrics
            )  # subset grows
        elif tc.limit != prev.limit:
            raise ConfigMismatchError(
                f"{where}: task {name} was run with --limit {prev.limit}; a smaller subset "
                f"({tc.limit}) would leave extra samples in the log: use another --out"
            )
    merged = RunConfig(old.model, old.decoding, old.seed, tasks, old.gen_kwargs)
    if write:
        store.write_config(merged.to_json())
    return merged
