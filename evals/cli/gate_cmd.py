"""`anybench gate`: fail CI when a candidate run regresses significantly against a baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.cli.common import positive_int


def probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1")
    return value


def add_parser(sub) -> None:
    p = sub.add_parser(
        "gate",
        help="regression gate: paired bootstrap of a candidate run against a baseline",
        description="Compares every (task, metric) of the baseline with the candidate by a paired "
        "bootstrap over the samples both scored (and over seeds where a side has several runs), "
        "against tolerances from --rules. Where model.json records a stochastic model, each side "
        "needs repeated seeds and the difference is tested against the seed-to-seed variance. "
        "Exit 0: pass; 1: significant regression; 2: cannot compare (different protocols, "
        "missing tasks, metrics or samples, too few seeds of a stochastic model).",
        epilog="examples:\n"
        "  anybench gate --baseline runs/main --candidate runs/pr\n"
        "  anybench gate --baseline runs/main-s0 runs/main-s1 --candidate runs/pr-s0 runs/pr-s1 \\\n"
        "      --rules gate.yaml --markdown gate.md --junit gate.xml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--baseline", nargs="+", required=True, metavar="RUN", help="baseline run(s)")
    p.add_argument("--candidate", nargs="+", required=True, metavar="RUN", help="candidate run(s)")
    p.add_argument("--rules", metavar="FILE.yaml", help="tolerances and test settings")
    p.add_argument("--markdown", metavar="FILE", help="also write the summary to FILE")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML to FILE")
    p.add_argument("--alpha", type=probability, help="false-alarm rate (overrides the rules)")
    p.add_argument("--resamples", type=positive_int, help="bootstrap resamples (overrides)")
    p.add_argument("--seed", type=int, help="resampling seed (overrides)")
    p.add_argument(
        "--allow-subset",
        action="store_true",
        help="compare on the shared samples when the candidate lacks some of the baseline's "
        "(otherwise: cannot compare)",
    )
    p.set_defaults(func=main)


def main(args) -> int:
    from dataclasses import replace

    from reports.gate import run_gate
    from reports.gate_output import junit_xml, markdown_summary
    from reports.gate_rules import Rules, load_rules
    from reports.runs import load_runs

    rules = load_rules(args.rules) if args.rules else Rules()
    overrides = {
        k: v
        for k, v in (("alpha", args.alpha), ("resamples", args.resamples), ("seed", args.seed))
        if v is not None
    }
    if args.allow_subset:
        overrides["allow_subset"] = True
    rules = replace(rules, **overrides)
    result = run_gate(load_runs(args.baseline), load_runs(args.candidate), rules)
    summary = markdown_summary(result)
    print(summary, end="")
    if args.markdown:
        Path(args.markdown).write_text(summary, encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(junit_xml(result), encoding="utf-8")
    return result.exit_code
