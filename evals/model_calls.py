"""Calling a model adapter so that only failing samples fail.

Media are loaded and checked before the call (a bad file fails its sample, named); responses
are checked against the requested modality; a batch that raises is retried one request at a
time, and one that runs out of device memory is retried in smaller chunks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from evals.adapters.base import ModelAdapter
from evals.audio_checks import degenerate_reasons
from evals.batching import BatchSizer, is_out_of_memory
from evals.media import MediaError, load_audio, materialize_audio, materialize_image
from evals.types import Audio, Image, Modality, Request, Response, Text, Tokens

log = logging.getLogger("anybench")


def materialize(request: Request) -> Request:
    """The request with media loaded and validated, so a bad file fails here, named."""

    def load(part):
        if isinstance(part, Audio):
            return materialize_audio(part)
        if isinstance(part, Image):
            return materialize_image(part)
        return part

    inputs = tuple(load(p) for p in request.inputs)
    prompt = materialize_audio(request.voice_prompt) if request.voice_prompt else None
    return replace(request, inputs=inputs, voice_prompt=prompt)


def flag_degenerate_input(request: Request, response: Response) -> Response:
    """Flag `degenerate` a response whose (loaded) input audio is too short or silent; the
    reasons go into `info["degenerate_input"]`. The sample keeps its status and is scored."""
    reasons = [
        reason
        for part in request.inputs
        if isinstance(part, Audio) and part.samples is not None and part.sample_rate
        for reason in degenerate_reasons(np.asarray(part.samples), int(part.sample_rate))
    ]
    if not reasons:
        return response
    flags = tuple(dict.fromkeys((*response.flags, "degenerate")))
    info = {**response.info, "degenerate_input": "; ".join(reasons)}
    return replace(response, flags=flags, info=info)


_OUTPUT_TYPES = {
    Modality.TEXT: (Text,),
    Modality.SPEECH: (Audio,),
    Modality.MUSIC: (Audio,),
    Modality.AUDIO: (Audio,),
    Modality.IMAGE: (Image,),
}


def check_output(request: Request, response: Response) -> Response:
    """Turn a response of the wrong type, or with unusable media, into a counted failure."""
    out = response.output
    if out is None or response.error is not None:
        if response.error is None and response.malformed is None:
            return replace(response, error="model returned no output", error_stage="output")
        return response
    if isinstance(out, Tokens):
        return response
    expected = _OUTPUT_TYPES[request.output]
    if not isinstance(out, expected):
        return replace(
            response,
            output=None,
            error=f"adapter returned {type(out).__name__} for a {request.output.value} request",
            error_stage="output",
        )
    if isinstance(out, Audio) and out.samples is not None and out.samples.size:
        try:
            load_audio(out)
        except MediaError as exc:
            return replace(
                response, output=None, error=f"output audio unusable: {exc}", error_stage="output"
            )
    return response


def _generate(adapter: ModelAdapter, requests: Sequence[Request]) -> list[Response]:
    responses = adapter.generate(requests)
    if len(responses) != len(requests):
        raise RuntimeError(
            f"adapter returned {len(responses)} responses for {len(requests)} requests"
        )
    return [check_output(q, r) for q, r in zip(requests, responses)]


def generate_batch(
    adapter: ModelAdapter, requests: Sequence[Request], sizer: BatchSizer
) -> list[Response]:
    """Generate in chunks of the sizer's size, halving it on out-of-memory and retrying.

    Any other error retries the chunk one by one, so only failing samples fail.
    """
    out: list[Response] = []
    start = 0
    while start < len(requests):
        chunk = requests[start : start + sizer.size]
        try:
            out.extend(_generate(adapter, chunk))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if is_out_of_memory(exc) and sizer.shrink(exc):
                continue  # the same requests again, in smaller chunks
            out.extend(_after_failure(adapter, chunk, exc))
        start += len(chunk)
    return out


def _after_failure(
    adapter: ModelAdapter, requests: Sequence[Request], exc: Exception
) -> list[Response]:
    """A batch that raised `exc`: retry its requests one by one; a single request fails."""
    if len(requests) == 1:
        return [_failed(requests[0], exc)]
    log.warning("batch of %d failed (%s); retrying one by one", len(requests), exc)
    out: list[Response] = []
    for q in requests:
        try:
            out.extend(_generate(adapter, [q]))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as one:
            out.append(_failed(q, one))
    return out


def _failed(request: Request, exc: Exception) -> Response:
    return Response(
        sample_id=request.sample_id, error=f"{type(exc).__name__}: {exc}", error_stage="generate"
    )
