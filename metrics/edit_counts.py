"""Alignment counts (hits, substitutions, deletions, insertions) of normalized text pairs.

All pairs go to jiwer in one call (its per-call set-up costs more than the alignment of a short
utterance); the counts per pair are read from jiwer's alignment chunks. Pairs with an empty side
are counted without jiwer (jiwer refuses an empty reference): an empty hypothesis is all
deletions, an empty reference all insertions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

HIT, SUB, DEL, INS = range(4)
FIELDS = ("hit", "sub", "del", "ins")
_KIND = {"equal": HIT, "substitute": SUB, "delete": DEL, "insert": INS}


def units(text: str, unit: str) -> list[str]:
    """Words, or characters (spaces included, as jiwer's CER counts them) of a normalized text."""
    return text.split() if unit == "word" else list(" ".join(text.split()))


def edit_counts(refs: Sequence[str], hyps: Sequence[str], unit: str = "word") -> np.ndarray:
    """Counts [n, 4] (hit, sub, del, ins) per pair, Levenshtein alignment over `unit`s."""
    out = np.zeros((len(refs), 4), dtype=np.int64)
    ref_units = [units(r, unit) for r in refs]
    hyp_units = [units(h, unit) for h in hyps]
    both = [i for i in range(len(refs)) if ref_units[i] and hyp_units[i]]
    for i in range(len(refs)):
        if not hyp_units[i]:
            out[i, DEL] = len(ref_units[i])
        elif not ref_units[i]:
            out[i, INS] = len(hyp_units[i])
    if both:
        import jiwer

        result = jiwer.process_words(
            [" ".join(ref_units[i]) if unit == "word" else ref_units[i] for i in both],
            [" ".join(hyp_units[i]) if unit == "word" else hyp_units[i] for i in both],
            *(() if unit == "word" else (_as_chars, _as_chars)),
        )
        for i, chunks in zip(both, result.alignments):
            for c in chunks:
                k = _KIND[c.type]
                out[i, k] += (
                    (c.hyp_end_idx - c.hyp_start_idx)
                    if k == INS
                    else (c.ref_end_idx - c.ref_start_idx)
                )
    return out


def _as_chars(sentences: list[list[str]]) -> list[list[str]]:
    """jiwer transform for pairs already split into characters: each list is one sentence."""
    return [list(s) for s in sentences]


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
