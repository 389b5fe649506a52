"""`anybench report`: one table of systems x (task, metric) from one or more scored runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.errors import UserError


def pair(text: str) -> tuple[str, str]:
    left, eq, right = text.partition("=")
    if not eq or not left or not right:
        raise argparse.ArgumentTypeError(f"{text!r} is not A=B")
    return left, right


def add_output(p: argparse.ArgumentParser, formats: list[str], default: str) -> None:
    """--format (one or several, comma-separated), --out FILE, --out-dir DIR (shared options)."""
    p.add_argument(
        "--format",
        default=default,
        metavar="FMT[,FMT...]",
        help=f"output format(s): {', '.join(formats)} (default {default})",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout (one format)")
    where.add_argument(
        "--out-dir", metavar="DIR", help="write <name>.<ext> per format into DIR (any number)"
    )


class FormatError(UserError, ValueError):
    """Unknown output format, or several formats without a folder to write them to."""


def chosen_formats(args, formats) -> list[str]:
    names = [f.strip() for f in args.format.split(",") if f.strip()]
    if names == ["all"]:
        names = list(formats)
    bad = [n for n in names if n not in formats]
    if bad or not names:
        raise FormatError(
            f"unknown format {', '.join(bad) or repr(args.format)}; "
            f"choose from {', '.join(formats)} or all"
        )
    if len(names) > 1 and not args.out_dir:
        raise FormatError("several formats need --out-dir DIR")
    return names


def write_outputs(args, outputs: dict[str, tuple[str, str]], stem: str) -> None:
    """outputs: format -> (suffix, text); printed, written to --out, or into --out-dir."""
    if args.out_dir:
        folder = Path(args.out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, text in outputs.values():
            path = folder / f"{stem}.{suffix}"
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    elif args.out:
        ((_, text),) = outputs.values()
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        ((_, text),) = outputs.values()
        print(text, end="" if text.endswith("\n") else "\n")


def add_parser(sub) -> None:
    from evals.cli.common import csv_list
    from reports.render_latex import WIDTHS
    from reports.report import FORMATS
    from reports.selection import INTERVALS

    p = sub.add_parser(
        "report",
        help="comparison table of scored runs (md, latex, csv, html)",
        description="A systems x (task, metric) table with 95% bootstrap intervals, the best "
        "value per column marked (direction-aware), integrity counts and footnotes written from "
        "the metric presets; optionally beside a paper's published numbers (--paper).",
        epilog="examples:\n"
        "  anybench report runs/a runs/b\n"
        "  anybench report runs/demo            # a folder of runs\n"
        "  anybench report runs/* --format all --out-dir report/\n"
        "  anybench report runs/anygpt runs/whisper --paper anygpt --format latex\n"
        "  anybench report runs/demo/* --paper anygpt --paper-task manifest-tts=tts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="run folders, results.json files, or folders of runs (other folders are skipped)",
    )
    add_output(p, list(FORMATS), "md")
    p.add_argument(
        "--history",
        action="store_true",
        help="one RUN: how its scores changed between scorings (every re-score keeps the "
        "previous results.json in RUN/history/), with a table of the changes",
    )
    p.add_argument("--title", default="anybench report", help="document title")
    p.add_argument(
        "--mixed",
        choices=("split", "refuse"),
        default="split",
        help="runs scored one (task, metric) under different protocols: split the column "
        "(default) or refuse with the reason",
    )
    p.add_argument("--no-plots", action="store_true", help="no plots in the HTML page")
    p.add_argument(
        "--columns",
        type=csv_list,
        default=(),
        metavar="PATTERN,...",
        help="columns to show, in this order (every format): task/metric, metric or task "
        "patterns, and `integrity` (default: all)",
    )
    p.add_argument(
        "--rename",
        type=pair,
        action="append",
        default=[],
        metavar="NAME=SHOWN",
        help="display name for a metric preset, task/metric column, task or system (repeatable)",
    )
    p.add_argument(
        "--intervals",
        choices=INTERVALS,
        default="full",
        help="intervals as [low, high] (full, default), as ±half-width (compact), or off",
    )
    p.add_argument(
        "--latex-width",
        choices=WIDTHS,
        default="fit",
        help="LaTeX: shrink a table wider than the column to \\linewidth (fit, default), span "
        "both columns of a two-column paper (wide: table*), or leave it (natural)",
    )
    p.add_argument(
        "--label", metavar="LABEL", help="LaTeX label of the results table (default: from --title)"
    )
    p.add_argument(
        "--paper", metavar="NAME|FILE.json", help="put the runs beside a paper's numbers (anygpt)"
    )
    p.add_argument(
        "--paper-match",
        type=pair,
        action="append",
        default=[],
        metavar="SYSTEM=PAPER_ROW",
        help="our run (its label) reproduces this published row (default: matched by name)",
    )
    p.add_argument(
        "--paper-task",
        type=pair,
        action="append",
        default=[],
        metavar="TASK=TABLE",
        help="compare our TASK with a paper table id (caption, t2i, asr, tts, m2t, t2m) even "
        "though its data differ; flagged in the table",
    )
    p.set_defaults(func=main)


def read_runs(paths):
    """The runs given, a folder of runs expanded and other folders skipped (noted on stderr)."""
    import sys

    from reports.runs import expand_runs, load_runs

    folders, notes = expand_runs(paths)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return load_runs(folders)


def history_runs(paths):
    from reports.history import scorings
    from reports.runs import validate

    if len(paths) != 1:
        raise UserError(f"--history takes one run, not {len(paths)}")
    return [validate(run) for run in scorings(paths[0])]


def history_title(args) -> str:
    return (
        args.title if args.title != "anybench report" else f"History of {Path(args.runs[0]).name}"
    )


def main(args) -> int:
    from dataclasses import replace

    from reports.report import FORMATS, ReportOptions, build
    from reports.selection import Selection

    names = chosen_formats(args, FORMATS)
    options = ReportOptions(
        title=args.title,
        mixed=args.mixed,
        plots=not args.no_plots,
        paper=args.paper,
        paper_matches=tuple(args.paper_match),
        paper_tasks=tuple(args.paper_task),
        selection=Selection(tuple(args.columns), tuple(args.rename), args.intervals),
        latex_width=args.latex_width,
        label=args.label,
    )
    if args.history:
        runs = history_runs(args.runs)
        options = replace(options, history=True, title=history_title(args))
    else:
        runs = read_runs(args.runs)
    report = build(runs, options)
    outputs = {n: (FORMATS[n].suffix, FORMATS[n].render(report)) for n in names}
    write_outputs(args, outputs, "report")
    return 0
