"""Entry point of the `anybench` command: subcommands, and one-line errors for bad input."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback

from evals.cli import (
    demo_cmd,
    gate_cmd,
    leaderboard_cmd,
    ls_cmd,
    merge_cmd,
    report_cmd,
    run_cmd,
    score_cmd,
)

SUBCOMMANDS = (
    run_cmd,
    score_cmd,
    ls_cmd,
    report_cmd,
    demo_cmd,
    leaderboard_cmd,
    gate_cmd,
    merge_cmd,
)


def user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean bad input or a missing resource: one line, no traceback (-v shows it)."""
    from evals.errors import UserError

    return (UserError, OSError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anybench",
        description="Evaluate any-to-any multimodal models (AnyGPT) and their specialist baselines on one set "
        "of tasks, metrics and reports.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (warnings and info)")
    parser.add_argument("--version", action="version", version=f"anybench {_version()}")
    add_include_path(parser, "include_path")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    for subparser in sub.choices.values():
        add_include_path(subparser, "include_path_after")
    return parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("anybench")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def add_include_path(parser: argparse.ArgumentParser, dest: str) -> None:
    """`--include-path DIR`, accepted before and after the subcommand (kept apart, then joined)."""
    parser.add_argument(
        "--include-path",
        dest=dest,
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of task files (YAML) and Python modules to register (repeatable; also "
        "$ANYBENCH_INCLUDE_PATH, separated by ':')",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    try:
        from evals.include import env_paths, include

        include([*env_paths(), *args.include_path, *args.include_path_after])
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("anybench: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except user_errors() as exc:
        if args.verbose:
            traceback.print_exc()
        message = str(exc).strip() or type(exc).__name__
        print(f"anybench: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
