"""Running the CLI in-process on a small manifest, for the run-state and fault-injection tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tests.fakes  # noqa: F401  (registers the test models)
from evals.cli.main import main


@dataclass(frozen=True)
class Outcome:
    """What one CLI call gave."""

    code: int
    """Exit status."""
    out: str
    """Standard output."""
    err: str
    """Standard error."""


def cli(capsys, *args: str) -> Outcome:
    """`anybench ARGS` in this process (the test models registered)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse rejects bad option values this way
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def run_args(out: Path, data: Path, *extra: str, model: str = "test-echo") -> list[str]:
    """`run` of manifest-asr on `data` into `out/r`, quietly, with a small bootstrap."""
    return [
        "run",
        "--model",
        model,
        "--tasks",
        "manifest-asr",
        "--data",
        f"manifest-asr={data}",
        "--out",
        str(out),
        "--run-id",
        "r",
        "--no-progress",
        "--bootstrap",
        "50",
        *extra,
    ]


def results(run: Path) -> dict[str, Any]:
    return json.loads((run / "results.json").read_text())


def log_ids(run: Path, task: str = "manifest-asr") -> list[str]:
    path = run / "predictions" / f"{task}.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(x)["sample_id"] for x in lines]
