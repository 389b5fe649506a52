"""The resolved configuration of a run, and the rules for resuming or extending one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evals.errors import UserError
from evals.fingerprint import describe_change, model_fingerprints, path_fingerprint
from evals.spec import ModelSpec
from evals.store import RunStore
from evals.task import Task

CONFIG_SCHEMA = 1


class ConfigMismatchError(UserError, ValueError):
    """A run folder that was made with another configuration than the one asked for now."""


class ConfigError(UserError, ValueError):
    """A config.json that lacks what a run needs; the message names the file and the keys."""


FRESH_HINT = "start afresh with --fresh (deletes this run's outputs) or use another --run-id"


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
    """Metric presets the task scores with: its defaults plus any added by `--metrics`."""
    fingerprint: str = ""
    """Fingerprint of the data (evals.fingerprint): a file by content, a folder by its listing;
    '' in configs written before fingerprints existed (not checked)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "data": self.data,
            "limit": self.limit,
            "metrics": list(self.metrics),
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> TaskConfig:
        where = f"task {name}"
        missing = [k for k in ("version", "data") if k not in d]
        if missing:
            raise ConfigError(f"{where}: missing key(s) {', '.join(missing)}")
        return cls(
            name,
            str(d["version"]),
            str(d["data"]),
            d.get("limit"),
            tuple(d.get("metrics", ())),
            str(d.get("fingerprint", "")),
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
    model_fingerprint: Mapping[str, str] = field(default_factory=dict)
    """Fingerprints of the model options that are local files or folders (checkpoints,
    predictions files), by option name (evals.fingerprint)."""
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
        resolved = {}
        for t in tasks:
            path = t.data.resolve(data.get(t.name)).resolve()
            resolved[t.name] = TaskConfig(
                t.name, t.version, str(path), limits.get(t.name), t.metrics, path_fingerprint(path)
            )
        return cls(
            model,
            decoding,
            seed,
            resolved,
            model_fingerprint=model_fingerprints(model.options),
            gen_kwargs=dict(gen_kwargs or {}),
        )

    def only(self, names: Sequence[str]) -> RunConfig:
        """This config with only the tasks `names` (those a loaded model turned out to serve)."""
        return replace(self, tasks={n: tc for n, tc in self.tasks.items() if n in names})

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
            "model_fingerprint": dict(self.model_fingerprint),
            **({"gen_kwargs": dict(self.gen_kwargs)} if self.gen_kwargs else {}),
            "config_hash": self.hash(),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], where: str | Path = "config.json") -> RunConfig:
        """Read a config.json; a missing or malformed key is a ConfigError naming it."""
        try:
            missing = [k for k in ("model", "decoding", "seed", "tasks") if k not in d]
            missing += [f"model.{k}" for k in ("name", "options") if k not in d.get("model", {})]
            if missing:
                raise ConfigError(f"missing key(s) {', '.join(missing)}")
            model = ModelSpec(d["model"]["name"], dict(d["model"]["options"]))
            tasks = {name: TaskConfig.from_json(name, t) for name, t in d["tasks"].items()}
            return cls(
                model,
                d["decoding"],
                int(d["seed"]),
                tasks,
                model_fingerprint=dict(d.get("model_fingerprint", {})),
                gen_kwargs=dict(d.get("gen_kwargs", {})),
            )
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}; not a usable run config") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None

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
        fingerprints = {
            "model": sorted(self.model_fingerprint.items()),
            "data": sorted((t.name, t.fingerprint) for t in self.tasks.values() if t.fingerprint),
        }
        if fingerprints["model"] or fingerprints["data"]:  # hashes of older configs unchanged
            ident["fingerprints"] = fingerprints
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def reconcile_config(store: RunStore, new: RunConfig, write: bool = True) -> RunConfig:
    """Write `new` for a fresh run; for an existing one, check it matches and add new tasks.

    With `write=False` only the checks run (to fail before a model is loaded).
    """
    if not store.exists():
        if write:
            store.write_config(new.to_json())
        return new
    where = store.config_path
    old = RunConfig.from_json(store.read_config(), where)
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
    for key, before in old.model_fingerprint.items():
        now = new.model_fingerprint.get(key, "")
        if before and now != before:
            what = f"model option {key}={new.model.options.get(key)}"
            raise ConfigMismatchError(
                f"{where}: {describe_change(what, before, now)}; {FRESH_HINT}"
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
        if prev.fingerprint and tc.fingerprint != prev.fingerprint:
            what = f"task {name}'s data {tc.data}"
            raise ConfigMismatchError(
                f"{where}: {describe_change(what, prev.fingerprint, tc.fingerprint)}; {FRESH_HINT}"
            )
        if prev.limit is not None and (tc.limit is None or tc.limit > prev.limit):
            tasks[name] = replace(prev, limit=tc.limit)  # subset grows
        elif tc.limit != prev.limit:
            raise ConfigMismatchError(
                f"{where}: task {name} was run with --limit {prev.limit}; a smaller subset "
                f"({tc.limit}) would leave extra samples in the log: use another --out"
            )
    merged = replace(old, tasks=tasks)
    if write:
        store.write_config(merged.to_json())
    return merged
