"""Leaderboards: many checkpoints ranked per task and overall.

Per task, one headline metric (the task's first preset unless chosen) ranks the systems,
direction-aware, ties sharing the average rank; more presets per task may be shown beside it.
Overall, only systems that ran the same tasks are ranked (the largest task set any system
covers): their score is the mean of their ranks among themselves; the others keep their
per-task ranks and show their coverage. Best values are marked by the report's own rule
(reports.comparison.best_rows). Ground-truth rows are shown but never ranked. Values scored
under different protocols are never ranked together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from evals.errors import UserError
from evals.results import RunResults
from reports.columns import Column, MixedProtocolError, build_columns, lookup
from reports.comparison import best_rows
from reports.fmt import digits_for, is_number
from reports.footnotes import footnotes
from reports.grid import Cell, Grid, Header, text_cell
from reports.runs import is_reference, labels

AGGREGATE = (
    "Overall: the mean of a system's per-task ranks (1 = best; ties share the average rank), "
    "among the systems that ran the same tasks; a system that ran fewer tasks has no overall "
    "place and shows its coverage; equal scores share a place. Each task is ranked by its "
    "first metric in the header, direction-aware."
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
    compared: bool = False
    """Ran the board's compared task set, so it has an overall place."""


@dataclass(frozen=True)
class Board:
    """A ranked leaderboard."""

    runs: tuple[RunResults, ...]
    columns: tuple[Column, ...]
    """The headline column of each task (ranked)."""
    standings: tuple[Standing, ...]
    """In board order: ranked systems, then unranked, then ground truth."""
    notes: tuple[str, ...]
    shown: tuple[Column, ...] = ()
    """Every column shown, per task the headline first, then the other chosen presets."""
    best: Mapping[str, frozenset[int]] | None = None
    """Rows marked best per column key (the report's rule)."""
    tasks: tuple[str, ...] = ()
    """The compared task set: systems that ran exactly these get an overall place."""

    def columns_shown(self) -> tuple[Column, ...]:
        return self.shown or self.columns


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


