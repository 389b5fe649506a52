"""Which metric presets a task is scored with, checked before generation and before scoring.

A preset declares the task directions it can score (`MetricPreset.directions`); a task scores
its own presets plus any added by `--metrics`. Unknown names and presets that do not fit a task
fail here, in one line, before anything is generated or written.
"""

from __future__ import annotations

from collections.abc import Sequence

from evals.errors import UserError
from evals.registry import METRICS
from evals.types import Modality


class MetricFitError(UserError, ValueError):
    """A metric preset that cannot score a task (its outputs or references do not match)."""


def presets_for(
    task: str,
    direction: tuple[Modality, Modality] | None,
    defaults: Sequence[str],
    added: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The task's presets: `defaults`, then `added` ones not among them; every one known, and
    each added one fitting the task's direction (None: the task is unknown here, fit not
    checked). Defaults are the task's own choice, already fitting or deliberately kept."""
    names = tuple(dict.fromkeys([*defaults, *(added or ())]))
    for name in names:
        preset = METRICS.get(name).preset  # unknown names: one line with suggestions
        reason = preset.fit_reason(direction) if direction is not None else None
        if reason is not None and name in (added or ()):
            raise MetricFitError(
                f"--metrics {name} cannot score task {task}: {reason} "
                "(choose the tasks with --tasks, or see `anybench ls metrics -v`)"
            )
    return names
