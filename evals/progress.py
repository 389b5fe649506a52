"""Progress people can read: totals where cheap, rate and ETA, a resume line, scoring steps.

On a terminal each task gets a tqdm bar that stays on screen; elsewhere (CI, Slurm logs) plain
`anybench:` lines go to stderr at the start, every `$ANYBENCH_PROGRESS_INTERVAL` seconds
(default 30) and at the end. Totals come from `--limit`, or from a cheap count of the data
(manifest lines, LibriSpeech transcript lines, Hugging Face copy row counts); unknown otherwise.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

INTERVAL_ENV = "ANYBENCH_PROGRESS_INTERVAL"
DEFAULT_INTERVAL_S = 30.0

_enabled = [True]


def set_enabled(flag: bool) -> None:
    """Turn progress output on or off for this process (`--no-progress`)."""
    _enabled[0] = flag


def _stream() -> IO[str]:
    return sys.stderr


def _interval() -> float:
    try:
        return float(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_S))
    except ValueError:
        return DEFAULT_INTERVAL_S


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `2h07m`."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class TaskProgress:
    """One task's generation: a bar on a terminal, periodic plain lines otherwise."""

    def __init__(self, name: str, total: int | None, enabled: bool = True):
        self.name, self.total = name, total
        self.enabled = enabled and _enabled[0]
        self.stream = _stream()
        self.tty = self.enabled and self.stream.isatty()
        self.done = self.made = 0
        self.t0 = self.last = time.monotonic()
        self.bar = None

    def resume(self, done: int) -> None:
        """Called once with the samples already in the log; starts the display. The resume line
        is printed even with progress off: it says what the run found, once."""
        self.done = done
        if done:
            of = f" of {self.total}" if self.total is not None else ""
            self.say(f"{self.name}: resuming: {done}{of} samples done")
        if not self.enabled:
            return
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(
                total=self.total,
                initial=done,
                desc=self.name,
                unit="sample",
                dynamic_ncols=True,
                leave=True,
                file=self.stream,
            )
        elif self.total is not None:
            self.say(f"{self.name}: {self.total - done} samples to generate")
        else:
            self.say(f"{self.name}: generating (total not known in advance)")

    def update(self, n: int) -> None:
        self.made += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled and time.monotonic() - self.last >= _interval():
            self.last = time.monotonic()
            self.say(self.status())

    def status(self) -> str:
        elapsed = time.monotonic() - self.t0
        rate = self.made / elapsed if elapsed > 0 else 0.0
        count = self.done + self.made
        text = f"{self.name}: {count}"
        if self.total:
            text += f"/{self.total} ({100 * count / self.total:.0f}%)"
        text += f" samples, {rate:.2f}/s"
        if self.total and rate > 0 and count < self.total:
            text += f", ETA {duration((self.total - count) / rate)}"
        return text

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            elapsed = time.monotonic() - self.t0
            self.say(f"{self.name}: done, {self.made} generated in {duration(elapsed)}")

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(f"anybench: {line}", file=self.stream)
        else:
            print(f"anybench: {line}", file=self.stream, flush=True)


@contextmanager
def generation(name: str, total: int | None, enabled: bool = True) -> Iterator[TaskProgress]:
    """Progress of one task's generation (see TaskProgress)."""
    progress = TaskProgress(name, total, enabled)
    try:
        yield progress
    finally:
        progress.close()


@contextmanager
def scoring_step(task: str, preset: str, index: int, count: int) -> Iterator[None]:
    """Says which metric preset is being computed (scorer loads and long metrics included)."""
    if not _enabled[0]:
        yield
        return
    t0 = time.monotonic()
    print(f"anybench: scoring {task} [{index}/{count}] {preset} ...", file=_stream(), flush=True)
    yield
    elapsed = time.monotonic() - t0
    if elapsed >= 1.0:
        print(f"anybench: scoring {task}: {preset} took {duration(elapsed)}", file=_stream())


# ---- cheap totals ------------------------------------------------------------------------


def _nonblank_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def count_manifest(path: Path) -> int | None:
    file = path / "manifest.jsonl" if path.is_dir() else path
    return _nonblank_lines(file) if file.is_file() else None


def count_librispeech(path: Path) -> int | None:
    from evals.datasets.hf_copies import find_hf_copy, row_count

    source = find_hf_copy(path)
    if source is not None:
        return row_count(source)
    return sum(_nonblank_lines(t) for t in path.glob("*/*/*.trans.txt")) or None


def _counters() -> dict[Callable, Callable[[Path], int | None]]:
    from evals.datasets import image_manifest, librispeech, manifest

    return {
        librispeech.read_librispeech: count_librispeech,
        manifest.read_asr_manifest: count_manifest,
        manifest.read_tts_manifest: count_manifest,
        image_manifest.read_caption_manifest: count_manifest,
        image_manifest.read_t2i_manifest: count_manifest,
    }


def count_samples(reader: Callable, path: Path) -> int | None:
    """The number of samples `reader` yields from `path`, where that is cheap; else None."""
    counter = _counters().get(reader)
    if counter is None:
        return None
    try:
        return counter(Path(path))
    except Exception:  # a count is a courtesy: the reader reports real problems itself
        return None


def expected_total(reader: Callable, path: str, limit: int | None, shards: int = 1) -> int | None:
    """Samples this process will see for a task: the limit, capped by a cheap count."""
    if shards > 1:
        return None
    n = count_samples(reader, Path(path))
    if limit is not None:
        return min(limit, n) if n is not None else limit
    return n
