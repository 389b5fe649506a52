"""The shared shape of a codec round trip: check the input, encode + decode, flag the output.

An input that is silent or shorter than `MIN_INPUT_SECONDS` cannot measure a codec: it fails as an
input error (counted, excluded by the fidelity metrics). A clipped input is processed and noted in
`info`. A silent or clipped reconstruction is returned and flagged `malformed` (counted, scored).
Clips are batched only with clips of the same length, so no clip is ever padded by its batch.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from evals.adapters.audio_io import request_audio
from evals.adapters.base import ModelAdapter, Stopwatch
from evals.audio_checks import AudioCheck, audio_issues, blocking_input_issues
from evals.types import Audio, Request, Response

MIN_INPUT_SECONDS = 0.5
INPUT_CHECK = AudioCheck(min_seconds=MIN_INPUT_SECONDS)


def same_length_groups(clips: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices of clips grouped by length, in first-seen order."""
    groups: dict[int, list[int]] = {}
    for i, clip in enumerate(clips):
        groups.setdefault(len(clip), []).append(i)
    return list(groups.values())


class RoundTripAdapter(ModelAdapter):
    """A tokenizer + de-tokenizer pair behind the model protocol (audio in, the same audio out)."""

    @property
    @abstractmethod
    def sample_rate(self) -> int:
        """Rate the codec reads and writes."""

    @abstractmethod
    def reconstruct(self, clips: list[np.ndarray], requests: list[Request]) -> list[np.ndarray]:
        """Decoded audio for equal-length mono clips at `sample_rate` (same order)."""

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        clock = Stopwatch()
        clips = [request_audio(r, self.sample_rate) for r in requests]
        rejected = {
            i: issues
            for i, c in enumerate(clips)
            if (issues := blocking_input_issues(c, self.sample_rate, INPUT_CHECK))
        }
        usable = [i for i in range(len(requests)) if i not in rejected]
        decoded: dict[int, np.ndarray] = {}
        for group in same_length_groups([clips[i] for i in usable]):
            idx = [usable[j] for j in group]
            outs = self.reconstruct([clips[i] for i in idx], [requests[i] for i in idx])
            decoded.update(zip(idx, outs))
        per = clock.per_sample(len(requests))
        return [
            self._response(r, clips[i], decoded.get(i), rejected.get(i), per)
            for i, r in enumerate(requests)
        ]

    def _response(
        self,
        request: Request,
        clip: np.ndarray,
        out: np.ndarray | None,
        rejected: list[str] | None,
        seconds: float,
    ) -> Response:
        if rejected:
            return Response(
                request.sample_id,
                error="input audio unusable for a round trip: " + "; ".join(rejected),
                error_stage="input",
            )
        samples = np.ascontiguousarray(np.asarray(out, dtype=np.float32)[: len(clip)])
        info: dict[str, Any] = {"input_seconds": len(clip) / self.sample_rate}
        clipped_in = [i for i in audio_issues(clip, self.sample_rate) if i.startswith("clipped")]
        if clipped_in:
            info["input_issues"] = clipped_in
        issues = audio_issues(samples, self.sample_rate)
        return Response(
            request.sample_id,
            Audio(samples=samples, sample_rate=self.sample_rate, kind=request.output),
            malformed="; ".join(f"output {i}" for i in issues) or None,
            timings={"generate": seconds},
            info=info,
        )
