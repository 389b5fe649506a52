"""A task's prediction records in sample-id order, read from the logs only when accessed.

Scoring must see records in sample-id order (bootstrap resamples by position, so the order the
logs were written in, which depends on ranks, shards, batches and resumes, must not reach the
intervals). Sorting the parsed records would hold every one of them (a few KB each); this index
holds the id, status, generation time and place in the log of each (about 150 bytes), and parses
a record when a metric reads it. A sample logged twice counts once (its first line), and a torn
last line (an interrupted write) is not a record, as in `RunStore.iter_records`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, overload

from evals.records import PredictionRecord, record_from_json
from evals.store import RunStore, StoreError, read_log
from evals.types import Status


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """Where one sample's record is, and what scoring needs to know without parsing it."""

    sample_id: str
    status: Status
    generate_s: float | None
    """The model's time for this sample (`Response.timings["generate"]`), if logged."""
    log: int
    """Position of its log in `RecordIndex.logs`."""
    offset: int
    """Byte offset of its line."""
    lineno: int
    flags: tuple[str, ...] = ()
    """`Response.flags` of the record (counted in the integrity counts)."""


def _index_log(path: Path, log: int, seen: set[str]) -> Iterator[IndexEntry]:
    for lineno, start, data in read_log(path):
        try:
            sid = str(data["sample_id"])
            response = data["response"]
            status = Status(response["status"])
            generate_s = (response.get("timings") or {}).get("generate")
            flags = tuple(response.get("flags") or ())
        except (KeyError, ValueError, TypeError) as exc:
            raise StoreError(f"{path}:{lineno}: malformed prediction record ({exc})") from exc
        if sid in seen:
            continue
        seen.add(sid)
        yield IndexEntry(sid, status, generate_s, log, start, lineno, flags)


class RecordIndex(Sequence[PredictionRecord]):
    """Records of one task in sample-id order; `index[i]` and iteration parse on access."""

    def __init__(self, store: RunStore, logs: Sequence[Path], entries: Sequence[IndexEntry]):
        self.store = store
        self.logs = tuple(logs)
        self.entries = tuple(entries)

    @classmethod
    def of_task(cls, store: RunStore, task: str) -> RecordIndex:
        logs = store.log_paths(task)
        seen: set[str] = set()
        entries = [e for i, path in enumerate(logs) for e in _index_log(path, i, seen)]
        entries.sort(key=lambda e: e.sample_id)
        return cls(store, logs, entries)

    def where(self, keep) -> RecordIndex:
        """The records whose entry passes `keep(entry)`, in the same order."""
        return RecordIndex(self.store, self.logs, [e for e in self.entries if keep(e)])

    @property
    def sample_ids(self) -> list[str]:
        return [e.sample_id for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, i: int) -> PredictionRecord: ...

    @overload
    def __getitem__(self, i: slice) -> list[PredictionRecord]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self._read(self.entries[i]))
        return next(self._read([self.entries[i]]))

    def __iter__(self) -> Iterator[PredictionRecord]:
        return self._read(self.entries)

    def _read(self, entries: Sequence[IndexEntry]) -> Iterator[PredictionRecord]:
        with ExitStack() as opened:
            files: dict[int, IO[bytes]] = {}
            for e in entries:
                if e.log not in files:
                    files[e.log] = opened.enter_context(open(self.logs[e.log], "rb"))
                f = files[e.log]
                f.seek(e.offset)
                yield self._parse(f.readline(), e)

    def _parse(self, line: bytes, e: IndexEntry) -> PredictionRecord:
        where = f"{self.logs[e.log]}:{e.lineno}"
        try:
            record = record_from_json(json.loads(line), self.store.artifacts_dir)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{where}: changed while it was being scored ({exc})") from exc
        except (KeyError, ValueError, TypeError) as exc:
            raise StoreError(f"{where}: malformed prediction record ({exc})") from exc
        if record.sample_id != e.sample_id:
            raise StoreError(f"{where}: changed while it was being scored (id {record.sample_id})")
        return record
