"""Published numbers of a paper, beside ours: "reproduced (official)", with protocol flags.

A paper file (reports/data/<name>_paper.json) lists each result table of the paper: the task,
dataset, metrics (direction, scale, the metric families and presets of ours that measure the
same thing, and checks of what the paper states about its protocol) and every row with its
published value and source. Our runs are matched to paper rows by regular expressions on the
run's label, model spec and adapter name (or explicitly), and our columns to paper metrics by
task and metric family. Every difference between our preset and the paper's protocol that the
data can see (dataset, subset, preset, scorer, scale) is flagged under the table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from evals.errors import UserError
from evals.results import RunResults
from reports.columns import Column, flatten, lookup
from reports.comparison import Comparison

PAPERS_PACKAGE = "reports.data"


class PaperDataError(UserError, ValueError):
    """A paper file that is missing or malformed; names the file and the field."""


@dataclass(frozen=True)
class Check:
    """Something the paper states about its protocol, looked for in our preset's settings."""

    pattern: str
    """Regular expression (case-insensitive) searched in our preset's name and settings."""
    what: str
    """What is checked (e.g. `ASR transcribing the generated speech`)."""
    paper: str
    """What the paper used."""
    field: str = ""
    """Dotted protocol field whose value we print when the check fails (e.g. settings.scorer_id)."""


@dataclass(frozen=True)
class Caveat:
    """A known gap between what the paper states and any preset of ours: always flagged."""

    text: str
    """The gap, as a sentence (e.g. the paper does not state its ASR normalizer)."""
    field: str = ""
    """Dotted protocol field whose value of ours is appended (e.g. settings.normalizer)."""
    families: str = ""
    """Only for our metric families matching this regular expression (empty: all)."""


@dataclass(frozen=True)
class PaperMetric:
    """A metric column of a paper table."""

    id: str
    name: str
    higher_is_better: bool
    scale: str
    """Scale the paper prints values on (`percent`, `x100`, `cosine`)."""
    digits: int
    """Decimals the paper prints."""
    families: str
    """Regular expression matching our metric families (`protocol["metric"]`) that measure this."""
    paper_presets: tuple[str, ...]
    """Our presets that follow the paper's protocol (empty when none does yet)."""
    checks: tuple[Check, ...]
    caveats: tuple[Caveat, ...] = ()


@dataclass(frozen=True)
class PaperRow:
    """A system as published."""

    system: str
    values: Mapping[str, float]
    """Published value per metric id."""
    cite: str = ""
    """Where the system comes from, as the paper cites it."""
    role: str = ""
    """`anygpt`, `reference` (ground truth / human level) or empty for a baseline."""
    match: tuple[str, ...] = ()
    """Regular expressions (case-insensitive) matching our runs of this system."""
    verified: bool = True
    """Read from the paper's text (False: from a secondary source, unconfirmed)."""


@dataclass(frozen=True)
class PaperTable:
    """One result table of the paper (or a block of one)."""

    id: str
    table: str
    caption: str
    task: str
    dataset: str
    our_tasks: tuple[str, ...]
    """Our task names that evaluate this (same data and protocol)."""
    protocol: str
    """What the paper states about the protocol."""
    source: str
    """Document and location of the numbers."""
    metrics: tuple[PaperMetric, ...]
    rows: tuple[PaperRow, ...]


@dataclass(frozen=True)
class Paper:
    name: str
    title: str
    arxiv: str
    version: str
    provenance: str
    tables: tuple[PaperTable, ...]


def available_papers() -> list[str]:
    names = [p.name for p in resources.files(PAPERS_PACKAGE).iterdir()]
    return sorted(n.removesuffix("_paper.json") for n in names if n.endswith("_paper.json"))


def load_paper(name_or_path: str) -> Paper:
    """A bundled paper by name (`anygpt`) or a paper file by path."""
    path = Path(name_or_path)
    if path.suffix == ".json":
        where, text = str(path), _read(path)
    else:
        res = resources.files(PAPERS_PACKAGE) / f"{name_or_path}_paper.json"
        if not res.is_file():
            raise PaperDataError(
                f"unknown paper {name_or_path!r}; bundled: {', '.join(available_papers())}"
            )
        where, text = str(res), res.read_text(encoding="utf-8")
    try:
        return parse_paper(json.loads(text))
    except json.JSONDecodeError as exc:
        raise PaperDataError(f"{where}: not valid JSON ({exc})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise PaperDataError(
            f"{where}: malformed paper file ({type(exc).__name__}: {exc})"
        ) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PaperDataError(f"{path}: cannot read ({exc.strerror})") from None


