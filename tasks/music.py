"""Music generation and understanding on MusicCaps, as in the AnyGPT paper (Section 4, Table 6).

- `musiccaps-t2m`: caption -> music, scored by CLAP(generated music, caption) and FAD to the real
  clips. MusicGen's protocol (audiocraft) uses the music CLAP checkpoint, AnyGPT does not name its
  checkpoint; both are computed.
- `musiccaps-caption`: music -> caption, scored by CLAP(music, generated caption) beside
  CLAP(music, real caption), the reference-side number AnyGPT prints with it.

The clip is the first 5 s of each 10 s MusicCaps segment (AnyGPT's music is 5 s: 250 Encodec
frames); rows whose clip is missing, unreadable or too short fail as input errors, so every task
and model is scored on the same rows (see evals.datasets.musiccaps).
"""

from __future__ import annotations

from evals.datasets.musiccaps import read_musiccaps
from evals.errors import SampleError
from evals.registry import TASKS
from evals.task import DataSource, Task, default_request
from evals.types import Decoding, Modality, Request, Sample

CLIP_SECONDS = 5.0
T2M_METRICS = ("clap@630k-audioset", "clap@music-audioset", "fad@clap-music-audioset")
CAPTION_METRICS = (
    "clap@630k-audioset",
    "clap-ref@630k-audioset",
    "clap@music-audioset",
    "clap-ref@music-audioset",
)


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


PROTOCOL = "AnyGPT Table 6: MusicCaps, CLAP score (checkpoint not named in the paper)"

for _task in (
    Task(
        name="musiccaps-t2m",
        family="text-to-music",
        description="text-to-music on MusicCaps captions (5 s clips); CLAP and FAD to the real clips",
        data=musiccaps("text"),
        input=Modality.TEXT,
        output=Modality.MUSIC,
        metrics=T2M_METRICS,
        build_request=clip_request,
        protocol=PROTOCOL,
    ),
    Task(
        name="musiccaps-caption",
        family="music-caption",
        description="music captioning on MusicCaps (5 s clips); CLAP of generated vs real captions",
        data=musiccaps("music"),
        input=Modality.MUSIC,
        output=Modality.TEXT,
        metrics=CAPTION_METRICS,
        build_request=clip_request,
        protocol=PROTOCOL,
    ),
):
    TASKS.register(_task.name, _task)
