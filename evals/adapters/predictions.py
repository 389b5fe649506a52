"""Precomputed outputs as a model: score any external system without running it here.

`path` is a JSONL file (or a folder of `<task>.jsonl` files), one object per sample:

    {"id": "1089-134686-0000", "text": "he hoped there would be stew"}
    {"id": "p225_003", "audio": "wavs/p225_003.wav"}
    {"id": "42", "image": "images/42.png"}

Relative media paths are resolved against `media` (default: the file's folder). An optional
`task` field restricts a line to one task. A sample with no line fails as "no prediction" and is
scored by the task's failure policy; lines whose id matches no sample are reported, and so are
the samples that had no line.

A COCO caption results file (`[{"image_id": 42, "caption": "..."}]`, evals.adapters.coco_results)
is read as text predictions keyed by image id; the reader is chosen by the file's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.adapters.base import ModelAdapter
from evals.adapters.coco_results import is_coco_results, load_coco_results
from evals.errors import UserError
from evals.jsonl import iter_objects
from evals.registry import MODELS
from evals.spec import SpecError
from evals.types import Audio, Image, Modality, Request, Response, Text


class PredictionsFileError(UserError, ValueError):
    """A predictions file that cannot be read; names file and line."""


@dataclass(frozen=True)
class PredictionsOptions:
    path: str = ""
    """JSONL file of outputs, or a folder with one `<task>.jsonl` per task."""
    media: str | None = None
    """Folder that relative media paths are resolved against (default: the JSONL's folder)."""


def _load(path: Path, media: Path | None) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    base = media or path.parent
    for lineno, row in iter_objects(path, PredictionsFileError):
        if "id" not in row:
            raise PredictionsFileError(f"{path}:{lineno}: missing field `id`")
        for field in ("audio", "image"):
            if row.get(field) and not Path(row[field]).is_absolute():
                row[field] = str(base / row[field])
        key = f"{row.get('task', '')}\0{row['id']}"
        if key in lines:
            raise PredictionsFileError(
                f"{path}:{lineno}: duplicate id {str(row['id'])!r} (also on line {lines[key]}); "
                "keep one prediction per sample"
            )
        lines[key] = lineno
        rows[key] = row
    return rows


MISSING_EXAMPLES = 100


@MODELS.register("predictions")
class PredictionsAdapter(ModelAdapter):
    """Reads precomputed outputs (text, audio or image per sample id) from JSONL + media."""

    capabilities = frozenset((a, b) for a in Modality for b in Modality)
    Options = PredictionsOptions

    def __init__(self, options: PredictionsOptions | None = None):
        super().__init__(options)
        if not self.options.path:
            raise SpecError("model predictions needs path=<file.jsonl or folder>")
        self.root = Path(self.options.path)
        if not self.root.exists():
            raise FileNotFoundError(f"predictions: {self.root} does not exist")
        self.media = Path(self.options.media) if self.options.media else None
        self._tables: dict[str, dict[str, dict[str, Any]]] = {}
        self._used: dict[str, set[str]] = {}
        self._missing: dict[str, list[str]] = {}
        # one file serves every task: read (and check) it now, before the run folder is touched
        self._file = self._read(self.root) if self.root.is_file() else None

    def _read(self, path: Path) -> dict[str, dict[str, Any]]:
        read = load_coco_results if is_coco_results(path) else _load
        return read(path, self.media)

    def table(self, task: str) -> dict[str, dict[str, Any]]:
        if task not in self._tables and self._file is not None:
            self._tables[task] = self._file
        if task not in self._tables:
            path = self.root / f"{task}.jsonl"
            if not path.is_file():
                path = self.root / f"{task}.json"  # e.g. a COCO results file per task
            if not path.is_file():
                raise FileNotFoundError(
                    f"predictions: no {task}.jsonl or {task}.json in {self.root} for task {task}"
                )
            self._tables[task] = self._read(path)
        return self._tables[task]

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        out = []
        for req in requests:
            table = self.table(req.task)
            row = table.get(f"{req.task}\0{req.sample_id}") or table.get(f"\0{req.sample_id}")
            if row is None:
                self._missing.setdefault(req.task, []).append(req.sample_id)
                out.append(
                    Response(
                        req.sample_id,
                        error="no prediction for this sample id",
                        error_stage="generate",
                    )
                )
                continue
            self._used.setdefault(req.task, set()).add(req.sample_id)
            out.append(self._response(req, row))
        return out

    def _response(self, req: Request, row: dict[str, Any]) -> Response:
        if req.output is Modality.TEXT:
            if not isinstance(row.get("text"), str):
                return Response(
                    req.sample_id,
                    error="prediction line has no `text` string",
                    error_stage="output",
                )
            return Response(req.sample_id, Text(row["text"]), text=row["text"])
        field = "image" if req.output is Modality.IMAGE else "audio"
        if not row.get(field):
            return Response(
                req.sample_id, error=f"prediction line has no `{field}` path", error_stage="output"
            )
        part = (
            Image(path=row[field]) if field == "image" else Audio(path=row[field], kind=req.output)
        )
        from evals.media import MediaError, materialize_audio, materialize_image

        try:  # validate now so a corrupt file is this sample's failure, named
            part = materialize_image(part) if field == "image" else materialize_audio(part)
        except MediaError as exc:
            return Response(req.sample_id, error=str(exc), error_stage="output")
        return Response(req.sample_id, part, info={"source": row[field]})

    def report(self) -> dict[str, Any]:
        """Ids in the predictions that no sample asked for (first 20 shown) and samples that had
        no prediction (first 100), per task."""
        unused = {}
        for task, table in self._tables.items():
            ids = {k.split("\0", 1)[1] for k in table} - self._used.get(task, set())
            if ids:
                unused[task] = {"count": len(ids), "examples": sorted(ids)[:20]}
        missing = {
            task: {"count": len(ids), "examples": ids[:MISSING_EXAMPLES]}
            for task, ids in self._missing.items()
        }
        return {"unmatched_prediction_ids": unused, "missing_prediction_ids": missing}

    def describe(self) -> dict[str, Any]:
        return {"engine": "precomputed predictions", "path": str(self.root.resolve())}
