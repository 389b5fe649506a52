"""`--include-path DIR` and `$ANYBENCH_INCLUDE_PATH`: folders of the user's own tasks and code.

Every `*.py` of a folder is imported (its `TASKS`/`MODELS`/`METRICS`/`READERS.register` calls
take effect), then every task file (`*.yaml`, `*.yml`) is registered, and YAML files that list
`tasks:` become suites usable by name. No package install is needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from evals.errors import UserError
from evals.task_config import import_file, is_task_file, register_folder

INCLUDE_ENV = "ANYBENCH_INCLUDE_PATH"

_included: list[Path] = []


def env_paths() -> list[str]:
    """The folders of `$ANYBENCH_INCLUDE_PATH` (separated like PATH)."""
    return [p for p in os.environ.get(INCLUDE_ENV, "").split(os.pathsep) if p.strip()]


def include(folders: Iterable[str | os.PathLike]) -> list[Path]:
    """Load each folder once (modules first, then task files); returns the folders loaded now."""
    from evals.registry import MODELS, TASKS

    folders = list(folders)
    if not folders:
        return []
    TASKS.names(), MODELS.names()  # built-ins first, so a clash names the user's file
    added = []
    for raw in folders:
        folder = Path(raw).expanduser().resolve()
        if folder in _included:
            continue
        if not folder.is_dir():
            raise UserError(f"--include-path {raw}: no such folder")
        for module in sorted(folder.glob("*.py")):
            try:
                import_file(module)
            except UserError:
                raise
            except Exception as exc:  # the user's code: one line here, the traceback with -v
                raise UserError(f"{module}: import failed: {type(exc).__name__}: {exc}") from exc
        register_folder(folder)
        _included.append(folder)  # after success: a fixed folder loads on the next call
        added.append(folder)
    return added


def included_suites() -> list[Path]:
    """Suite files (YAML with a `tasks:` list) of the included folders."""
    return [
        p
        for folder in _included
        for p in sorted(folder.iterdir())
        if p.suffix in (".yaml", ".yml") and not is_task_file(p)
    ]
