"""Scorer models shared by metric presets: located once, loaded once per process.

A preset pins a scorer by id (e.g. `openai/whisper-medium`) and revision. Where the weights live
is a property of the machine, not of the protocol: `evals.hub` finds them (a local path,
`$ANYBENCH_SCORERS/<id>`, the hub cache, then the hub where it can be reached), so a scorer without
weights is unavailable at once rather than after minutes of hub retries.
"""

from __future__ import annotations

import functools

from evals import hub
from evals.hub import SCORERS_ENV
from metrics.base import MetricUnavailable

__all__ = ["SCORERS_ENV", "locate", "scorer_path", "transcriber"]


def locate(scorer_id: str) -> str:
    """A local folder for `scorer_id` (as given, or under $ANYBENCH_SCORERS) if there is one, else
    the id itself (for a loader that resolves it through `evals.hub`)."""
    found = hub.local_path(scorer_id)
    return str(found) if found is not None else scorer_id


def scorer_path(scorer_id: str, what: str, files=None, revision: str | None = None) -> str:
    """The local folder of a scorer's weights (see `evals.hub.resolve`); MetricUnavailable, in one
    line, where it cannot be had."""
    try:
        return str(hub.resolve(scorer_id, what, files, revision))
    except hub.NotFound as exc:
        raise MetricUnavailable(str(exc)) from exc


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
