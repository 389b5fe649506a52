"""The ground-truth pseudo-model: answers each request with a held-out reference of its sample.

It gives the "Ground truth" / "Human" rows papers print: the real recording scored by the TTS
metrics, the transcript scored by WER (0 by construction, a sanity check of the pipeline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evals.adapters.base import ModelAdapter
from evals.registry import MODELS
from evals.types import Audio, Image, Modality, Request, Response, Text

_WANTED = {
    Modality.TEXT: Text,
    Modality.SPEECH: Audio,
    Modality.MUSIC: Audio,
    Modality.AUDIO: Audio,
    Modality.IMAGE: Image,
}


@dataclass(frozen=True)
class ReferenceOptions:
    index: int = 0
    """Which reference of the wanted modality to return (0: the first)."""


@MODELS.register("reference")
class ReferenceAdapter(ModelAdapter):
    """Returns the sample's reference of the requested modality (ground-truth rows)."""

    capabilities = frozenset((a, b) for a in Modality for b in Modality)
    Options = ReferenceOptions
    reads_references = True

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out = []
        for req in requests:
            kind = _WANTED[req.output]
            refs = [p for p in req.references if isinstance(p, kind)]
            if len(refs) <= self.options.index:
                out.append(
                    Response(
                        req.sample_id,
                        error=f"sample has no {req.output.value} reference #{self.options.index}",
                        error_stage="generate",
                    )
                )
                continue
            out.append(
                Response(
                    req.sample_id,
                    refs[self.options.index],
                    info={"reference_index": self.options.index},
                )
            )
        return out

    def describe(self) -> dict:
        return {"engine": "ground truth", "reference_index": self.options.index}
