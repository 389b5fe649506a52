"""`anybench ls`: list tasks, models, metric presets or suites."""

from __future__ import annotations

import inspect


def add_parser(sub) -> None:
    p = sub.add_parser(
        "ls",
        help="list tasks, models, metrics, suites or dataset readers",
        description="List what is registered (built in or from installed plugins).",
    )
    p.add_argument("what", choices=("tasks", "models", "metrics", "suites", "readers"))
    p.add_argument(
        "-v", "--verbose", action="store_true", help="with details (options, protocols, data)"
    )
    p.set_defaults(func=main)


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.splitlines()[0] if doc else ""


def list_tasks(verbose: bool) -> list[str]:
    from evals.registry import TASKS
    from evals.task import DataNotFoundError

    rows = []
    for name in TASKS.names():
        t = TASKS.get(name)
        direction = f"{t.input.value}->{t.output.value}"
        rows.append(f"{name:28s} {direction:15s} {t.description}  [{TASKS.origin(name)}]")
        if verbose:
            rows.append(f"{'':28s} metrics: {', '.join(t.metrics)}; version {t.version}")
            try:
                location = str(t.data.resolve())
            except DataNotFoundError:
                location = "(none by default)"
            rows.append(f"{'':28s} data: {location}  ({t.data.where()})")
    return rows


def list_models(verbose: bool) -> list[str]:
    from evals.registry import MODELS
    from evals.spec import describe_options

    rows = []
    for name in MODELS.names():
        cls = MODELS.get(name)
        caps = ", ".join(sorted(f"{a.value}->{b.value}" for a, b in cls.capabilities))
        if len(cls.capabilities) > 6:
            caps = "any"
        rows.append(f"{name:16s} [{caps}] {_first_line(cls)}")
        if verbose:
            for opt, typ, default, doc in describe_options(cls.Options):
                rows.append(f"{'':18s}{opt}: {typ} = {default}")
                if doc:
                    rows.append(f"{'':22s}{doc}")
            rows.append(f"{'':18s}decoding presets: {', '.join(cls.decoding_presets)}")
            if cls.generation_options is not None:
                names = ", ".join(row[0] for row in describe_options(cls.generation_options))
                rows.append(f"{'':18s}--gen-kwargs: {names}")
    return rows


def list_metrics(verbose: bool) -> list[str]:
    from evals.registry import METRICS

    rows = []
    for name in METRICS.names():
        p = METRICS.get(name).preset
        arrow = "higher" if p.higher_is_better else "lower"
        rows.append(f"{name:26s} ({p.scale}, {p.aggregation}, {arrow} is better) {p.description}")
        if verbose:
            for k, v in p.settings.items():
                rows.append(f"{'':28s}{k}: {v}")
            fits = ", ".join(sorted(f"{a.value} -> {b.value}" for a, b in p.directions))
            rows.append(f"{'':28s}directions: {fits or 'any task'}")
            rows.append(f"{'':28s}protocol hash: {p.protocol_hash()}")
    return rows


def list_suites(verbose: bool) -> list[str]:
    from evals.suites import load_suite, suite_names

    rows = []
    for name in suite_names():
        s = load_suite(name)
        rows.append(f"{name:16s} {s.description}")
        tasks = [f"{t} (limit {s.limits[t]})" if t in s.limits else t for t in s.tasks]
        rows.append(f"{'':16s} tasks: {', '.join(tasks)}")
    return rows


def list_readers(verbose: bool) -> list[str]:
    """Dataset readers a task file may name (`data: {reader: NAME}`)."""
    from evals.registry import READERS

    rows = []
    for name in READERS.names():
        reader = READERS.get(name)
        rows.append(f"{name:18s} {_first_line(reader)}")
        if verbose:
            params = list(inspect.signature(reader).parameters)[1:]
            rows.append(f"{'':18s} options: {', '.join(params) or 'none'}; {READERS.origin(name)}")
    return rows


LISTERS = {
    "tasks": list_tasks,
    "models": list_models,
    "metrics": list_metrics,
    "suites": list_suites,
    "readers": list_readers,
}


def main(args) -> int:
    print("\n".join(LISTERS[args.what](args.verbose)))
    return 0
