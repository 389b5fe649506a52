"""The tokenized caption corpus that every COCO caption metric scores, built once per record set.

Hypothesis: the model's caption; a failed, missing, unreadable or empty output is the empty
caption (scores 0 on every metric, never dropped). References: the sample's text references,
except the one a ground-truth row returned (its index in `Response.info["reference_index"]`):
the human baseline is scored leave-one-out against the remaining captions.

Building the corpus costs one PTB tokenizer run; the presets of one scoring pass share it
through a small cache keyed by the content, so BLEU, METEOR, ROUGE-L, CIDEr-D and SPICE do not
tokenize five times.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.records import PredictionRecord
from evals.types import Text
from metrics.audio_outputs import usable_output
from metrics.ptb import tokenize

EMPTY_POLICY = (
    "failed, missing or empty caption (nothing left after PTB tokenization, e.g. punctuation "
    "only) = empty string (scores 0)"
)
HELD_OUT_KEY = "reference_index"
_CACHE: OrderedDict[int, CaptionCorpus] = OrderedDict()
CACHE_SIZE = 4


@dataclass(frozen=True)
class CaptionCorpus:
    """Hypotheses and references of a record set, raw and PTB-tokenized, in record order."""

    key: int
    """Content hash (48 bits, exact in a float64), the handle corpus-level statistics carry."""
    hyps: tuple[str, ...]
    """Tokenized hypothesis per sample ('' for the empty caption)."""
    refs: tuple[tuple[str, ...], ...]
    """Tokenized references per sample (held-out reference removed)."""
    policies: tuple[str | None, ...]
    """Failure policy applied per sample (None: a real caption was scored)."""
    held_out: tuple[int | None, ...]
    """Index of the reference left out per sample (ground-truth rows), else None."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Per-metric results computed from this corpus (BLEU and METEOR statistics, CIDEr-D)."""


def hypothesis(record: PredictionRecord) -> tuple[str, str | None]:
    """(caption, policy note or None) under the empty-caption policy."""
    text = usable_output(record, Text)
    return ("", EMPTY_POLICY) if text is None else (text.text, None)


def references(record: PredictionRecord) -> tuple[list[str], int | None]:
    """(the sample's text references minus the held-out one, held-out index or None)."""
    refs = [p.text for p in record.sample.references if isinstance(p, Text)]
    held = record.response.info.get(HELD_OUT_KEY) if record.response.output is not None else None
    if held is not None and 0 <= int(held) < len(refs):
        held = int(held)
        refs = refs[:held] + refs[held + 1 :]
    else:
        held = None
    if not refs:
        raise ValueError(
            f"sample {record.sample_id} has no reference caption to score against"
            + (" after leaving out the held-out one" if held is not None else "")
        )
    return refs, held


def _content_key(ids: Sequence[str], hyps: Sequence[str], refs: Sequence[Sequence[str]]) -> int:
    h = hashlib.sha256()
    for sid, hyp, rs in zip(ids, hyps, refs):
        h.update(sid.encode())
        h.update(b"\0")
        h.update(hyp.encode())
        h.update(b"\0")
        for r in rs:
            h.update(r.encode())
            h.update(b"\1")
        h.update(b"\2")
    return int.from_bytes(h.digest()[:6], "big")


def build_corpus(records: Sequence[PredictionRecord]) -> CaptionCorpus:
    """The corpus of `records` (tokenized once; later calls with the same content hit a cache)."""
    ids, hyp_pol, ref_held = [], [], []
    for r in records:  # one pass: scoring's records are parsed from the logs as they are read
        ids.append(r.sample_id)
        hyp_pol.append(hypothesis(r))
        ref_held.append(references(r))
    raw_hyps = [h for h, _ in hyp_pol]
    raw_refs = [rs for rs, _ in ref_held]
    key = _content_key(ids, raw_hyps, raw_refs)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    flat = raw_hyps + [r for rs in raw_refs for r in rs]
    tokens = tokenize(flat)
    hyps, rest = tokens[: len(records)], iter(tokens[len(records) :])
    refs = tuple(tuple(next(rest) for _ in rs) for rs in raw_refs)
    corpus = CaptionCorpus(
        key=key,
        hyps=tuple(hyps),
        refs=refs,
        policies=tuple(p or (None if h else EMPTY_POLICY) for (_, p), h in zip(hyp_pol, hyps)),
        held_out=tuple(h for _, h in ref_held),
    )
    remember(corpus)
    return corpus


def remember(corpus: CaptionCorpus) -> None:
    _CACHE[corpus.key] = corpus
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)


def forget_corpora() -> None:
    """Drop every cached corpus (and the scores memoized on it)."""
    _CACHE.clear()


def cached(key: int) -> CaptionCorpus:
    """The corpus a statistics handle points at; it must have been built in this process."""
    try:
        return _CACHE[key]
    except KeyError:
        raise RuntimeError(
            f"caption corpus {key:x} is not loaded in this process: corpus-level caption metrics "
            "(CIDEr-D) recompute from the corpus, so call metric.score(records) before reducing"
        ) from None
