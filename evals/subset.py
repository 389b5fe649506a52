"""Reproducible subsets of a stream: the same `--limit N` draws the same samples every time."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Iterator

from evals.types import Sample


def sample_key(sample_id: str, seed: int) -> int:
    """A uniform 64-bit key per (seed, id); the subset is the n smallest keys."""
    digest = hashlib.sha256(f"{seed}:{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def hashed_subset(samples: Iterable[Sample], n: int | None, seed: int = 0) -> Iterator[Sample]:
    """The n samples with the smallest seeded hash of their id, in their original order.

    Memory is O(n), not O(stream); a sample's membership depends only on its own id, the seed and
    the others' keys, so growing a dataset changes a subset as little as possible.
    """
    if n is None:
        yield from samples
        return
    if n <= 0:
        return
    heap: list[tuple[int, int, Sample]] = []  # max-heap by key via negation
    for index, sample in enumerate(samples):
        item = (-sample_key(sample.id, seed), index, sample)
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)
    for _, _, sample in sorted(heap, key=lambda t: t[1]):
        yield sample


def seed_for(run_seed: int, sample_id: str) -> int:
    """Per-sample generation seed: independent of batch composition and of sharding."""
    digest = hashlib.sha256(f"gen:{run_seed}:{sample_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
