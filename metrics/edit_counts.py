"""Alignment counts (hits, substitutions, deletions, insertions) of normalized text pairs.

The alignment is the one jiwer computes (rapidfuzz's Levenshtein edit operations, unit costs,
rapidfuzz's tie-breaking), called directly on the word (or character) lists: jiwer's per-call
transforms cost more than the alignment of a short utterance. An empty hypothesis is all
deletions, an empty reference all insertions (jiwer itself refuses an empty reference).
Equality with jiwer's counts and measures is tested (tests/test_wer_family.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

HIT, SUB, DEL, INS = range(4)
FIELDS = ("hit", "sub", "del", "ins")


def units(text: str, unit: str) -> list[str]:
    """Words, or characters (spaces included, as jiwer's CER counts them) of a normalized text."""
    return text.split() if unit == "word" else list(" ".join(text.split()))


def compound_counts(refs: Sequence[str], hyps: Sequence[str], unit: str = "word") -> np.ndarray:
    """Counts [n, 4] per pair from kaldialign's edit distance with merge_compounds (adjacent
    words joined without a separator match one word at no cost: "white paper" = "whitepaper"),
    as the Open ASR Leaderboard scores since 2026-06-11. Hits are N - S - D (a merged match
    counts its reference words as hits)."""
    from kaldialign import edit_distance

    out = np.zeros((len(refs), 4), dtype=np.int64)
    for k, (ref, hyp) in enumerate(zip(refs, hyps)):
        r, h = units(ref, unit), units(hyp, unit)
        e = edit_distance(r, h, merge_compounds=True)
        out[k] = (len(r) - e["sub"] - e["del"], e["sub"], e["del"], e["ins"])
    return out


def edit_counts(refs: Sequence[str], hyps: Sequence[str], unit: str = "word") -> np.ndarray:
    """Counts [n, 4] (hit, sub, del, ins) per pair, Levenshtein alignment over `unit`s."""
    from rapidfuzz.distance import Levenshtein

    out = np.zeros((len(refs), 4), dtype=np.int64)
    for k, (ref, hyp) in enumerate(zip(refs, hyps)):
        r, h = units(ref, unit), units(hyp, unit)
        sub = dele = ins = 0
        for tag, _, _ in Levenshtein.editops(r, h).as_list():
            if tag == "replace":
                sub += 1
            elif tag == "delete":
                dele += 1
            else:
                ins += 1
        out[k] = (len(r) - sub - dele, sub, dele, ins)
    return out


ALIGNERS = {"levenshtein": edit_counts, "kaldialign-merge-compounds": compound_counts}
"""Alignment a preset pins (settings `aligner`; default levenshtein)."""

STAT_FIELDS = ("errors", "ref_len", "hit", "del", "ins")
"""Per-sample statistics columns: errors S+D+I and reference length N first (what WER and CER
reduce, the layout older results carry), then what MER/WIL/WIP need besides."""


def as_stats(counts: np.ndarray) -> np.ndarray:
    """Statistics [n, 5] (STAT_FIELDS) from counts [n, 4] (hit, sub, del, ins)."""
    c = np.asarray(counts, dtype=np.float64)
    h, s, d, i = c[:, HIT], c[:, SUB], c[:, DEL], c[:, INS]
    return np.stack([s + d + i, h + s + d, h, d, i], axis=1)


def _wip(st: np.ndarray) -> np.ndarray:
    """(H/N)(H/P) with P = N - D + I; 0 for an empty hypothesis, as jiwer."""
    n, h, d, i = st[..., 1], st[..., 2], st[..., 3], st[..., 4]
    p = n - d + i
    return np.where(p > 0, (h / n) * (h / np.where(p > 0, p, 1)), 0.0)


MEASURES = {
    "wer": lambda st: st[..., 0] / st[..., 1],
    "cer": lambda st: st[..., 0] / st[..., 1],
    "mer": lambda st: st[..., 0] / (st[..., 1] + st[..., 4]),
    "wip": _wip,
    "wil": lambda st: 1.0 - _wip(st),
}
"""jiwer's definitions on statistics rows (one pair, or rows summed over a corpus)."""


def measure(name: str, stats: np.ndarray) -> np.ndarray:
    """A MEASURES value of statistics [..., 5] (WER and CER also [..., 2]); nan where the
    reference is empty (our policy, where jiwer returns the insertion count as WER)."""
    st = np.asarray(stats, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(st[..., 1] > 0, MEASURES[name](st), np.nan)
