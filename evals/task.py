"""The task definition: a small declarative record that says what to read, ask and score."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.subset import hashed_subset
from evals.types import Decoding, Modality, Request, Sample

Reader = Callable[..., Iterator[Sample]]


class DataNotFoundError(FileNotFoundError):
    """The data a task needs is not where it was looked for; the message says where and what."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class DataSource:
    """Where a task's data lives by default and how to read it."""

    reader: Reader
    """`reader(path, **options)` yields samples, streaming; raises DataNotFoundError."""
    default_path: str
    """Default location; `~` and `$VARS` are expanded."""
    env_var: str
    """Environment variable that overrides the default location."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Keyword options for the reader (split, clip length, ...)."""

    def resolve(self, override: str | os.PathLike | None = None) -> Path:
        """The path to read: an explicit override, else the environment variable, else the default."""
        raw = override or os.environ.get(self.env_var) or self.default_path
        return Path(os.path.expandvars(os.path.expanduser(str(raw))))


def default_request(task: Task, sample: Sample, decoding: Decoding) -> Request:
    """Inputs as the dataset gives them; the task's output modality."""
    return Request(
        task=task.name,
        sample_id=sample.id,
        inputs=sample.inputs,
        output=task.output,
        decoding=decoding,
    )


@dataclass(frozen=True)
class Task:
    """A named evaluation: a data source, the request built per sample, and metric presets."""

    name: str
    """Registry name, e.g. `librispeech-asr`."""
    family: str
    """Task family (`asr`, `tts`, `caption`, ...): tasks of a family share metrics and reports."""
    description: str
    """One line for `anybench ls tasks`."""
    data: DataSource
    """Where the samples come from."""
    output: Modality
    """The modality the model must produce."""
    metrics: tuple[str, ...]
    """Metric preset names; the first is the headline metric."""
    version: str = "1"
    """Bumped when prompts, data selection or request building change results."""
    build_request: Callable[[Task, Sample, Decoding], Request] = default_request
    """Builds the request for one sample (add a voice prompt, an instruction, ...)."""
    protocol: str = ""
    """Which published protocol this follows (paper, section), for reports."""

    def samples(self, path: str | os.PathLike | None = None, limit: int | None = None, seed: int = 0) -> Iterator[Sample]:
        """Stream the task's samples; `limit` draws the same seeded subset every time."""
        stream = self.data.reader(self.data.resolve(path), **dict(self.data.options))
        return hashed_subset(stream, limit, seed) if limit is not None else stream

    def request(self, sample: Sample, decoding: Decoding) -> Request:
        return self.build_request(self, sample, decoding)

    @property
    def identity(self) -> dict[str, str]:
        """What must match for two runs of this task to be comparable sample by sample."""
        return {"name": self.name, "version": self.version}
