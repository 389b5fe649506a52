"""One registry type, used for tasks, models and metrics.

Entries come from four places: the `@REGISTRY.register("name")` decorator in this project,
lazy `"module:object"` strings (imported on first use), the entry-point group of the same name
in any installed package (`anybench.tasks`, `anybench.models`, `anybench.metrics`,
`anybench.readers`), and the folders of `--include-path` (evals.include). Every entry point value
is `module:object`, imported as is: for tasks and readers the object itself (a Task instance, a
reader function), for models and metrics likewise the object registered (an adapter class, a
metric). Each entry remembers where it came from (`origin`), for `anybench ls`.
"""

from __future__ import annotations

import difflib
import importlib
import sys
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
        self._origins: dict[str, str] = {}
        self._loaded = False

    def register(
        self, name: str, obj: T | None = None, *, origin: str | None = None
    ) -> Callable[[T], T] | T:
        """Register `obj` under `name`; used bare as a decorator when `obj` is omitted.

        `origin` says where the entry came from (a file); by default the calling module.
        """
        where = origin or sys._getframe(1).f_globals.get("__name__", "?")

        def add(value: T) -> T:
            if name in self._objects and self._objects[name] is not value:
                raise ValueError(
                    f"{self.kind} {name!r} is already registered (from {self.origin(name)})"
                )
            self._objects[name] = value
            self._origins.setdefault(name, where)
            return value

        return add if obj is None else add(obj)

    def register_lazy(self, name: str, target: str) -> None:
        """Register `"package.module:object"`, imported the first time `name` is asked for."""
        if ":" not in target:
            raise ValueError(
                f"lazy {self.kind} target must look like 'module:object', got {target!r}"
            )
        self._lazy.setdefault(name, target)
        self._origins.setdefault(name, target)

    def origin(self, name: str) -> str:
        """Where `name` was registered: a module, a `module:object` target or a file."""
        self._load_all()
        return self._origins.get(name, "?")

    def _load_all(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._builtin_modules:
            importlib.import_module(module)
        for ep in metadata.entry_points(group=self.entry_point_group):
            self._lazy.setdefault(ep.name, ep.value)
            dist = getattr(ep.dist, "name", None)
            self._origins.setdefault(
                ep.name, f"entry point {ep.value}" + (f" ({dist})" if dist else "")
            )

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
READERS: Registry = Registry("reader", "anybench.readers", ("evals.datasets.catalog",))
