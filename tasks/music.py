"""MusicCaps request hook and data source, shared by the MusicCaps task files and round trips.

The tasks themselves are `tasks/configs/musiccaps-t2m.yaml` and `musiccaps-caption.yaml`. The
clip is the first 5 s of each 10 s MusicCaps segment (AnyGPT's music is 5 s: 250 Encodec
frames); rows whose clip is missing, unreadable or too short fail as input errors, so every task
and model is scored on the same rows (see evals.datasets.musiccaps).
"""

from __future__ import annotations

from evals.datasets.musiccaps import read_musiccaps
from evals.errors import SampleError
from evals.task import DataSource, Task, default_request
from evals.types import Decoding, Request, Sample

CLIP_SECONDS = 5.0


def clip_request(task: Task, sample: Sample, decoding: Decoding) -> Request:
    """The dataset's request, or an input error when the sample's clip cannot be used."""
    problem = sample.metadata.get("problem")
    if problem:
        raise SampleError(problem)
    return default_request(task, sample, decoding)


def musiccaps(given: str) -> DataSource:
    return DataSource(
        read_musiccaps,
        root="MusicCaps",
        root_env="ANYBENCH_MUSICCAPS",
        options={"input": given, "clip_seconds": CLIP_SECONDS, "clip_offset": 0.0},
    )
