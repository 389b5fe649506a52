"""The model adapter protocol: what it serves (capabilities) and batched `generate`."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from evals.spec import ModelSpec, parse_options
from evals.types import Modality, Request, Response, Text


@dataclass(frozen=True)
class NoOptions:
    """An adapter without options."""


class ModelAdapter(ABC):
    """One model behind one interface. Subclasses set the class attributes and `generate`."""

    capabilities: ClassVar[frozenset[tuple[Modality, Modality]]] = frozenset()
    """(input modality, output modality) pairs served, e.g. (SPEECH, TEXT) for ASR."""
    Options: ClassVar[type] = NoOptions
    """Frozen dataclass of the adapter's options, parsed from the model spec."""
    reads_references: ClassVar[bool] = False
    """Ground-truth pseudo-models set this to receive the held-out references in requests."""
    decoding_presets: ClassVar[tuple[str, ...]] = ("default",)
    """Named decoding presets this adapter knows; the first is its default."""
    generation_options: ClassVar[type | None] = None
    """Dataclass of the decoding parameters `--gen-kwargs` may override (evals.generation);
    None: the adapter takes no overrides."""

    def __init__(self, options: Any = None):
        self.options = options if options is not None else self.Options()

    @classmethod
    def from_spec(cls, spec: ModelSpec) -> ModelAdapter:
        return cls(parse_options(cls.Options, spec.options, f"model {spec.name}"))

    def unavailable_reason(self, direction: tuple[Modality, Modality]) -> str | None:
        """Why this (loaded) model cannot serve a direction, or None if it can."""
        return self.capability_reason(direction)

    @classmethod
    def capability_reason(cls, direction: tuple[Modality, Modality]) -> str | None:
        """Why the adapter class cannot serve a direction (checked before loading), or None."""
        if direction in cls.capabilities:
            return None
        served = (
            ", ".join(sorted(f"{a.value}->{b.value}" for a, b in cls.capabilities)) or "nothing"
        )
        return f"it serves {served}"

    @abstractmethod
    def generate(self, requests: Sequence[Request]) -> list[Response]:
        """One response per request, in order. Raise only for errors that hit the whole batch."""

    def describe(self) -> dict[str, Any]:
        """Facts for provenance: checkpoint, revision, device, dtype."""
        return {}

    def report(self) -> dict[str, Any]:
        """Facts learned while generating (e.g. unmatched prediction ids), saved with the run."""
        return {}

    def close(self) -> None:
        """Release models and devices."""


class Stopwatch:
    """Measures one stage and spreads its time over the batch's samples."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def per_sample(self, n: int) -> float:
        return (time.perf_counter() - self.t0) / max(n, 1)


def transcribe_each(
    requests: Sequence[Request], transcribe: Callable[[Request], str]
) -> list[Response]:
    """One timed transcript per request, for engines that decode an utterance at a time."""
    out = []
    for req in requests:
        clock = Stopwatch()
        text = transcribe(req)
        timings = {"generate": clock.per_sample(1)}
        out.append(Response(req.sample_id, Text(text), text=text, timings=timings))
    return out


def resolve_device(device: str) -> str:
    """`auto` means CUDA when available, else CPU; a bare `cuda` is the current CUDA device, with
    its index (under torchrun, the local rank's: `evals.distributed` selects it before loading)."""
    if device not in ("auto", "cuda"):
        return device
    try:
        import torch
    except ImportError:
        return "cpu" if device == "auto" else device
    if not torch.cuda.is_available():
        return "cpu" if device == "auto" else device
    return f"cuda:{torch.cuda.current_device()}"


def settings_groups(
    requests: Sequence[Request], settings: Callable[[Request], dict[str, Any]]
) -> list[tuple[dict[str, Any], list[int]]]:
    """(settings, request indices) per distinct `settings(request)`, in first-seen order: one
    generate call per decoding setting in a batch."""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for i, r in enumerate(requests):
        s = settings(r)
        groups.setdefault(repr(sorted(s.items())), (s, []))[1].append(i)
    return list(groups.values())
