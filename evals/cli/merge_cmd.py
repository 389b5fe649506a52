"""`anybench merge`: join the shards of a run (Slurm arrays, `--shard i/N`) and score the result."""

from __future__ import annotations

import argparse

from evals.cli.common import add_bootstrap, add_metrics


def add_parser(sub) -> None:
    p = sub.add_parser(
        "merge",
        help="join shard runs (from --shard i/N) into one run and score it",
        description="Check that the shards of a run are complete (every shard's done marker), "
        "disjoint (no sample in two logs) and made with one config, then join them and score. "
        "Shards in one run folder (the default of --shard) are finished in place; shards in "
        "several folders are joined into --out (logs copied, media hard-linked).",
        epilog="examples:\n"
        "  anybench merge runs/whisper-1a2b3c4d\n"
        "  anybench merge /scratch/job*/runs/whisper-1a2b3c4d --out runs/whisper-merged",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders holding the shards")
    p.add_argument("--out", metavar="DIR", help="merged run folder to write (new or empty)")
    p.add_argument("--label", help="display name of the merged run in tables")
    p.add_argument("--no-score", action="store_true", help="merge only; score later")
    add_metrics(p)
    add_bootstrap(p)
    p.set_defaults(func=main)


def main(args) -> int:
    from evals.scoring import score_run
    from evals.shards import merge
    from metrics.bootstrap import BootstrapSpec
    from reports.table import markdown_table

    store = merge(args.runs, args.out)
    print(f"merged: {store.root}")
    if args.no_score:
        return 0
    results = score_run(
        store.root,
        metrics=args.metrics,
        boot=BootstrapSpec(resamples=args.bootstrap),
        label=args.label,
        accumulate=store.results_path.exists(),  # a first scoring uses --metrics instead
    )
    print(markdown_table([results]))
    print(f"results: {store.results_path}")
    return 0
