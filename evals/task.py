"""The task definition: a small declarative record that says what to read, ask and score."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import UserError
from evals.subset import hashed_subset
from evals.types import Decoding, Modality, Request, Sample

Reader = Callable[..., Iterator[Sample]]


class DataNotFoundError(UserError, FileNotFoundError):
    """The data a task needs is not where it was looked for; the message says where and what."""

    def __str__(self) -> str:
        return str(self.args[0])


DATA_HOME_ENV = "ANYBENCH_DATA"
DEFAULT_DATA_HOME = "~/data"


@dataclass(frozen=True)
class DataSource:
    """Where a task's data lives by default and how to read it.

    The path read is, in order: an explicit `--data TASK=PATH`; else `$<root_env>/<subpath>`;
    else `path` (a single file or folder); else `$ANYBENCH_DATA/<root>/<subpath>` (ANYBENCH_DATA
    defaults to ~/data). A source with none of root, root_env and path needs `--data`.
    """

    reader: Reader
    """`reader(path, **options)` yields samples, streaming; raises DataNotFoundError."""
    root: str = ""
    """Dataset folder name under the data home, e.g. `LibriSpeech`."""
    root_env: str = ""
    """Environment variable naming the dataset root, e.g. `ANYBENCH_LIBRISPEECH`."""
    subpath: str = ""
    """Split or file inside the root, e.g. `test-clean`."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Keyword options for the reader (clip length, prompt length, ...)."""
    path: str = ""
    """A fixed default location (one file or folder), used when no root is set by environment."""

    def resolve(self, override: str | os.PathLike | None = None) -> Path:
        """The path to read for this task (see the class docstring for the order)."""
        env_root = os.environ.get(self.root_env) if self.root_env else None
        if override:
            raw = str(override)
        elif env_root or (self.root and not self.path):
            home = os.environ.get(DATA_HOME_ENV, DEFAULT_DATA_HOME)
            root = env_root or os.path.join(home, self.root)
            raw = os.path.join(root, self.subpath) if self.subpath else root
        elif self.path:
            raw = self.path
        else:
            raise DataNotFoundError(f"this task has no default data location: {self.where()}")
        return Path(os.path.expandvars(os.path.expanduser(raw)))

    def where(self) -> str:
        """How to point the task at its data, for help texts and errors."""
        sub = f"/{self.subpath}" if self.subpath else ""
        ways = ["--data TASK=PATH"]
        if self.root_env:
            ways.append(f"${self.root_env}{f'[{sub}]' if sub else ''}")
        if self.path:
            ways.append(f"default {self.path}")
        elif self.root:
            ways.append(f"${DATA_HOME_ENV}/{self.root}{sub}")
        return "set with " + ", ".join(ways[:-1]) + (" or " if len(ways) > 1 else "") + ways[-1]


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
    input: Modality
    """The modality the model is given (besides instructions and prompts)."""
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

    def samples(
        self, path: str | os.PathLike | None = None, limit: int | None = None, seed: int = 0
    ) -> Iterator[Sample]:
        """Stream the task's samples; `limit` draws the same seeded subset every time."""
        stream = self.data.reader(self.data.resolve(path), **dict(self.data.options))
        return hashed_subset(stream, limit, seed) if limit is not None else stream

    def request(self, sample: Sample, decoding: Decoding) -> Request:
        return self.build_request(self, sample, decoding)

    @property
    def direction(self) -> tuple[Modality, Modality]:
        return (self.input, self.output)
