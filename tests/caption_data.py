"""Test helpers: generated caption corpora and prediction records for the caption metrics.

Captions are drawn from a small Zipf-like vocabulary with shared topic words per image, so
n-grams are shared across images the way COCO captions share them; they carry the things the
PTB tokenizer has to handle (capitals, punctuation, quotes, possessives, hyphens, numbers,
doubled spaces, a non-ASCII word).
"""

from __future__ import annotations

import numpy as np

from evals.records import PredictionRecord
from evals.types import Decoding, Image, Modality, Response, Sample, Text

_COMMON = "a an the on in of with is are and two man woman dog cat sitting standing near next "
COMMON = tuple((_COMMON + "to at top some people red white large small").split())
DECOR = (",", ".", "!", "'s", "-", ";", ":", "...", '"', "'")


def make_captions(
    n_images: int, n_refs: int = 5, seed: int = 0, vocab: int = 400
) -> tuple[list[str], list[list[str]]]:
    """(hypotheses, references) for n images, raw text."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(vocab)] + ["Street-side", "café", "3", "U.S.", "T-shirt"]
    p = 1.0 / np.arange(1, len(words) + 1) ** 1.1
    p /= p.sum()

    def sentence(topic: list[str]) -> str:
        out = []
        for _ in range(int(rng.integers(3, 13))):
            r = rng.random()
            if r < 0.35:
                out.append(COMMON[rng.integers(len(COMMON))])
            elif r < 0.6:
                out.append(topic[rng.integers(len(topic))])
            else:
                out.append(words[rng.choice(len(words), p=p)])
            if rng.random() < 0.08:
                out[-1] += DECOR[rng.integers(len(DECOR))]
        text = " ".join(out)
        if rng.random() < 0.3:
            text = text[0].upper() + text[1:] + "."
        if rng.random() < 0.05:
            text = text.replace(" ", "  ", 1)
        return text

    hyps, refs = [], []
    for _ in range(n_images):
        topic = [words[j] for j in rng.choice(len(words), 4, p=p)]
        refs.append([sentence(topic) for _ in range(n_refs)])
        hyps.append(sentence(topic))
    return hyps, refs


def caption_record(
    sample_id: str,
    refs: list[str],
    hyp: str | None,
    info: dict | None = None,
    task: str = "coco-caption",
) -> PredictionRecord:
    """A captioning prediction record; `hyp=None` is a failed generation (no output)."""
    sample = Sample(
        id=sample_id,
        inputs=(Image(path=f"/images/{sample_id}.jpg"),),
        references=tuple(Text(r) for r in refs),
    )
    response = (
        Response(sample_id, error="no prediction for this sample id", error_stage="generate")
        if hyp is None
        else Response(sample_id, Text(hyp), text=hyp, info=info or {})
    )
    return PredictionRecord(task, sample, Modality.TEXT, Decoding(), response)


def records_for(hyps: list[str | None], refs: list[list[str]]) -> list[PredictionRecord]:
    return [caption_record(str(i), r, h) for i, (h, r) in enumerate(zip(hyps, refs))]
