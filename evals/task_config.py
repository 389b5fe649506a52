"""Tasks written as YAML files: load, validate and turn them into `Task` objects.

A task file holds the fields of `Task` as plain data; the reader and a request hook are named,
not written (`reader: librispeech`, `request: my_hooks:build`). `extends: other.yaml` starts
from another file of the same folder and overrides some keys (the `data` mapping key by key).
Every problem is one line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from evals.errors import UserError
from evals.registry import METRICS, READERS, UnknownNameError
from evals.task import DataSource, Task
from evals.types import Modality

TASK_KEYS = {
    "name": "registry name",
    "family": "task family (asr, tts, caption, ...)",
    "description": "one line for `anybench ls tasks`",
    "data": "where the samples come from (a mapping)",
    "input": "modality given to the model",
    "output": "modality wanted back",
    "metrics": "metric presets, headline first",
    "version": "bumped when results change",
    "request": "`default`, `voice-prompt`, `music-clip` or a hook `module:function`",
    "protocol": "the published protocol followed",
    "extends": "a task file of the same folder to start from",
}
DATA_KEYS = ("reader", "root", "root_env", "subpath", "path", "options")
REQUIRED = ("name", "family", "data", "input", "output", "metrics")
HOOKS: dict[str, str] = {
    "default": "evals.task:default_request",
    "voice-prompt": "tasks.tts:tts_request",
    "music-clip": "tasks.music:clip_request",
}
"""Request builders a task file may name without a module: the inputs as given; with the
zero-shot TTS voice-prompt rule; failing MusicCaps rows whose clip is unusable."""


class TaskConfigError(UserError, ValueError):
    """A task file that cannot be used; the message names the file, the key and what is allowed."""


def _fail(path: Path, key: str, problem: str) -> TaskConfigError:
    return TaskConfigError(f"{path}: {key}: {problem}")


def _choices(value: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(value, allowed, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"{hint}(allowed: {', '.join(allowed)})"


def import_file(path: Path) -> ModuleType:
    """Import a Python file once per path (include folders and hooks share the module)."""
    path = path.resolve()
    key = f"anybench_include_{hashlib.sha256(str(path).encode()).hexdigest()[:8]}_{path.stem}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{path}: cannot import this file as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[key]
        raise
    return module


def resolve_object(target: str, folder: Path, path: Path, key: str) -> Any:
    """`module:attr`: a `module.py` beside the task file first, then an importable module."""
    module_name, colon, attr = target.partition(":")
    if not colon or not module_name or not attr:
        named = f" or one of {', '.join(HOOKS)}" if key == "request" else ""
        raise _fail(path, key, f"{target!r} is not module:function{named}")
    local = folder / f"{module_name}.py"
    try:
        module = import_file(local) if local.is_file() else importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise _fail(
            path, key, f"no module {module_name!r} (beside the file or installed)"
        ) from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise _fail(path, key, f"module {module_name} has no {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise _fail(path, key, f"{target} is not callable")
    return obj


def read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's mapping with `extends` applied (the base file's keys, then this file's)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise _fail(path, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise _fail(path, "file", "a task file is a mapping of keys (name, family, data, ...)")
    for key in raw:
        if key not in TASK_KEYS:
            raise _fail(path, str(key), f"unknown key {_choices(str(key), list(TASK_KEYS))}")
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base_path = path.parent / str(base_name)
    if not base_path.is_file() or base_path.resolve() in seen:
        problem = "extends itself" if base_path.resolve() in seen else f"no file {base_path}"
        raise _fail(path, "extends", problem)
    base = read_raw(base_path, (*seen, path.resolve()))
    merged = {**base, **raw}
    if isinstance(base.get("data"), dict) and isinstance(raw.get("data"), dict):
        merged["data"] = {**base["data"], **raw["data"]}  # key by key; _data checks the rest
    return merged


def _modality(raw: Mapping[str, Any], key: str, path: Path) -> Modality:
    value = str(raw[key])
    allowed = [m.value for m in Modality]
    if value not in allowed:
        raise _fail(path, key, f"{value!r} is not a modality {_choices(value, allowed)}")
    return Modality(value)


def _metrics(raw: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    value = raw["metrics"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        raise _fail(path, "metrics", "a non-empty list of metric preset names")
    known = METRICS.names()
    for name in value:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            lists = f"(`anybench ls metrics` lists all {len(known)})"
            raise _fail(path, "metrics", f"unknown metric {name!r}; {hint}{lists}")
    return tuple(value)


def _data(raw: Any, path: Path) -> DataSource:
    if not isinstance(raw, dict):
        raise _fail(path, "data", f"a mapping with keys {', '.join(DATA_KEYS)}")
    for key in raw:
        if key not in DATA_KEYS:
            raise _fail(path, f"data.{key}", f"unknown key {_choices(str(key), list(DATA_KEYS))}")
    if "reader" not in raw:
        raise _fail(path, "data.reader", f"missing (a reader: {', '.join(READERS.names())})")
    name = str(raw["reader"])
    if ":" in name:
        reader = resolve_object(name, path.parent, path, "data.reader")
    else:
        try:
            reader = READERS.get(name)
        except UnknownNameError:
            problem = f"unknown reader {_choices(name, READERS.names())}"
            raise _fail(path, "data.reader", problem) from None
    options = raw.get("options") or {}
    if not isinstance(options, dict):
        raise _fail(path, "data.options", "a mapping of reader options")
    params = inspect.signature(reader).parameters
    accepted = [
        p for p in list(params)[1:] if params[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    for key in options:
        if key not in accepted and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            allowed = _choices(str(key), accepted) if accepted else "(this reader takes none)"
            raise _fail(path, f"data.options.{key}", f"not an option of reader {name} {allowed}")
    location = raw.get("path", "")
    if location and not Path(str(location)).expanduser().is_absolute() and "$" not in str(location):
        location = str(path.parent / str(location))
    return DataSource(
        reader,
        root=str(raw.get("root", "")),
        root_env=str(raw.get("root_env", "")),
        subpath=str(raw.get("subpath", "")),
        options=dict(options),
        path=str(location),
    )


def load_task_file(path: str | Path) -> Task:
    """The Task a YAML file describes; raises TaskConfigError naming file, key and allowed values."""
    path = Path(path)
    raw = read_raw(path)
    for key in REQUIRED:
        if key not in raw:
            raise _fail(path, key, f"missing (required keys: {', '.join(REQUIRED)})")
    request = str(raw.get("request", "default"))
    build = resolve_object(HOOKS.get(request, request), path.parent, path, "request")
    return Task(
        name=str(raw["name"]),
        family=str(raw["family"]),
        description=str(raw.get("description", "")),
        data=_data(raw["data"], path),
        input=_modality(raw, "input", path),
        output=_modality(raw, "output", path),
        metrics=_metrics(raw, path),
        version=str(raw.get("version", "1")),
        build_request=build,
        protocol=str(raw.get("protocol", "")),
    )


def is_task_file(path: Path) -> bool:
    """YAML files of a folder are tasks unless they list `tasks:` (then they are suites)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return True  # let the loader report it
    return not (isinstance(raw, dict) and "tasks" in raw)


def register_folder(folder: Path, origin_of: Callable[[Path], str] = str) -> list[str]:
    """Register every task file of `folder` (sorted), returning their names."""
    from evals.registry import TASKS

    names = []
    for path in sorted(folder.iterdir()):
        if not is_task_file(path):
            continue
        task = load_task_file(path)
        if task.name in TASKS:
            if TASKS.get(task.name) != task:
                where = TASKS.origin(task.name)
                raise _fail(
                    path, "name", f"task {task.name!r} is already registered (from {where})"
                )
        else:
            TASKS.register(task.name, task, origin=origin_of(path))
        names.append(task.name)
    return names