def parse_paper(data: Mapping[str, Any]) -> Paper:
    tables = []
    for t in data["tables"]:
        metrics = tuple(
            PaperMetric(
                id=m["id"],
                name=m["name"],
                higher_is_better=bool(m["higher_is_better"]),
                scale=m["scale"],
                digits=int(m["digits"]),
                families=m["families"],
                paper_presets=tuple(m.get("paper_presets", ())),
                checks=tuple(Check(**c) for c in m.get("checks", ())),
                caveats=tuple(Caveat(**c) for c in m.get("caveats", ())),
            )
            for m in t["metrics"]
        )
        ids = {m.id for m in metrics}
        source = t["source"]
        rows = []
        for r in t["rows"]:
            unknown = set(r["values"]) - ids
            if unknown:
                raise ValueError(
                    f"table {t['id']}: row {r['system']!r} has unknown metrics {unknown}"
                )
            values = {k: float(v) for k, v in r["values"].items()}
            rows.append(
                PaperRow(
                    system=r["system"],
                    values=values,
                    cite=r.get("cite", ""),
                    role=r.get("role", ""),
                    match=tuple(r.get("match", ())),
                    verified=bool(r.get("verified", source.get("verified", False))),
                )
            )
        tables.append(
            PaperTable(
                id=t["id"],
                table=t["table"],
                caption=t["caption"],
                task=t["task"],
                dataset=t["dataset"],
                our_tasks=tuple(t["our_tasks"]),
                protocol=t["protocol"],
                source=f"{source['document']}, {source['location']}",
                metrics=metrics,
                rows=tuple(rows),
            )
        )
    return Paper(
        name=data["paper"],
        title=data["title"],
        arxiv=data["arxiv"],
        version=data["version"],
        provenance=data["provenance"],
        tables=tuple(tables),
    )


def run_text(run: RunResults) -> list[str]:
    return [run.label, str(run.model.get("spec", "")), str(run.model.get("name", ""))]


def match_row(table: PaperTable, run: RunResults, name: str, explicit: Mapping[str, str]) -> int:
    """Index of the paper row this run reproduces, or -1."""
    if name in explicit:
        for i, row in enumerate(table.rows):
            if row.system == explicit[name]:
                return i
        return -1
    for i, row in enumerate(table.rows):
        for pattern in row.match:
            if any(re.search(pattern, text, re.IGNORECASE) for text in run_text(run)):
                return i
    return -1


def our_columns(
    table: PaperTable, metric: PaperMetric, c: Comparison, task_map: Mapping[str, str]
) -> list[Column]:
    """Our columns that measure this paper metric (our task maps to the table and the metric
    family matches): only the paper's own presets where we scored them; otherwise every
    reading, the task's headline preset first."""
    out = []
    for col in c.columns:
        maps = col.task in table.our_tasks or task_map.get(col.task) == table.id
        family = str(col.protocol.get("metric", ""))
        if maps and re.fullmatch(metric.families, family, re.IGNORECASE):
            out.append(col)
    preferred = [col for col in out if col.metric in metric.paper_presets]
    return preferred or sorted(out, key=lambda col: col.metric != headline(c, col.task))


def headline(c: Comparison, task: str) -> str:
    """The task's headline preset: its first registered preset, else the first one scored."""
    try:
        from evals.registry import TASKS

        if task in TASKS and TASKS.get(task).metrics:
            return TASKS.get(task).metrics[0]
    except Exception:  # a broken plug-in must not break a report
        pass
    return next((col.metric for col in c.columns if col.task == task), "")


def protocol_flags(table: PaperTable, metric: PaperMetric, col: Column, c: Comparison) -> list[str]:
    """How our column departs from the paper's protocol, as far as the data can tell."""
    flags = []
    if col.task not in table.our_tasks:
        flags.append(f"dataset: ours is task {col.task}, the paper's is {table.dataset}")
    if metric.paper_presets and col.metric not in metric.paper_presets:
        flags.append(
            f"preset: ours is {col.metric}; the paper's protocol is {' or '.join(metric.paper_presets)}"
        )
    settings = flatten(dict(col.protocol))
    haystack = col.metric + " " + json.dumps(settings, ensure_ascii=False, default=str)
    for check in metric.checks:
        if not re.search(check.pattern, haystack, re.IGNORECASE):
            ours = settings.get(check.field) if check.field else None
            ours_text = f"ours: {ours}" if ours is not None else f"not found in {col.metric}"
            flags.append(f"{check.what}: the paper used {check.paper}; {ours_text}")
    for caveat in metric.caveats:
        family = str(col.protocol.get("metric", ""))
        if caveat.families and not re.fullmatch(caveat.families, family, re.IGNORECASE):
            continue
        ours = settings.get(caveat.field) if caveat.field else None
        flags.append(caveat.text + (f"; ours: {ours}" if ours is not None else ""))
    if col.scale != metric.scale:
        flags.append(
            f"scale: ours is {col.scale}, the paper prints {metric.scale}; values are not "
            "directly comparable"
        )
    limits = sorted(
        {
            tr.limit
            for run in c.runs
            if (tr := run.tasks.get(col.task)) is not None
            and tr.limit is not None
            and lookup(run, col) is not None
        }
    )
    if limits:
        flags.append(
            f"subset: ours used seeded subsets of {', '.join(map(str, limits))} samples (--limit)"
        )
    return flags
