"""`anybench leaderboard`: rank checkpoints per task and overall (Markdown, LaTeX, HTML, CSV),
and plot their trend against the training step."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.cli.report_cmd import add_output, chosen_formats, pair, read_runs, write_outputs
from evals.errors import UserError


def add_parser(sub) -> None:
    from reports.leaderboard import AGGREGATE
    from reports.leaderboard_render import FORMATS

    p = sub.add_parser(
        "leaderboard",
        help="rank many runs per task and overall (md, latex, html, csv)",
        description="Ranks the runs per task and overall. " + AGGREGATE + " Runs whose label, "
        "spec or checkpoint folder names a step (step-2000, step=2k, checkpoint-3000) are also "
        "plotted metric vs step (in the HTML page, or --plot FILE).",
        epilog="examples:\n"
        "  anybench leaderboard runs/ckpt-*\n"
        "  anybench leaderboard runs/* --format html --out board.html --caption 'nightly'\n"
        "  anybench leaderboard runs/* --metric manifest-tts=wer-tts@whisper-tiny.en,sim@resemblyzer\n"
        "  anybench leaderboard runs/step-* --plot trend.svg",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="run folders, results.json files, or folders of runs (other folders are skipped)",
    )
    add_output(p, list(FORMATS), "md")
    p.add_argument("--title", default="anybench leaderboard", help="page title")
    p.add_argument("--caption", default="", help="a line under the title")
    p.add_argument(
        "--metric",
        type=pair,
        action="append",
        default=[],
        metavar="TASK=PRESET[,PRESET...]",
        help="show these presets for TASK, ranking by the first (default: the task's first "
        "preset; repeatable)",
    )
    p.add_argument(
        "--plot",
        metavar="FILE.png|FILE.svg",
        help="also write the checkpoint trend (metric vs step, with intervals) to FILE",
    )
    p.set_defaults(func=main)


def main(args) -> int:
    from reports.leaderboard import leaderboard
    from reports.leaderboard_render import FORMATS, BoardOptions

    names = chosen_formats(args, FORMATS)
    options = BoardOptions(args.title, args.caption, dict(args.metric) or None)
    board = leaderboard(read_runs(args.runs), options.metrics)
    outputs = {n: (FORMATS[n][0], FORMATS[n][1](board, options)) for n in names}
    write_outputs(args, outputs, "leaderboard")
    if args.plot:
        write_plot(board, Path(args.plot))
    return 0


class PlotError(UserError, ValueError):
    """A trend plot that cannot be made: unknown suffix, or no runs with steps."""


def write_plot(board, path: Path) -> None:
    from reports.checkpoints import trend_figure

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise PlotError(f"--plot {path}: the file must end in .png or .svg")
    data = trend_figure(board, fmt)
    if data is None:
        raise PlotError(
            f"--plot {path}: fewer than two runs name a step (label step-N, a step=N option "
            "or a checkpoint-N folder); label them with `anybench run --label step-N`"
        )
    path.write_bytes(data)
    print(f"wrote {path}")
