"""A background writer for prediction logs, so the model never waits on media encoding or disk.

The generating thread hands over finished records (with their position in the input stream)
through a bounded queue; the writer thread encodes and writes each record's media, then its log
line. Lines are appended in input order: a record that finishes early (its batch was sorted
ahead) waits, as a small JSON string, until every record before it is written. So the log does
not depend on batch size or sorting, and still every line points at media already on disk.

Resume semantics hold: a record is done only once its line is in the log. A kill loses the
records still queued or held (at most a sorting window), which the next run generates again; a
normal stop, an exception or Ctrl-C first writes everything that finished, in order where it can.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from types import TracebackType

from evals.errors import UserError
from evals.records import PredictionRecord
from evals.store import PredictionLog

_STOP = object()


class LogWriteError(UserError, OSError):
    """Writing the predictions log or its media failed (disk full, permissions); names the file."""


class OrderedLogWriter:
    """Writes (index, record) pairs from a background thread, lines in index order 0, 1, 2, ..."""

    def __init__(self, log: PredictionLog, max_queued: int = 64):
        self.log = log
        self._queue: queue.Queue = queue.Queue(maxsize=max(max_queued, 1))
        self._held: dict[int, str] = {}
        self._next = 0
        self._error: BaseException | None = None
        self.written = 0
        self._thread = threading.Thread(target=self._work, name="anybench-log-writer", daemon=True)
        self._thread.start()

    def put(self, index: int, record: PredictionRecord) -> None:
        """Queue a finished record; blocks while the queue is full (the writer sets the pace)."""
        while True:
            self._raise_if_failed()
            try:
                self._queue.put((index, record), timeout=0.5)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise LogWriteError(
                f"{self.log.path}: writing predictions failed: {self._error}"
            ) from (self._error)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue  # keep draining so the producer never blocks on a dead writer
            index, record = item
            try:
                self._held[index] = self.log.line_for(record)
                while self._next in self._held:
                    self.log.write_line(self._held.pop(self._next))
                    self._next += 1
                    self.written += 1
            except BaseException as exc:
                self._error = exc

    def close(self) -> None:
        """Write everything queued, then lines still held for a gap (out of order), and close."""
        try:
            self._queue.put(_STOP)
            self._thread.join()
            if self._error is None:
                for index in sorted(self._held):  # the stream stopped early: keep finished work
                    self.log.write_line(self._held.pop(index))
                    self.written += 1
        finally:
            self.log.close()
        self._raise_if_failed()

    def __enter__(self) -> OrderedLogWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        with contextlib.suppress(LogWriteError):  # the exception on its way out is the one
            self.close()
