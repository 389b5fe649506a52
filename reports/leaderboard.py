"""Leaderboards: many checkpoints ranked per task and overall.

Per task, one headline metric (the task's first preset unless chosen) ranks the systems,
direction-aware, ties sharing the average rank. Overall, a system's score is the mean of its
per-task ranks over the tasks it was evaluated on; systems evaluated on fewer tasks are listed
after those with more (a mean over fewer tasks is not comparable). Ground-truth rows are shown
but never ranked. Values scored under different protocols are never ranked together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from evals.errors import UserError
from evals.results import RunResults
from reports.columns import Column, MixedProtocolError, build_columns, lookup
from reports.fmt import digits_for, is_number
from reports.footnotes import footnotes
from reports.grid import Cell, Grid, Header, text_cell
from reports.runs import is_reference, labels

AGGREGATE = (
    "Overall: the mean of a system's per-task ranks (1 = best; ties share the average rank) over "
    "the tasks it was evaluated on; systems evaluated on fewer tasks are listed after those with "
    "more; equal scores share a place. Each task is ranked by its headline metric (in the "
    "header), direction-aware."
)


class LeaderboardError(UserError, ValueError):
    """The runs cannot be ranked (no shared task, unknown metric choice)."""


@dataclass(frozen=True)
class Standing:
    """One system on the board."""

    row: int
    """Index of the run."""
    name: str
    """Display name."""
    reference: bool
    """Ground truth: shown, not ranked."""
    ranks: Mapping[str, float]
    """Rank per task (absent where not evaluated)."""
    mean_rank: float | None
    """Mean of `ranks` (None when not ranked anywhere)."""
    position: int | None
    """Place on the board (1-based, shared by ties; None for ground truth and unranked)."""
    coverage: int
    """Tasks of the board the system has a value for."""


@dataclass(frozen=True)
class Board:
    """A ranked leaderboard."""

    runs: tuple[RunResults, ...]
    columns: tuple[Column, ...]
    """The headline column of each task."""
    standings: tuple[Standing, ...]
    """In board order: ranked systems, then unranked, then ground truth."""
    notes: tuple[str, ...]


def average_ranks(values: Sequence[tuple[int, float]], higher_is_better: bool) -> dict[int, float]:
    """Rank (1 = best) per row; ties get the mean of the ranks they span."""
    ordered = sorted(values, key=lambda rv: -rv[1] if higher_is_better else rv[1])
    ranks: dict[int, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k][0]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def headline_metrics(
    runs: Sequence[RunResults], chosen: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Task -> metric preset: the chosen one, else the task's first preset in the first run."""
    chosen = dict(chosen or {})
    tasks = list(dict.fromkeys(t for run in runs for t in run.tasks))
    unknown = sorted(set(chosen) - set(tasks))
    if unknown:
        raise LeaderboardError(
            f"--metric for task(s) no run has: {', '.join(unknown)} (tasks: {', '.join(tasks)})"
        )
    out = {}
    for task in tasks:
        if task in chosen:
            if not any(task in r.tasks and chosen[task] in r.tasks[task].metrics for r in runs):
                raise LeaderboardError(f"no run scored {task} with {chosen[task]}")
            out[task] = chosen[task]
            continue
        first = next(run.tasks[task] for run in runs if task in run.tasks)
        if first.metrics:
            out[task] = next(iter(first.metrics))
    return out


