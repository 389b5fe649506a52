"""One registry type, used for tasks, models and metrics.

Entries come from three places: the `@REGISTRY.register("name")` decorator in this project,
lazy `"module:object"` strings (imported on first use), and the entry-point group of the same
name in any installed package (`anybench.tasks`, `anybench.models`, `anybench.metrics`).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Generic, TypeVar

from evals.errors import UserError

T = TypeVar("T")


class UnknownNameError(UserError, KeyError):
    """A name that is not registered; the message carries the close matches."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it verbatim
        return str(self.args[0])


class Registry(Generic[T]):
    """A name -> object map with decorators, lazy entries and entry-point plugins."""

    def __init__(self, kind: str, entry_point_group: str, builtin_modules: tuple[str, ...] = ()):
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._builtin_modules = builtin_modules
        self._objects: dict[str, T] = {}
        self._lazy: dict[str, str] = {}
        self._loaded = False

    def register(self, name: str, obj: T | None = None) -> Callable[[T], T] | T:
        """Register `obj` under `name`; used bare as a decorator when `obj` is omitted."""

        def add(value: T) -> T:
            if name in self._objects and self._objects[name] is not value:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._objects[name] = value
            return value

        return add if obj is None else add(obj)

    def register_lazy(self, name: str, target: str) -> None:
        """Register `"package.module:object"`, imported the first time `name` is asked for."""
        if ":" not in target:
            raise ValueError(
                f"lazy {self.kind} target must look like 'module:object', got {target!r}"
            )
        self._lazy.setdefault(name, target)

    def _load_all(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._builtin_modules:
            importlib.import_module(module)
        for ep in metadata.entry_points(group=self.entry_point_group):
            self._lazy.setdefault(ep.name, ep.value)

    def names(self) -> list[str]:
        self._load_all()
        return sorted(set(self._objects) | set(self._lazy))

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> T:
        """The object registered as `name`; unknown names raise with a "did you mean" list."""
        self._load_all()
        if name not in self._objects and name in self._lazy:
            module_name, _, attr = self._lazy[name].partition(":")
            obj = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
            self._objects[name] = obj  # type: ignore[assignment]
        if name not in self._objects:
            raise UnknownNameError(self.unknown_message(name))
        return self._objects[name]

    def unknown_message(self, name: str) -> str:
        names = self.names()
        close = difflib.get_close_matches(name, names, n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} (`anybench ls {self.kind}s` lists all {len(names)})"


TASKS: Registry = Registry("task", "anybench.tasks", ("tasks",))
MODELS: Registry = Registry("model", "anybench.models", ("evals.adapters",))
METRICS: Registry = Registry("metric", "anybench.metrics", ("metrics",))
