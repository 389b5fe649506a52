"""`anybench leaderboard`: rank checkpoints per task and overall (Markdown, HTML, CSV)."""

from __future__ import annotations

import argparse

from evals.cli.report_cmd import add_output, chosen_formats, pair, write_outputs


def add_parser(sub) -> None:
    from reports.leaderboard import AGGREGATE
    from reports.leaderboard_render import FORMATS

    p = sub.add_parser(
        "leaderboard",
        help="rank many runs per task and overall (md, html, csv)",
        description="Ranks the runs on each task by its headline metric (direction-aware) and "
        "overall. " + AGGREGATE.replace("%", "%%"),
        epilog="examples:\n"
        "  anybench leaderboard runs/ckpt-*\n"
        "  anybench leaderboard runs/* --format html --out board.html --caption 'nightly'\n"
        "  anybench leaderboard runs/* --metric manifest-asr=wer@basic",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders (or results.json files)")
    add_output(p, list(FORMATS), "md")
    p.add_argument("--title", default="anybench leaderboard", help="page title")
    p.add_argument("--caption", default="", help="a line under the title")
    p.add_argument(
        "--metric",
        type=pair,
        action="append",
        default=[],
        metavar="TASK=PRESET",
        help="rank TASK by PRESET instead of its first preset (repeatable)",
    )
    p.set_defaults(func=main)


def main(args) -> int:
    from reports.leaderboard import leaderboard
    from reports.leaderboard_render import FORMATS, BoardOptions
    from reports.runs import load_runs

    names = chosen_formats(args, FORMATS)
    options = BoardOptions(args.title, args.caption, dict(args.metric) or None)
    board = leaderboard(load_runs(args.runs), options.metrics)
    outputs = {n: (FORMATS[n][0], FORMATS[n][1](board, options)) for n in names}
    write_outputs(args, outputs, "leaderboard")
    return 0
