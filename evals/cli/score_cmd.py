"""`anybench score`: (re-)score a finished run from its logs, without loading any model it ran."""

from __future__ import annotations

from evals.cli.common import METRICS_ADDED, add_bootstrap, add_metrics, csv_list, stop_on_sigterm


def add_parser(sub) -> None:
    p = sub.add_parser(
        "score",
        help="score (or re-score) a run's predictions",
        description="Score a run from its prediction logs and media; no generation model is loaded, so a "
        "changed or added metric re-scores old runs. Writes scores/<task>.jsonl and results.json.",
    )
    p.add_argument("run", metavar="RUN", help="run folder")
    p.add_argument(
        "--tasks", type=csv_list, metavar="TASK,...", help="score only these tasks of the run"
    )
    p.add_argument("--label", help="display name of this run in tables")
    add_metrics(p, METRICS_ADDED)
    add_bootstrap(p)
    p.set_defaults(func=main)


def main(args) -> int:
    import sys

    from evals.scoring import partial_notes, score_run
    from metrics.bootstrap import BootstrapSpec
    from reports.table import markdown_table

    stop_on_sigterm()
    results = score_run(
        args.run,
        metrics=args.metrics,
        tasks=args.tasks,
        boot=BootstrapSpec(resamples=args.bootstrap),
        label=args.label,
    )
    print(markdown_table([results]))
    for note in partial_notes(results):
        print(f"anybench: {note}", file=sys.stderr)
    return 0