def chosen_presets(chosen: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """`--metric TASK=P1,P2` choices as task -> presets (the first ranks)."""
    out = {}
    for task, value in (chosen or {}).items():
        presets = (value,) if isinstance(value, str) else tuple(value)
        out[task] = tuple(p.strip() for v in presets for p in v.split(",") if p.strip())
    return out


def headline_metrics(
    runs: Sequence[RunResults], chosen: Mapping[str, str | Sequence[str]] | None = None
) -> dict[str, str]:
    """Task -> metric preset: the (first) chosen one, else the task's first preset."""
    chosen = {t: ps[0] for t, ps in chosen_presets(chosen).items()}
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


def leaderboard(
    runs: Sequence[RunResults], metrics: Mapping[str, str | Sequence[str]] | None = None
) -> Board:
    """Rank the runs; `metrics` picks presets per task (the first ranks; default: the task's
    first preset)."""
    names = labels(runs)
    heads = headline_metrics(runs, metrics)
    extra = {t: ps[1:] for t, ps in chosen_presets(metrics).items()}
    for task, presets in extra.items():
        for p in presets:
            if not any(task in r.tasks and p in r.tasks[task].metrics for r in runs):
                raise LeaderboardError(f"no run scored {task} with {p}")
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
    coverage_sets = Counter(
        frozenset(ranks[i]) for i, run in enumerate(runs) if not is_reference(run) and ranks[i]
    )
    compared = max(coverage_sets, key=lambda t: (len(t), coverage_sets[t]), default=frozenset())
    group = [
        i for i, run in enumerate(runs) if not is_reference(run) and frozenset(ranks[i]) == compared
    ]
    inner: dict[int, list[float]] = {i: [] for i in group}
    for col in columns:
        values = [(i, float(lookup(runs[i], col).value)) for i in group if col.task in ranks[i]]  # type: ignore[union-attr]
        for i, r in average_ranks(values, col.higher_is_better).items():
            inner[i].append(r)
    standings = [
        Standing(
            i,
            names[i],
            is_reference(run),
            ranks[i],
            sum(inner[i]) / len(inner[i]) if inner.get(i) else None,
            None,
            sum(_has_value(run, col) for col in columns),
            i in inner,
        )
        for i, run in enumerate(runs)
    ]
    ranked = sorted(
        (s for s in standings if s.compared and s.mean_rank is not None),
        key=lambda s: (s.mean_rank, s.name),
    )
    rest = [s for s in standings if not s.reference and not s.compared]
    refs = [s for s in standings if s.reference]
    placed: list[Standing] = []
    for k, s in enumerate(ranked):
        prev = placed[-1] if placed else None
        tied = prev is not None and prev.mean_rank == s.mean_rank
        position = prev.position if tied and prev is not None else k + 1
        placed.append(replace(s, position=position))
    task_order = [c.task for c in columns if c.task in compared]
    for s in rest:
        if s.ranks:
            notes.append(
                f"{s.name} ran {len(s.ranks)} of the {len(compared)} compared tasks "
                f"({', '.join(t for t in s.ranks)}): ranked per task, no overall place."
            )
    if refs:
        notes.append("Ground-truth rows are shown for reference and not ranked.")
    shown = shown_columns(runs, names, columns, extra)
    return Board(
        tuple(runs),
        tuple(columns),
        tuple(placed + rest + refs),
        tuple(notes),
        tuple(shown),
        {c.key: best_rows(runs, c) for c in shown},
        tuple(task_order),
    )


def shown_columns(
    runs: Sequence[RunResults],
    names: Sequence[str],
    heads: Sequence[Column],
    extra: Mapping[str, Sequence[str]],
) -> list[Column]:
    """Per task its headline column, then the other chosen presets' columns (split by
    protocol where runs differ: they are shown, not ranked)."""
    if not any(extra.values()):
        return list(heads)
    cut = [
        replace(
            run,
            tasks={
                t: replace(
                    tr, metrics={p: tr.metrics[p] for p in extra.get(t, ()) if p in tr.metrics}
                )
                for t, tr in run.tasks.items()
            },
        )
        for run in runs
    ]
    more, _ = build_columns(cut, names, mixed="split")
    out = []
    for head in heads:
        out.append(head)
        out += [c for c in more if c.task == head.task]
    return out


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
    shown = board.columns_shown()
    heads = {c.key for c in board.columns}
    notes_by_col = footnotes(board.runs, shown)
    headers = [
        Header("rank", numeric=True),
        Header("system"),
        Header("mean rank", arrow="↓", numeric=True),
        Header("tasks", numeric=True),
    ]
    for col in shown:
        mark = notes_by_col[col.key].mark
        name = col.metric + (f" #{col.protocol_hash[:6]}" if col.split else "")
        headers.append(Header(name, group=col.task, arrow=col.arrow, mark=mark, numeric=True))
        if col.key in heads:
            headers.append(Header("rank", group=col.task, numeric=True))
    total = len(board.tasks) or len(board.columns)
    best = board.best or {}
    rows = []
    for s in board.standings:
        run = board.runs[s.row]
        place = "ref" if s.reference else ("—" if s.position is None else str(s.position))
        cells = [
            text_cell(place, sort=s.position),
            text_cell(s.name, hint=str(run.model.get("spec", ""))),
            Cell(value=s.mean_rank, text="—", digits=2),
            text_cell(f"{s.coverage}/{total}", sort=s.coverage),
        ]
        for col in shown:
            m = lookup(run, col)
            ranked = col.key in heads
            if m is None or not is_number(m.value):
                text = f"n/a: {m.unavailable}" if m is not None and m.unavailable else "—"
                cells += [text_cell(text)] + ([text_cell("—")] if ranked else [])
                continue
            cells.append(
                Cell(
                    value=m.value,
                    low=m.ci_low,
                    high=m.ci_high,
                    digits=digits_for(col.scale),
                    best=s.row in best.get(col.key, frozenset()),
                )
            )
            if ranked:
                rank = s.ranks.get(col.task)
                cells.append(text_cell("—" if rank is None else f"{rank:g}", sort=rank))
        rows.append(tuple(cells))
    unique = tuple(dict.fromkeys(notes_by_col.values()))
    notes = board.notes + integrity_notes(board)
    return Grid(title, tuple(headers), tuple(rows), notes, unique, label="leaderboard")


def integrity_notes(board: Board) -> tuple[str, ...]:
    """Partial tasks and flagged samples, one note per (system, task)."""
    out = []
    for s in board.standings:
        for tr in board.runs[s.row].tasks.values():
            i = tr.integrity
            parts = []
            if i.partial:
                parts.append(
                    f"partial: {i.total} of {i.expected if i.expected is not None else '?'}"
                )
            parts += [f"{f} {getattr(i, f)}" for f in ("truncated", "degenerate") if getattr(i, f)]
            if parts:
                out.append(f"{s.name} / {tr.task}: {', '.join(parts)}.")
    return tuple(out)


def board_records(board: Board) -> list[dict]:
    """Tidy records: one per (system, task)."""
    out = []
    heads = {c.key for c in board.columns}
    for s in board.standings:
        run = board.runs[s.row]
        for col in board.columns_shown():
            m = lookup(run, col)
            integ = run.tasks[col.task].integrity if col.task in run.tasks else None
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
                    "task_rank": s.ranks.get(col.task) if col.key in heads else None,
                    "ranked_by": col.key in heads,
                    "best": s.row in (board.best or {}).get(col.key, frozenset()),
                    "partial": bool(integ and integ.partial),
                    "truncated": integ.truncated if integ else 0,
                    "degenerate": integ.degenerate if integ else 0,
                    "protocol_hash": col.protocol_hash,
                    "run_id": run.run_id,
                    "model": str(run.model.get("spec", "")),
                }
            )
    return out
