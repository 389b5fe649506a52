"""Argument types and options shared by subcommands (defined once, reused)."""

from __future__ import annotations

import argparse
import re
import signal
import threading

from evals.runner import Shard
from evals.spec import ModelSpec, SpecError


def model_spec(text: str) -> ModelSpec:
    try:
        return ModelSpec.parse(text)
    except SpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def gen_kwargs(text: str) -> dict[str, str]:
    from evals.generation import parse_gen_kwargs

    try:
        return parse_gen_kwargs(text)
    except SpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def batch_size(text: str) -> int | None:
    """A positive integer, or `auto` (None): chosen by the runner, halved on out-of-memory."""
    return None if text.strip().lower() == "auto" else positive_int(text)


def shard(text: str) -> Shard:
    m = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not I/N (e.g. 0/4)")
    try:
        return Shard(int(m.group(1)), int(m.group(2)))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def data_override(text: str) -> tuple[str, str]:
    task, eq, path = text.partition("=")
    if not eq or not task or not path:
        raise argparse.ArgumentTypeError(f"{text!r} is not TASK=PATH")
    return task, path


def csv_list(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("empty list")
    return items


def add_bootstrap(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bootstrap",
        type=positive_int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for confidence intervals (default 1000)",
    )


METRICS_INSTEAD = "score with these metric presets instead of each task's defaults"
METRICS_ADDED = (
    "add these metric presets to those the run was scored with (config.json keeps the union)"
)


def add_metrics(p: argparse.ArgumentParser, help: str = METRICS_INSTEAD) -> None:
    p.add_argument("--metrics", type=csv_list, metavar="PRESET,...", help=help)


def stop_on_sigterm() -> None:
    """Treat SIGTERM (a scheduler's kill, `timeout`, `docker stop`) like Ctrl-C: the run stops
    cleanly between samples with the same message, and resumes with the same command."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    if threading.current_thread() is threading.main_thread():  # signals go to the main thread
        signal.signal(signal.SIGTERM, interrupt)
