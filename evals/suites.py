"""Suites: named lists of tasks in YAML (`tasks/suites/<name>.yaml`), plus files given by path."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Suite:
    """A named list of tasks."""

    name: str
    description: str
    tasks: tuple[str, ...]


def _builtin_dir():
    return resources.files("tasks") / "suites"


def suite_names() -> list[str]:
    return sorted(p.name[:-5] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml"))


def load_suite(name_or_path: str) -> Suite:
    """A built-in suite by name, or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        res = _builtin_dir() / f"{name_or_path}.yaml"
        if not res.is_file():
            close = difflib.get_close_matches(name_or_path, suite_names(), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(
                f"unknown suite {name_or_path!r}{hint} (known: {', '.join(suite_names())})"
            )
        text = res.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        raise ValueError(f"suite {name_or_path}: `tasks` must be a list of task names")
    return Suite(
        str(data.get("name", name_or_path)), str(data.get("description", "")), tuple(tasks)
    )
