"""The typed records that cross module boundaries: parts, samples, requests and responses.

All records are frozen. Media parts hold either a file path or in-memory samples/pixels; the run
store writes in-memory media to content-addressed files, so logs never inline media.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np


class Modality(str, enum.Enum):
    """What a part carries. Speech and music are both audio, but models tokenize them apart."""

    TEXT = "text"
    IMAGE = "image"
    SPEECH = "speech"
    MUSIC = "music"
    AUDIO = "audio"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Text:
    """A piece of text."""

    text: str
    """The text itself, unnormalized."""

    modality: ClassVar[Modality] = Modality.TEXT


@dataclass(frozen=True, eq=False)
class Image:
    """An image, as a file or as an RGB array."""

    path: str | None = None
    """Image file (any format Pillow reads); None when `array` is given."""
    array: np.ndarray | None = field(default=None, repr=False)
    """H x W x 3 uint8 RGB pixels; None when `path` is given."""

    modality: ClassVar[Modality] = Modality.IMAGE

    def __post_init__(self) -> None:
        if (self.path is None) == (self.array is None):
            raise ValueError("Image needs exactly one of path= or array=")


@dataclass(frozen=True, eq=False)
class Audio:
    """A mono audio clip, as a file segment or as samples."""

    path: str | None = None
    """Audio file (WAV, FLAC, OGG, ... as libsndfile reads); None when `samples` is given."""
    samples: np.ndarray | None = field(default=None, repr=False)
    """1-D float32 samples in [-1, 1]; None when `path` is given."""
    sample_rate: int | None = None
    """Sample rate of `samples` (required with them); for files, read from the file."""
    kind: Modality = Modality.SPEECH
    """Speech, music or general audio: any-to-any models tokenize each differently."""
    offset: float = 0.0
    """Start of the segment in the file, seconds."""
    duration: float | None = None
    """Length of the segment in seconds; None means to the end of the file."""

    def __post_init__(self) -> None:
        if (self.path is None) == (self.samples is None):
            raise ValueError("Audio needs exactly one of path= or samples=")
        if self.samples is not None and not self.sample_rate:
            raise ValueError("Audio(samples=...) needs sample_rate=")

    @property
    def modality(self) -> Modality:
        return self.kind


@dataclass(frozen=True)
class Tokens:
    """Discrete token ids of one modality, as a tokenizer produced them."""

    modality: Modality
    """The modality the ids encode."""
    ids: tuple[int, ...]
    """Flat id sequence in the tokenizer's own layout."""


Part = Text | Image | Audio | Tokens


@dataclass(frozen=True)
class Sample:
    """One evaluation item as a dataset yields it."""

    id: str
    """Stable, unique within the task; used for resume, sharding and pairing runs."""
    inputs: tuple[Part, ...]
    """What the model is given."""
    references: tuple[Part, ...] = ()
    """Ground truth in any modality (several captions, a transcript, the real audio)."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Speaker, duration, source file and other facts; read-only by convention."""


@dataclass(frozen=True)
class Decoding:
    """How to decode: a named preset the adapter knows, plus a seed and explicit overrides."""

    preset: str = "default"
    """Named set of decoding parameters, e.g. `anygpt-paper`; adapters list the ones they know."""
    seed: int = 0
    """Per-sample seed, derived from the run seed and the sample id (batch-independent)."""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    """Explicit parameters that win over the preset (e.g. `num_beams`)."""


@dataclass(frozen=True)
class Request:
    """What a task asks a model for one sample."""

    task: str
    """Name of the task that built the request."""
    sample_id: str
    """The sample this request is for."""
    inputs: tuple[Part, ...]
    """Input parts, media already validated and loaded into memory by the runner."""
    output: Modality
    """The modality wanted back."""
    decoding: Decoding = field(default_factory=Decoding)
    """Decoding preset, seed and overrides."""
    voice_prompt: Audio | None = None
    """Speaker prompt for zero-shot speech generation."""
    references: tuple[Part, ...] = ()
    """Held-out ground truth; filled only for adapters that declare `reads_references`."""

    @property
    def direction(self) -> tuple[Modality, Modality]:
        """(input modality, output modality); the first non-text input decides the input side."""
        media = [p.modality for p in self.inputs if p.modality is not Modality.TEXT]
        return (media[0] if media else Modality.TEXT, self.output)


class Status(str, enum.Enum):
    """How a sample ended, for integrity counts."""

    OK = "ok"
    EMPTY = "empty"
    MALFORMED = "malformed"
    FAILED = "failed"
    INPUT_ERROR = "input_error"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Response:
    """What a model returned for one request."""

    sample_id: str
    """The sample this answers."""
    output: Part | None = None
    """The output part; None when generation failed or produced nothing usable."""
    error: str | None = None
    """Why there is no output (exception text, parse failure); None on success."""
    error_stage: str | None = None
    """Where it failed: `input` (sample unreadable), `generate` (model raised), `output` (parse)."""
    malformed: str | None = None
    """Reason the raw output broke the expected format but something was salvaged."""
    text: str | None = None
    """Raw decoded text where the model has it (before output parsing)."""
    token_ids: tuple[int, ...] | None = None
    """Generated token ids where the model has them."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds spent per stage (e.g. `generate`, `decode_audio`), this sample's share."""
    info: Mapping[str, Any] = field(default_factory=dict)
    """Adapter-specific facts worth keeping (instruction used, voice, parse notes)."""
    flags: tuple[str, ...] = ()
    """Quality flags that leave the status as it is but are counted in the integrity counts:
    names from `FLAGS` (e.g. `truncated`: generation stopped at its token budget)."""

    @property
    def status(self) -> Status:
        if self.error is not None:
            return Status.INPUT_ERROR if self.error_stage == "input" else Status.FAILED
        if self.malformed is not None:
            return Status.MALFORMED
        if is_empty(self.output):
            return Status.EMPTY
        return Status.OK


FLAGS = ("truncated", "degenerate")
"""Known `Response.flags`: `truncated` (generation stopped at `max_new_tokens`), `degenerate`
(input too short or silent to be a fair test, e.g. a 0.05 s ASR clip). Each has a count in
`Integrity`."""


def is_empty(part: Part | None) -> bool:
    """True for a missing part, blank text, zero-length audio or an empty token list."""
    if part is None:
        return True
    if isinstance(part, Text):
        return not part.text.strip()
    if isinstance(part, Audio):
        return part.samples is not None and part.samples.size == 0
    if isinstance(part, Tokens):
        return not part.ids
    return False