def leaderboard(runs: Sequence[RunResults], metrics: Mapping[str, str] | None = None) -> Board:
    """Rank the runs; `metrics` picks a headline preset per task (default: the first)."""
    names = labels(runs)
    heads = headline_metrics(runs, metrics)
    headline_runs = [_only(run, heads) for run in runs]
    try:
        columns, _ = build_columns(headline_runs, names, mixed="refuse")
    except MixedProtocolError as exc:
        raise LeaderboardError(
            f"cannot rank: {exc}; or rank by another preset with --metric TASK=PRESET"
        ) from None
    if not columns:
        raise LeaderboardError("no run has a value to rank")
    notes = [AGGREGATE]
    ranks: dict[int, dict[str, float]] = {i: {} for i in range(len(runs))}
    for col in columns:
        values = []
        for i, run in enumerate(runs):
            m = lookup(run, col)
            if m is not None and is_number(m.value) and not is_reference(run):
                values.append((i, float(m.value)))
        for i, r in average_ranks(values, col.higher_is_better).items():
            ranks[i][col.task] = r
    for i, run in enumerate(runs):
        lacking = [t for t, p in heads.items() if t in run.tasks and p not in run.tasks[t].metrics]
        if lacking:
            notes.append(
                f"{names[i]} has no {', '.join(heads[t] for t in lacking)}: not ranked there"
            )
    standings = [
        Standing(
            i,
            names[i],
            is_reference(run),
            ranks[i],
            sum(ranks[i].values()) / len(ranks[i]) if ranks[i] else None,
            None,
            sum(_has_value(run, col) for col in columns),
        )
        for i, run in enumerate(runs)
    ]
    ranked = sorted(
        (s for s in standings if not s.reference and s.mean_rank is not None),
        key=lambda s: (-s.coverage, s.mean_rank, s.name),
    )
    rest = [s for s in standings if not s.reference and s.mean_rank is None]
    refs = [s for s in standings if s.reference]
    placed: list[Standing] = []
    for k, s in enumerate(ranked):
        prev = placed[-1] if placed else None
        tied = prev is not None and (prev.coverage, prev.mean_rank) == (s.coverage, s.mean_rank)
        position = prev.position if tied and prev is not None else k + 1
        placed.append(replace(s, position=position))
    if refs:
        notes.append("Ground-truth rows are shown for reference and not ranked.")
    return Board(tuple(runs), tuple(columns), tuple(placed + rest + refs), tuple(notes))


def _has_value(run: RunResults, col: Column) -> bool:
    m = lookup(run, col)
    return m is not None and is_number(m.value)


def _only(run: RunResults, heads: Mapping[str, str]) -> RunResults:
    """The run with each task cut down to its headline metric."""
    tasks = {
        t: replace(tr, metrics={heads[t]: tr.metrics[heads[t]]})
        for t, tr in run.tasks.items()
        if t in heads and heads[t] in tr.metrics
    }
    return replace(run, tasks=tasks)


def board_grid(board: Board, title: str = "Leaderboard") -> Grid:
    notes_by_col = footnotes(board.runs, board.columns)
    headers = [
        Header("rank", numeric=True),
        Header("system"),
        Header("mean rank", arrow="↓", numeric=True),
        Header("tasks", numeric=True),
    ]
    for col in board.columns:
        mark = notes_by_col[col.key].mark
        headers.append(Header(col.metric, group=col.task, arrow=col.arrow, mark=mark, numeric=True))
        headers.append(Header("rank", group=col.task, numeric=True))
    rows = []
    for s in board.standings:
        run = board.runs[s.row]
        place = "ref" if s.reference else ("—" if s.position is None else str(s.position))
        cells = [
            text_cell(place, sort=s.position),
            text_cell(s.name, hint=str(run.model.get("spec", ""))),
            Cell(value=s.mean_rank, text="—", digits=2),
            text_cell(s.coverage, sort=s.coverage),
        ]
        for col in board.columns:
            m = lookup(run, col)
            if m is None or not is_number(m.value):
                cells += [text_cell("—"), text_cell("—")]
                continue
            rank = s.ranks.get(col.task)
            cells.append(
                Cell(
                    value=m.value,
                    low=m.ci_low,
                    high=m.ci_high,
                    digits=digits_for(col.scale),
                    best=rank == 1,
                )
            )
            cells.append(text_cell("—" if rank is None else f"{rank:g}", sort=rank))
        rows.append(tuple(cells))
    unique = tuple(dict.fromkeys(notes_by_col.values()))
    return Grid(title, tuple(headers), tuple(rows), board.notes, unique, label="leaderboard")


def board_records(board: Board) -> list[dict]:
    """Tidy records: one per (system, task)."""
    out = []
    for s in board.standings:
        run = board.runs[s.row]
        for col in board.columns:
            m = lookup(run, col)
            out.append(
                {
                    "position": s.position,
                    "system": s.name,
                    "reference": s.reference,
                    "mean_rank": s.mean_rank,
                    "tasks": s.coverage,
                    "task": col.task,
                    "metric": col.metric,
                    "higher_is_better": col.higher_is_better,
                    "value": m.value if m else None,
                    "ci_low": m.ci_low if m else None,
                    "ci_high": m.ci_high if m else None,
                    "task_rank": s.ranks.get(col.task),
                    "protocol_hash": col.protocol_hash,
                    "run_id": run.run_id,
                    "model": str(run.model.get("spec", "")),
                }
            )
    return out
