"""Gate output: a Markdown summary for a pull-request comment, and JUnit XML for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from evals.results import RunResults
from reports.fmt import digits_for, is_number
from reports.gate import ERROR, FAIL, PASS, SKIP, Check, GateResult
from reports.render_markdown import escape

VERDICT = {
    PASS: "PASS: no significant regression",
    FAIL: "FAIL: significant regression",
    ERROR: "CANNOT COMPARE",
}
STATUS_TEXT = {PASS: "pass", FAIL: "**FAIL**", ERROR: "**cannot compare**", SKIP: "skipped"}


def side_text(runs: Sequence[RunResults]) -> str:
    seeds = ", ".join(str(r.seed) for r in runs)
    ids = ", ".join(r.run_id for r in runs)
    many = f"; {len(runs)} seeds ({seeds})" if len(runs) > 1 else ""
    return f"{runs[0].label} (run {ids}{many})"


def fmt(x: float | None, digits: int, signed: bool = False) -> str:
    if not is_number(x):
        return "—"
    if round(x, digits) == 0:
        return f"{0.0:.{digits}f}"  # a zero difference is 0, never "-0.0000" or "+0.0000"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def p_text(p: float | None) -> str:
    return f"{p:.3g}" if is_number(p) else "—"


def method_text(g: GateResult) -> str:
    """How the checks were tested (the seed-variance test for stochastic models)."""
    r = g.rules
    if any(c.delta is not None and c.delta.method == "seed variance" for c in g.checks):
        return (
            "Stochastic model (model.json: deterministic false): a t-test of the "
            "per-seed values on the samples both sides scored, against the pooled seed-to-seed "
            "variance."
        )
    return (
        f"Paired bootstrap over the samples both sides scored ({r.resamples} resamples, seed "
        f"{r.seed}); several runs on one side are resampled as generation seeds."
    )


def check_row(c: Check, digits_extra: int = 1) -> str:
    arrow = "" if c.higher_is_better is None else (" ↑" if c.higher_is_better else " ↓")
    head = f"| {STATUS_TEXT[c.status]} | {escape(c.task)} | {escape(c.metric)}{arrow} |"
    d = c.delta
    if d is None:
        return head + " " + " | ".join([escape(c.reason)] + [""] * 7) + " |"
    k = digits_for(c.scale) + digits_extra
    cells = [
        fmt(d.baseline, k),
        fmt(d.candidate, k),
        fmt(d.regression, k, signed=True),
        fmt(d.lower, k, signed=True),
        fmt(d.tolerance, k),
        fmt(d.detectable, k),
        p_text(c.p_adjusted),
        str(d.n),
    ]
    return head + " " + " | ".join(cells) + " |"


def markdown_summary(g: GateResult) -> str:
    r = g.rules
    counts = ", ".join(
        f"{g.count(s)} {name}"
        for s, name in (
            (FAIL, "failed"),
            (ERROR, "not comparable"),
            (PASS, "passed"),
            (SKIP, "skipped"),
        )
        if g.count(s)
    )
    correction = "Holm-corrected across checks" if r.correction == "holm" else "no correction"
    lines = [
        f"## anybench gate: {VERDICT[g.status]}",
        "",
        f"{counts}. Baseline: {escape(side_text(g.baseline))}; candidate: "
        f"{escape(side_text(g.candidate))}.",
        "",
        "| | task | metric | baseline | candidate | regression | lower bound | tolerance "
        f"| detectable ({r.power:.0%} power) | {'p (Holm)' if r.correction == 'holm' else 'p'} | n |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = {FAIL: 0, ERROR: 1, PASS: 2, SKIP: 3}
    lines += [check_row(c) for c in sorted(g.checks, key=lambda c: order[c.status])]
    lines += [
        "",
        f"{method_text(g)} "
        "*regression* is the candidate's change in the metric's bad direction (positive = "
        f"worse); a check fails when its one-sided test (alpha {r.alpha:g}, {correction}) "
        "shows the regression above the tolerance, i.e. the *lower bound* (one-sided "
        f"{1 - r.alpha:.0%}) is above it. *detectable*: the regression this test catches with "
        f"{r.power:.0%} power. Rules: {escape(r.source)}.",
    ]
    reasons = [c for c in g.checks if c.status in (FAIL, ERROR)]
    if reasons or g.notes:
        lines.append("")
        lines += [f"- {escape(c.task)} {escape(c.metric)}: {escape(c.reason)}" for c in reasons]
        lines += [f"- {escape(n)}" for n in g.notes]
    return "\n".join(lines) + "\n"


def junit_xml(g: GateResult) -> str:
    """One <testcase> per (task, metric): failure = regression, error = cannot compare."""
    suite_name = f"anybench gate: {g.candidate[0].label} vs {g.baseline[0].label}"
    attrs = {
        "name": suite_name,
        "tests": str(len(g.checks)),
        "failures": str(g.count(FAIL)),
        "errors": str(g.count(ERROR)),
        "skipped": str(g.count(SKIP)),
        "time": "0",
    }
    root = ET.Element(
        "testsuites", {k: v for k, v in attrs.items() if k != "time"} | {"name": "anybench gate"}
    )
    suite = ET.SubElement(root, "testsuite", attrs)
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("baseline", ", ".join(r.run_id for r in g.baseline)),
        ("candidate", ", ".join(r.run_id for r in g.candidate)),
        ("alpha", f"{g.rules.alpha:g}"),
        ("correction", g.rules.correction),
        ("resamples", str(g.rules.resamples)),
        ("rules", g.rules.source),
    ):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for c in g.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"anybench.gate.{c.task}", "name": c.metric, "time": "0"},
        )
        d = c.delta
        detail = ""
        if d is not None:
            detail = (
                f"baseline {d.baseline:.6g}, candidate {d.candidate:.6g}, regression "
                f"{d.regression + 0.0:+.6g} (lower bound {d.lower + 0.0:+.6g}, se {d.se:.3g}), tolerance "
                f"{d.tolerance:.6g}, p {p_text(c.p_adjusted)}, n {d.n}, seeds {d.seeds[0]}/{d.seeds[1]}, "
                f"{d.method}"
            )
        if c.status == FAIL:
            ET.SubElement(
                case, "failure", {"message": c.reason, "type": "regression"}
            ).text = detail
        elif c.status == ERROR:
            ET.SubElement(case, "error", {"message": c.reason, "type": "cannot-compare"})
        elif c.status == SKIP:
            ET.SubElement(case, "skipped", {"message": c.reason})
        elif detail:
            ET.SubElement(case, "system-out").text = detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
