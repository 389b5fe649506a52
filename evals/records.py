"""JSON forms of parts, samples, requests and responses, as the run store writes them.

In-memory media are written to the artifact folder first and referenced by content hash
(`{"type": "audio", "artifact": "<sha256>.wav"}`); file media keep their path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.types import Audio, Decoding, Image, Modality, Part, Response, Sample, Text, Tokens

ArtifactWriter = Callable[[bytes, str], str]
"""(data, extension) -> artifact file name, written atomically under the run's artifacts/."""


def part_to_json(part: Part, put: ArtifactWriter | None = None) -> dict[str, Any]:
    if isinstance(part, Text):
        return {"type": "text", "text": part.text}
    if isinstance(part, Tokens):
        return {"type": "tokens", "modality": part.modality.value, "ids": list(part.ids)}
    if isinstance(part, Audio):
        out: dict[str, Any] = {"type": "audio", "kind": part.kind.value}
        if part.samples is not None:
            if part.samples.size == 0:  # kept as an explicit empty output, scored by policy
                return {**out, "empty": True, "sample_rate": part.sample_rate}
            if put is None:
                raise ValueError("in-memory audio needs an artifact writer")
            from evals.media import audio_to_wav_bytes, load_audio

            samples, rate = load_audio(part)
            out["artifact"] = put(audio_to_wav_bytes(samples, rate), "wav")
            return out
        out["path"] = str(part.path)
        if part.offset:
            out["offset"] = part.offset
        if part.duration is not None:
            out["duration"] = part.duration
        return out
    if isinstance(part, Image):
        if part.array is not None:
            if put is None:
                raise ValueError("in-memory image needs an artifact writer")
            from evals.media import image_to_png_bytes

            return {"type": "image", "artifact": put(image_to_png_bytes(part.array), "png")}
        return {"type": "image", "path": str(part.path)}
    raise TypeError(f"not a part: {type(part).__name__}")


def part_from_json(data: Mapping[str, Any], artifacts: Path | None = None) -> Part:
    kind = data.get("type")
    if kind == "text":
        return Text(data["text"])
    if kind == "tokens":
        return Tokens(Modality(data["modality"]), tuple(int(i) for i in data["ids"]))
    if kind == "audio" and data.get("empty"):
        import numpy as np

        rate = int(data.get("sample_rate") or 16000)
        return Audio(samples=np.zeros(0, np.float32), sample_rate=rate, kind=Modality(data["kind"]))
    if kind in ("audio", "image"):
        if "artifact" in data:
            if artifacts is None:
                raise ValueError("artifact reference needs the run's artifacts folder")
            path = str(artifacts / data["artifact"])
        else:
            path = data["path"]
        if kind == "image":
            return Image(path=path)
        return Audio(
            path=path,
            kind=Modality(data.get("kind", "speech")),
            offset=float(data.get("offset", 0.0)),
            duration=data.get("duration"),
        )
    raise ValueError(f"unknown part type {kind!r}")


def parts_to_json(parts, put: ArtifactWriter | None = None) -> list[dict[str, Any]]:
    return [part_to_json(p, put) for p in parts]


def parts_from_json(items, artifacts: Path | None = None) -> tuple[Part, ...]:
    return tuple(part_from_json(d, artifacts) for d in items)


@dataclass(frozen=True)
class PredictionRecord:
    """One line of a predictions log: the sample as read, what was asked, what came back."""

    task: str
    """Task name."""
    sample: Sample
    """The sample as the dataset gave it (media as paths), references and metadata included."""
    output: Modality
    """Output modality requested."""
    decoding: Decoding
    """Decoding preset and seed used."""
    response: Response
    """The model's response (media as artifact files)."""
    voice_prompt: Audio | None = None
    """Voice prompt given, if any (as a file segment)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Runner facts: rank, batch index, wall time."""

    @property
    def sample_id(self) -> str:
        return self.sample.id


def record_to_json(rec: PredictionRecord, put: ArtifactWriter) -> dict[str, Any]:
    r = rec.response
    return {
        "task": rec.task,
        "sample_id": rec.sample.id,
        "sample": {
            "inputs": parts_to_json(rec.sample.inputs, put),
            "references": parts_to_json(rec.sample.references, put),
            "metadata": dict(rec.sample.metadata),
        },
        "request": {
            "output": rec.output.value,
            "decoding": {
                "preset": rec.decoding.preset,
                "seed": rec.decoding.seed,
                "overrides": dict(rec.decoding.overrides),
            },
            "voice_prompt": part_to_json(rec.voice_prompt, put) if rec.voice_prompt else None,
        },
        "response": {
            "status": r.status.value,
            "output": part_to_json(r.output, put) if r.output is not None else None,
            "error": r.error,
            "error_stage": r.error_stage,
            "malformed": r.malformed,
            "text": r.text,
            "token_ids": list(r.token_ids) if r.token_ids is not None else None,
            "timings": dict(r.timings),
            "info": dict(r.info),
            "flags": list(r.flags),
        },
        "extra": dict(rec.extra),
    }


def record_from_json(data: Mapping[str, Any], artifacts: Path) -> PredictionRecord:
    s, q, r = data["sample"], data["request"], data["response"]
    sample = Sample(
        id=data["sample_id"],
        inputs=parts_from_json(s["inputs"], artifacts),
        references=parts_from_json(s["references"], artifacts),
        metadata=s.get("metadata", {}),
    )
    d = q["decoding"]
    response = Response(
        sample_id=data["sample_id"],
        output=part_from_json(r["output"], artifacts) if r.get("output") else None,
        error=r.get("error"),
        error_stage=r.get("error_stage"),
        malformed=r.get("malformed"),
        text=r.get("text"),
        token_ids=tuple(r["token_ids"]) if r.get("token_ids") is not None else None,
        timings=r.get("timings", {}),
        info=r.get("info", {}),
        flags=tuple(r.get("flags") or ()),
    )
    prompt = part_from_json(q["voice_prompt"], artifacts) if q.get("voice_prompt") else None
    return PredictionRecord(
        task=data["task"],
        sample=sample,
        output=Modality(q["output"]),
        decoding=Decoding(d["preset"], int(d["seed"]), d.get("overrides", {})),
        response=response,
        voice_prompt=prompt,  # type: ignore[arg-type]
        extra=data.get("extra", {}),
    )
