"""Input helpers shared by adapters: the loaded audio of a request at the model's rate."""

from __future__ import annotations

import numpy as np

from evals.media import load_audio
from evals.types import Audio, Request


def request_audio(request: Request, rate: int) -> np.ndarray:
    """The request's first audio input as mono float32 at `rate` Hz."""
    for part in request.inputs:
        if isinstance(part, Audio):
            return load_audio(part, rate)[0]
    raise ValueError(f"request {request.sample_id} has no audio input")


def request_text(request: Request) -> str:
    """The request's text input (joined if several)."""
    from evals.types import Text

    texts = [p.text for p in request.inputs if isinstance(p, Text)]
    if not texts:
        raise ValueError(f"request {request.sample_id} has no text input")
    return " ".join(texts)
