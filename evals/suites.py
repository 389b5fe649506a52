"""Suites: named lists of tasks in YAML (`tasks/suites/<name>.yaml`, the `--include-path`
folders), plus files given by path.

A task entry is a name, or a mapping `{name, data, limit}` giving that task's data location
(relative to the suite file) and seeded subset size.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evals.errors import UserError

SUITE_KEYS = ("name", "description", "tasks")
ENTRY_KEYS = ("name", "data", "limit")


class SuiteError(UserError, ValueError):
    """An unknown suite or a suite file that cannot be used; the message says which and where."""


class UnknownSuiteError(SuiteError, KeyError):
    """A suite name that is neither built in, included, nor a file."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Suite:
    """A named list of tasks, with optional data locations and limits per task."""

    name: str
    """Suite name (the file's `name`, else its stem)."""
    description: str
    """One line for `anybench ls suites`."""
    tasks: tuple[str, ...]
    """Task names, in the order they run."""
    data: Mapping[str, str] = field(default_factory=dict)
    """Data location per task (a `--data TASK=PATH` given on the command line wins)."""
    limits: Mapping[str, int] = field(default_factory=dict)
    """Seeded subset size per task (`--limit` wins)."""


def _builtin_dir():
    return resources.files("tasks") / "suites"


def _included() -> dict[str, Path]:
    from evals.include import included_suites

    return {p.stem: p for p in included_suites()}


def suite_names() -> list[str]:
    builtin = [p.name[:-5] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml")]
    return sorted(set(builtin) | set(_included()))


def _entry(item: Any, where: str, base: Path | None) -> tuple[str, str | None, int | None]:
    if isinstance(item, str):
        return item, None, None
    if not isinstance(item, dict) or "name" not in item:
        raise SuiteError(f"{where}: tasks: each entry is a task name or {{name, data, limit}}")
    for key in item:
        if key not in ENTRY_KEYS:
            raise SuiteError(
                f"{where}: tasks: unknown key {key!r} (allowed: {', '.join(ENTRY_KEYS)})"
            )
    data = item.get("data")
    if data is not None and base is not None and not Path(str(data)).expanduser().is_absolute():
        data = str(base / str(data))
    limit = item.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise SuiteError(f"{where}: tasks: {item['name']}: limit must be a positive integer")
    return str(item["name"]), None if data is None else str(data), limit


def parse_suite(text: str, where: str, default_name: str, base: Path | None = None) -> Suite:
    """A suite from YAML text; `where` names it in errors, `base` anchors relative data paths."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SuiteError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise SuiteError(f"{where}: a suite is a mapping with keys {', '.join(SUITE_KEYS)}")
    for key in data:
        if key not in SUITE_KEYS:
            raise SuiteError(f"{where}: unknown key {key!r} (allowed: {', '.join(SUITE_KEYS)})")
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise SuiteError(f"{where}: `tasks` must be a non-empty list of task names")
    entries = [_entry(item, where, base) for item in tasks]
    return Suite(
        str(data.get("name", default_name)),
        str(data.get("description", "")),
        tuple(name for name, _, _ in entries),
        {name: d for name, d, _ in entries if d is not None},
        {name: n for name, _, n in entries if n is not None},
    )


def load_suite(name_or_path: str) -> Suite:
    """A built-in or included suite by name, or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise SuiteError(f"suite file {path} does not exist")
        return parse_suite(path.read_text(encoding="utf-8"), str(path), path.stem, path.parent)
    res = _builtin_dir() / f"{name_or_path}.yaml"
    if res.is_file():
        return parse_suite(res.read_text(encoding="utf-8"), f"suite {name_or_path}", name_or_path)
    included = _included().get(name_or_path)
    if included is not None:
        text = included.read_text(encoding="utf-8")
        return parse_suite(text, str(included), name_or_path, included.parent)
    names = suite_names()
    close = difflib.get_close_matches(name_or_path, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownSuiteError(f"unknown suite {name_or_path!r}{hint} (known: {', '.join(names)})")
