"""Batching: length-sorted batches within a bounded window, and batch sizes that back off on OOM.

Samples are read in windows of a few batches; inside a window they are sorted longest first (by
audio duration from the file header, or by text length), so a batch holds inputs of similar
length and pads little, and an out-of-memory error shows up on the first, longest batch. The
window bounds memory and keeps the stream a stream. Every sample keeps its position in the input
stream, so the log writer can put the lines back in input order (`evals.log_writer`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from evals.errors import SampleError
from evals.media import audio_duration
from evals.types import Audio, Sample, Text

log = logging.getLogger("anybench")

SORT_WINDOW_BATCHES = 8
"""Batches per sorting window: more sorts better, but delays log lines by up to a window."""
AUTO_START_CUDA = 64
"""First batch size tried by `--batch-size auto` on a GPU; halved on out-of-memory."""
AUTO_START_CPU = 8
"""Batch size of `--batch-size auto` on CPU (no out-of-memory signal to back off from)."""
OOM_MESSAGES = ("out of memory", "can't allocate memory", "cudnn_status_alloc_failed")
"""Lower-cased fragments of out-of-memory messages raised as plain RuntimeError."""


def input_length(sample: Sample) -> float:
    """How long a sample's inputs are: seconds of audio plus characters of text (0 if unknown).

    Audio durations come from the file header (no decoding); an unreadable file counts as 0 and
    fails later, when it is loaded, with its own error.
    """
    total = 0.0
    for part in sample.inputs:
        if isinstance(part, Audio):
            with contextlib.suppress(SampleError, OSError):
                total += audio_duration(part)
        elif isinstance(part, Text):
            total += len(part.text)
    return total


@dataclass(frozen=True)
class Indexed:
    """A sample and its position in this process's input stream."""

    index: int
    """0, 1, 2, ... in the order the stream yielded the samples."""
    sample: Sample
    """The sample."""


def sorted_windows(
    samples: Iterable[Sample], window: int, sort: bool = True
) -> Iterator[list[Indexed]]:
    """Windows of `window` samples, each sorted longest first (stable: ties keep input order)."""
    order = sort_window if sort else list
    buf: list[Indexed] = []
    for i, sample in enumerate(samples):
        buf.append(Indexed(i, sample))
        if len(buf) >= window:
            yield order(buf)
            buf = []
    if buf:
        yield order(buf)


def sort_window(items: list[Indexed]) -> list[Indexed]:
    if len(items) < 2:
        return items
    return sorted(items, key=lambda item: -input_length(item.sample))


def is_out_of_memory(exc: BaseException) -> bool:
    """A device (or host allocator) out-of-memory error, which a smaller batch may avoid."""
    try:
        import torch

        if isinstance(exc, torch.cuda.OutOfMemoryError):
            return True
    except ImportError:
        pass
    if isinstance(exc, MemoryError):
        return True
    # CTranslate2, cuDNN and torch's CPU allocator say it in words, as RuntimeError
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(m in text for m in OOM_MESSAGES)


def free_device_memory() -> None:
    """Return cached CUDA blocks after an out-of-memory error, so the retry starts clean."""
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


class BatchSizer:
    """The current batch size: halved on out-of-memory and remembered for the rest of the run."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError(f"batch size must be positive, got {size}")
        self.size = size
        self.backoffs = 0

    def shrink(self, exc: BaseException) -> bool:
        """Halve after `exc`; False when already at 1 (the sample itself does not fit)."""
        if self.size == 1:
            return False
        self.size = max(self.size // 2, 1)
        self.backoffs += 1
        log.warning("out of memory (%s); batch size is now %d", _first_line(exc), self.size)
        free_device_memory()
        return True


def auto_batch_size() -> int:
    """The first size `--batch-size auto` tries: large on a GPU (backs off), modest on CPU."""
    try:
        import torch

        return AUTO_START_CUDA if torch.cuda.is_available() else AUTO_START_CPU
    except ImportError:
        return AUTO_START_CPU


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
