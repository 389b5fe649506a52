"""Scorer models shared by metric presets: located once, loaded once per process.

A preset pins a scorer by id (e.g. `openai/whisper-medium`) and revision. Where the weights live
is a property of the machine, not of the protocol: `$ANYBENCH_SCORERS/<id>` (a folder per hub id)
is used when present, else the id goes to the library (hub cache or download).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from metrics.base import MetricUnavailable

SCORERS_ENV = "ANYBENCH_SCORERS"


def locate(scorer_id: str) -> str:
    """A local folder for `scorer_id` under $ANYBENCH_SCORERS if there is one, else the id itself."""
    root = os.environ.get(SCORERS_ENV)
    if root:
        candidate = Path(root).expanduser() / scorer_id
        if candidate.exists():
            return str(candidate)
    return scorer_id


@functools.cache
def transcriber(spec: str):
    """An ASR model adapter (speech -> text) built from a model spec string, cached per process."""
    from evals.registry import MODELS
    from evals.spec import ModelSpec

    parsed = ModelSpec.parse(spec)
    try:
        return MODELS.get(parsed.name).from_spec(parsed)
    except (OSError, RuntimeError, ValueError) as exc:
        raise MetricUnavailable(
            f"ASR scorer {spec} could not be loaded ({exc}); put its weights in ${SCORERS_ENV}/<id> "
            "or make the hub reachable"
        ) from exc
