"""`anybench report`: one table of systems x (task, metric) from one or more scored runs."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "report",
        help="comparison table of scored runs",
        description="A systems x (task, metric) table with 95%% bootstrap intervals, the best "
        "value per column in bold, integrity counts and protocol footnotes.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders (or results.json files)")
    p.add_argument(
        "--format", choices=("md", "csv"), default="md", help="output format (default md)"
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=main)


def main(args) -> int:
    from evals.results import load
    from reports.table import FORMATS

    results = [load(r) for r in args.runs]
    text = FORMATS[args.format](results)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0
