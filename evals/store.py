"""The run store: one folder per run, append-only prediction logs, content-addressed media.

    <run>/config.json                    resolved configuration (model, decoding, seed, tasks)
    <run>/predictions/<task>.jsonl       one line per finished sample, flushed per line
    <run>/predictions/<task>.<part>.jsonl  per-rank or per-shard logs (same format)
    <run>/predictions/<task>.done.json   written when every sample of the task has a line
    <run>/artifacts/<sha256>.<ext>       generated media
    <run>/scores/<task>.jsonl            per-sample metric statistics (scoring phase)
    <run>/results.json                   scores + provenance
    <run>/history/results-<UTC stamp>.json  every earlier results.json, kept when re-scored

A log line is written only after its media are on disk, so a line never points at a missing
file; a line torn by a kill is cut off on the next open, and that sample is generated again.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from evals.errors import UserError
from evals.media import sha256_bytes
from evals.records import PredictionRecord, record_from_json, record_to_json


class StoreError(UserError, RuntimeError):
    """A run folder that is missing, inconsistent or corrupt; the message names the file."""


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_lines(path, (text,), end="")


TMP_SUFFIX = ".tmp"
ARTIFACT_TMP = ".tmp-"
ORPHAN_AGE_S = 600.0
"""A temp file whose writer cannot be told (no pid in its name) is an orphan after this long."""


def _writer_alive(name: str) -> bool | None:
    """Whether the process whose pid is in a temp file's name still runs (None: no pid in it)."""
    digits = [part for part in name.split(".") + name.split("-") if part.isdigit()]
    if not digits:
        return None
    pid = int(digits[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid() or None


def sweep_temp_files(folders: Iterable[Path], patterns: Iterable[str]) -> int:
    """Remove temp files left by killed writers (their pid is gone, or they are old); returns how
    many. Files of live writers (other ranks in the same folder) are left alone."""
    removed = 0
    patterns = tuple(patterns)
    now = time.time()
    for folder in folders:
        if not folder.is_dir():
            continue
        for pattern in patterns:
            for path in folder.glob(pattern):
                alive = _writer_alive(path.name)
                try:
                    stale = alive is False or (
                        alive is None and now - path.stat().st_mtime > ORPHAN_AGE_S
                    )
                    if stale:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
    return removed


def _umask_mode() -> int:
    """The mode an ordinary new file gets (mkstemp's 0600 would hide results from a team)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _umask_mode()  # read once: changing the umask is not thread-safe


def atomic_write_lines(path: Path, lines: Iterable[str], end: str = "\n") -> None:
    """Write `lines` (each followed by `end`) to a temporary file, then move it over `path`.

    Streams: a large file is never held in memory as one string.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX
    )
    os.chmod(tmp, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line + end)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: not found") from None
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: not valid JSON ({exc})") from exc


def repair_torn_tail(path: Path) -> int:
    """Cut a last line left unfinished by a kill; returns the bytes removed."""
    if not path.exists():
        return 0
    with open(path, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return 0
        f.seek(max(size - 1, 0))
        if f.read(1) == b"\n":
            return 0
        # scan backwards for the last newline
        pos = size
        block = 1 << 16
        while pos > 0:
            start = max(pos - block, 0)
            f.seek(start)
            chunk = f.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            pos = start
        else:
            keep = 0
        f.truncate(keep)
        return size - keep


class PredictionLog:
    """Append-only JSONL writer: one line per sample, flushed per line, fsynced periodically."""

    def __init__(self, store: RunStore, path: Path, fsync_every_s: float = 5.0):
        self.store = store
        self.path = path
        repair_torn_tail(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
        self._fsync_every = fsync_every_s
        self._last_sync = time.monotonic()

    def append(self, record: PredictionRecord) -> None:
        self.write_line(self.line_for(record))

    def line_for(self, record: PredictionRecord) -> str:
        """The record's log line; writes its media to the artifact folder first."""
        return json.dumps(record_to_json(record, self.store.put_artifact), ensure_ascii=False)

    def write_line(self, line: str) -> None:
        """Append one line made by `line_for` (its media are on disk already)."""
        self._f.write(line + "\n")
        self._f.flush()
        if time.monotonic() - self._last_sync > self._fsync_every:
            os.fsync(self._f.fileno())
            self._last_sync = time.monotonic()

    def close(self) -> None:
        if not self._f.closed:
            self._f.flush()
            os.fsync(self._f.fileno())
            self._f.close()

    def __enter__(self) -> PredictionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunStore:
    """Paths and safe reads/writes for one run folder."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # layout
    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def results_path(self) -> Path:
        return self.root / "results.json"

    @property
    def artifacts_dir(self) -> Path:
        return self.root / "artifacts"

    @property
    def predictions_dir(self) -> Path:
        return self.root / "predictions"

    @property
    def scores_dir(self) -> Path:
        return self.root / "scores"

    def log_path(self, task: str, part: str | None = None) -> Path:
        name = f"{task}.jsonl" if part is None else f"{task}.{part}.jsonl"
        return self.predictions_dir / name

    def done_path(self, task: str, part: str | None = None) -> Path:
        name = f"{task}.done.json" if part is None else f"{task}.{part}.done.json"
        return self.predictions_dir / name

    def scores_path(self, task: str) -> Path:
        return self.scores_dir / f"{task}.jsonl"

    # config
    def exists(self) -> bool:
        return self.config_path.exists()

    def read_config(self) -> dict[str, Any]:
        return read_json(self.config_path)

    def write_config(self, config: dict[str, Any]) -> None:
        write_json(self.config_path, config)

    @property
    def model_info_path(self) -> Path:
        return self.root / "model.json"

    def write_model_info(
        self,
        spec: Any,
        describe: dict[str, Any],
        report: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> None:
        """What the adapter said about itself (checkpoint, device) and what it reported afterwards."""
        old = self.read_model_info()
        info = {
            "spec": str(spec),
            "name": spec.name,
            "options": dict(spec.options),
            "describe": describe,
            "label": label or old.get("label"),
            "report": report or old.get("report", {}),
        }
        write_json(self.model_info_path, info)

    def read_model_info(self) -> dict[str, Any]:
        return read_json(self.model_info_path) if self.model_info_path.exists() else {}

    def sweep_temp_files(self) -> int:
        """Remove what killed writers left: `.results.json.*.tmp`, `scores/.*.tmp`,
        `artifacts/.tmp-*` (and other `.*.tmp` of atomic writes in the run folder)."""
        return sweep_temp_files(
            (self.root, self.scores_dir, self.predictions_dir, self.history_dir),
            (f".*{TMP_SUFFIX}",),
        ) + sweep_temp_files((self.artifacts_dir,), (f"{ARTIFACT_TMP}*",))

    def clear(self) -> None:
        """Delete the run's outputs to start afresh (`--fresh`); earlier results stay in
        `history/`, the current results.json joins them."""
        self._keep_in_history()
        for name in ("predictions", "artifacts", "scores"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        for path in (self.config_path, self.model_info_path, self.results_path):
            path.unlink(missing_ok=True)

    # media
    def put_artifact(self, data: bytes, ext: str) -> str:
        """Write `data` once under its sha256; returns the file name inside artifacts/."""
        name = f"{sha256_bytes(data)}.{ext}"
        path = self.artifacts_dir / name
        if not path.exists():
            self.artifacts_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                dir=self.artifacts_dir, prefix=f"{ARTIFACT_TMP}{os.getpid()}-"
            )
            os.chmod(tmp, FILE_MODE)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return name

    # predictions
    def log_paths(self, task: str) -> list[Path]:
        """Every log of `task`: the main one and any per-rank or per-shard parts."""
        if not self.predictions_dir.is_dir():
            return []
        main = self.log_path(task)
        parts = sorted(
            p
            for p in self.predictions_dir.glob(f"{task}.*.jsonl")
            if p.name[len(task) + 1 :].count(".") == 1
        )
        return ([main] if main.exists() else []) + parts

    def tasks(self) -> list[str]:
        """Tasks with at least one log, in config order where known."""
        found = (
            {p.name.split(".")[0] for p in self.predictions_dir.glob("*.jsonl")}
            if self.predictions_dir.is_dir()
            else set()
        )
        order = list(self.read_config().get("tasks", {})) if self.exists() else []
        return [t for t in order if t in found] + sorted(found - set(order))

    def iter_records(self, task: str) -> Iterator[PredictionRecord]:
        """Records of `task` across its logs; a sample logged twice is yielded once (first wins)."""
        seen: set[str] = set()
        for path in self.log_paths(task):
            for lineno, _, data in read_log(path):
                try:
                    record = record_from_json(data, self.artifacts_dir)
                except (KeyError, ValueError, TypeError) as exc:
                    raise StoreError(
                        f"{path}:{lineno}: malformed prediction record ({exc})"
                    ) from exc
                if record.sample_id in seen:
                    continue
                seen.add(record.sample_id)
                yield record

    def done_ids(self, task: str, keep: Callable[[str], bool] | None = None) -> set[str]:
        """Sample ids that already have a complete line (what resume skips), in every log.

        `keep` filters them (a shard keeps only its own), so memory grows with the shard.
        """
        ids: set[str] = set()
        for path in self.log_paths(task):
            ids.update(i for i in iter_log_ids(path) if keep is None or keep(i))
        return ids

    def open_log(self, task: str, part: str | None = None) -> PredictionLog:
        return PredictionLog(self, self.log_path(task, part))

    def mark_done(
        self,
        task: str,
        expected: int,
        wall_s: float,
        part: str | None = None,
        limit: int | None = None,
    ) -> None:
        """Record that every sample of `task` (or of this part of it) has a log line.

        `limit` is the subset size the count is for, so a marker left from a smaller subset is
        not taken for a finished larger one.
        """
        write_json(
            self.done_path(task, part),
            {"task": task, "expected": expected, "wall_s": round(wall_s, 3), "limit": limit},
        )

    def done_info(self, task: str, part: str | None = None) -> dict[str, Any] | None:
        """The done marker of `task` (expected count, wall time), or None while unfinished."""
        path = self.done_path(task, part)
        return read_json(path) if path.exists() else None

    # results
    def read_results(self) -> dict[str, Any]:
        return read_json(self.results_path)

    def write_results(self, results: dict[str, Any]) -> None:
        """Write results.json; a previous one moves to `history/` first (never lost)."""
        self._keep_in_history()
        write_json(self.results_path, results)

    def _keep_in_history(self) -> None:
        """Link (or copy) the current results.json into `history/`, named by when it was written."""
        if self.results_path.exists():
            self.history_dir.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.results_path.stat().st_mtime))
            target = self.history_dir / f"results-{stamp}.json"
            n = 1
            while target.exists():
                n += 1
                target = self.history_dir / f"results-{stamp}-{n}.json"
            try:  # a hard link keeps the old file whole while the new one is written atomically
                os.link(self.results_path, target)
            except OSError:
                shutil.copy2(self.results_path, target)

    @property
    def history_dir(self) -> Path:
        return self.root / "history"

    def history(self) -> list[Path]:
        """Earlier results files, oldest first (by when each was written)."""
        if not self.history_dir.is_dir():
            return []
        return sorted(self.history_dir.glob("results-*.json"), key=lambda p: p.stat().st_mtime)


def read_log(path: Path) -> Iterator[tuple[int, int, Any]]:
    """(line number, byte offset, parsed line) for each complete line; a torn last line is ignored."""
    with open(path, "rb") as f:
        offset = 0
        for lineno, line in enumerate(f, 1):
            start, offset = offset, offset + len(line)
            if not line.endswith(b"\n"):
                return  # torn tail: the sample was not finished
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise StoreError(f"{path}:{lineno}: corrupt prediction line ({exc})") from exc
            yield lineno, start, data


def iter_log_ids(path: Path) -> Iterator[str]:
    """Sample ids of a log's complete lines, in order."""
    for _, _, data in read_log(path):
        yield data["sample_id"]
