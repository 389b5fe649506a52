"""Vectorized n-gram counting over a corpus of tokenized sentences (numpy, no per-n-gram Python).

Each distinct n-gram (orders 1..n) gets an integer id; the result is the list of
(sentence, n-gram id, count) triples, sorted by sentence then id, which sparse matrices are
built from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NgramCounts:
    """n-gram counts of every sentence of a corpus."""

    sentence: np.ndarray
    """Sentence index of each entry."""
    gram: np.ndarray
    """n-gram id of each entry (ids are grouped by order: all unigrams first, then bigrams...)."""
    count: np.ndarray
    """How often the n-gram occurs in the sentence."""
    order: np.ndarray
    """Order (1..n) of each n-gram id, indexed by id."""
    lengths: np.ndarray
    """Words per sentence."""

    @property
    def n_grams(self) -> int:
        return len(self.order)


def count_ngrams(sentences: Sequence[str], n: int = 4) -> NgramCounts:
    """Counts of all 1..n-grams of whitespace-split sentences."""
    vocab: dict[str, int] = {}
    tokens = [s.split() for s in sentences]
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    words = np.fromiter(
        (vocab.setdefault(w, len(vocab)) for t in tokens for w in t),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    sent_of = np.repeat(np.arange(len(tokens)), lengths)
    ends = np.cumsum(lengths)[sent_of] if len(words) else np.zeros(0, np.int64)
    padded = np.concatenate([words, np.zeros(n, np.int64)])
    position = np.arange(len(words))
    sentences_out, grams_out, counts_out, orders = [], [], [], []
    offset = 0
    for k in range(1, n + 1):
        valid = position + k <= ends
        starts = position[valid]
        distinct, local = _distinct(padded, starts, k, len(vocab))
        key = sent_of[valid] * max(len(distinct), 1) + local
        pair, count = unique_counts(key)
        sentences_out.append(pair // max(len(distinct), 1))
        grams_out.append(pair % max(len(distinct), 1) + offset)
        counts_out.append(count)
        orders.append(np.full(len(distinct), k))
        offset += len(distinct)
    sentence = np.concatenate(sentences_out)
    gram = np.concatenate(grams_out)
    order = np.lexsort((gram, sentence))
    return NgramCounts(
        sentence=sentence[order],
        gram=gram[order],
        count=np.concatenate(counts_out)[order],
        order=np.concatenate(orders),
        lengths=lengths,
    )


def _distinct(
    words: np.ndarray, starts: np.ndarray, k: int, vocab: int
) -> tuple[np.ndarray, np.ndarray]:
    """(distinct n-grams, index of each occurrence's n-gram) for the k-grams at `starts`."""
    if vocab**k < 2**62:  # one int64 code per n-gram: a 1-D unique (hash based) is fast
        code = np.zeros(len(starts), np.int64)
        for t in range(k):
            code = code * vocab + words[starts + t]
        distinct, _ = unique_counts(code)
        return distinct, np.searchsorted(distinct, code)
    columns = np.stack([words[starts + t] for t in range(k)], axis=1)
    distinct, local = np.unique(columns, axis=0, return_inverse=True)
    return distinct, local.reshape(-1)


def unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of an int array and their counts (sort based)."""
    ordered = np.sort(keys)
    first = np.ones(len(ordered), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))
