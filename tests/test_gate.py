"""`anybench gate` end to end: real run folders, exit codes, rules, Markdown and JUnit output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pytest

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.cli.main import main
from evals.results import to_json
from reports.gate import GateInputError, run_gate
from reports.gate_rules import Rules, RulesError, load_rules, parse_rules
from reports.runs import load_runs
from tests.fakes import write_asr_manifest
from tests.report_fixtures import scored_run

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "near",
    "our",
    "river",
    "bank",
    "today",
]


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def asr_runs(tmp_path_factory):
    """Three runs through `anybench run` with the predictions adapter on one manifest:
    good transcripts, the same again, and transcripts corrupted on purpose."""
    root = tmp_path_factory.mktemp("gate")
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(6, 14))) for _ in range(40)]
    manifest = write_asr_manifest(root / "data", len(texts), texts=texts)

    def predictions(name, corrupt):
        lines = []
        for i, text in enumerate(texts):
            words = text.split()
            if i % 7 == 0:
                words = words[:-1]  # a realistic small error rate for every system
            if corrupt and i % 2 == 0:
                words = words[: len(words) // 2]  # the candidate lost half of every other line
            lines.append(json.dumps({"id": f"u{i:03d}", "text": " ".join(words)}))
        path = root / f"{name}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        return path

    folders = {}
    for name, corrupt in (("main", False), ("same", False), ("worse", True)):
        code = main(
            [
                "run",
                "--model",
                f"predictions:path={predictions(name, corrupt)}",
                "--label",
                name,
                "--tasks",
                "manifest-asr",
                "--data",
                f"manifest-asr={manifest}",
                "--out",
                str(root / "runs"),
                "--run-id",
                name,
                "--no-progress",
                "--bootstrap",
                "200",
            ]
        )
        assert code == 0
        folders[name] = root / "runs" / name
    return folders


def test_identical_runs_pass(asr_runs, capsys, tmp_path):
    junit = tmp_path / "gate.xml"
    code, out, _ = cli(
        capsys, "gate", "--baseline", str(asr_runs["main"]), "--candidate", str(asr_runs["same"]),
        "--junit", str(junit), "--resamples", "500",
    )  # fmt: skip
    assert code == 0 and "## anybench gate: PASS" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "0" and suite.get("errors") == "0"


def test_a_run_made_worse_fails(asr_runs, capsys, tmp_path):
    md, junit = tmp_path / "gate.md", tmp_path / "gate.xml"
    code, out, _ = cli(
        capsys, "gate", "--baseline", str(asr_runs["main"]), "--candidate", str(asr_runs["worse"]),
        "--markdown", str(md), "--junit", str(junit), "--resamples", "500",
    )  # fmt: skip
    assert code == 1 and "## anybench gate: FAIL" in out and md.read_text() == out
    root = ET.parse(junit).getroot()
    cases = root.findall("testsuite/testcase")
    assert {c.get("name") for c in cases} == {
        "wer@whisper-norm",
        "wer@whisper-norm-utt",
        "wer@basic",
    }
    assert all(c.get("classname") == "anybench.gate.manifest-asr" for c in cases)
    assert all(c.find("failure") is not None for c in cases)
    assert "significant regression" in cases[0].find("failure").get("message")


def test_a_tolerance_lets_a_small_regression_through(asr_runs, capsys, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "resamples: 500\n"
        "rules:\n"
        "  - {metric: 'wer@whisper-norm*', max_regression: 60}\n"
        "  - {metric: 'wer@basic', skip: true}\n"
    )
    code, out, _ = cli(
        capsys, "gate", "--baseline", str(asr_runs["main"]), "--candidate", str(asr_runs["worse"]),
        "--rules", str(rules),
    )  # fmt: skip
    assert code == 0 and "2 passed, 1 skipped" in out


def test_different_protocols_cannot_be_compared(asr_runs, capsys, tmp_path):
    data = json.loads((asr_runs["worse"] / "results.json").read_text())
    m = data["tasks"]["manifest-asr"]["metrics"]["wer@basic"]
    m["protocol"]["settings"]["normalizer"] = "none"
    m["protocol_hash"] = "0" * 16
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    (tampered / "results.json").write_text(json.dumps(data))
    (tampered / "scores").symlink_to(asr_runs["worse"] / "scores")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{metric: 'wer@whisper*', skip: true}]\n")
    code, out, _ = cli(
        capsys, "gate", "--baseline", str(asr_runs["main"]), "--candidate", str(tampered),
        "--rules", str(rules),
    )  # fmt: skip
    assert code == 2 and "CANNOT COMPARE" in out
    assert "protocol differs" in out and 'settings.normalizer: "lower-punct" vs "none"' in out


def test_missing_task_cannot_be_compared(tmp_path, capsys):
    stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0]])}
    base = scored_run(tmp_path / "base", "base", "manifest-asr", stats)
    other = scored_run(tmp_path / "other", "other", "librispeech-asr", stats)
    code, out, _ = cli(capsys, "gate", "--baseline", str(base), "--candidate", str(other))
    assert code == 2 and "candidate other has no task manifest-asr" in out
    assert "Tasks only the candidate has (not checked): librispeech-asr" in out


def test_no_shared_samples_cannot_be_compared(tmp_path):
    stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0]])}
    base = scored_run(tmp_path / "a", "a", "t", stats, ids=["x1", "x2"])
    cand = scored_run(tmp_path / "b", "b", "t", stats, ids=["y1", "y2"])
    result = run_gate(load_runs([base]), load_runs([cand]))
    assert result.exit_code == 2 and result.checks[0].reason == "no sample scored by both sides"


def test_only_shared_samples_are_compared(tmp_path):
    base_stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0], [5.0, 5.0]])}
    cand_stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0]])}
    base = scored_run(tmp_path / "a", "a", "t", base_stats, ids=["u1", "u2", "u3"])
    cand = scored_run(tmp_path / "b", "b", "t", cand_stats, ids=["u1", "u2"])
    refused = run_gate(load_runs([base]), load_runs([cand]))
    assert refused.exit_code == 2 and "covers 2 of the baseline's 3" in refused.checks[0].reason
    result = run_gate(load_runs([base]), load_runs([cand]), Rules(allow_subset=True))
    (check,) = result.checks
    assert check.delta.n == 2 and check.delta.regression == 0 and result.exit_code == 0
    assert "1 samples only in the baseline and 0 only in the candidate" in result.notes[0]


def test_stale_or_corrupt_scores_cannot_be_compared(tmp_path):
    stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0]])}
    base = scored_run(tmp_path / "a", "a", "t", stats)
    cand = scored_run(tmp_path / "b", "b", "t", stats)
    data = json.loads((cand / "results.json").read_text())
    data["tasks"]["t"]["metrics"]["wer@whisper-norm"]["value"] = 1.0
    (cand / "results.json").write_text(json.dumps(data))
    result = run_gate(load_runs([base]), load_runs([cand]))
    assert result.exit_code == 2 and "but results.json says 1" in result.checks[0].reason
    scores = base / "scores" / "t.jsonl"
    scores.write_text(scores.read_text()[:-20])
    result = run_gate(load_runs([base]), load_runs([base]))
    assert (
        result.exit_code == 2
        and f"{scores}:2: corrupt per-sample scores line" in result.checks[0].reason
    )


def test_a_regression_wins_over_an_incomparable_check(tmp_path):
    good = np.array([[0.0, 10.0]] * 30)
    bad = np.array([[5.0, 10.0]] * 30)
    base = scored_run(tmp_path / "a", "a", "t", {"wer@whisper-norm": good, "wer@basic": good})
    cand = scored_run(tmp_path / "b", "b", "t", {"wer@whisper-norm": bad})
    result = run_gate(load_runs([base]), load_runs([cand]))
    assert [c.status for c in result.checks] == ["fail", "error"] and result.exit_code == 1


def test_seeds_on_one_side(tmp_path):
    rng = np.random.default_rng(1)
    sims = [rng.normal(0.7, 0.05, 50)[:, None] for _ in range(4)]
    base = [
        scored_run(tmp_path / f"b{s}", "main", "t", {"sim@resemblyzer": sims[s]}, seed=s, spec="m")
        for s in (0, 1)
    ]
    cand = [
        scored_run(
            tmp_path / f"c{s}", "pr", "t", {"sim@resemblyzer": sims[2 + s]}, seed=s, spec="m2"
        )
        for s in (0, 1)
    ]
    result = run_gate(load_runs(base), load_runs(cand))
    (check,) = result.checks
    assert check.delta.seeds == (2, 2) and result.exit_code == 0
    with pytest.raises(GateInputError, match="share a seed"):
        run_gate([load_runs([base[0]])[0]] * 2, load_runs(cand))
    mixed = load_runs([base[0], cand[1]])
    with pytest.raises(GateInputError, match="differ in model, decoding or tasks"):
        run_gate(mixed, load_runs(cand))


def test_rules_files(tmp_path):
    path = tmp_path / "gate.yaml"
    path.write_text(
        "alpha: 0.01\npower: 0.9\ndefault: {max_regression_rel: 0.05}\n"
        "rules:\n  - {task: 'vctk-*', metric: 'wer*', max_regression: 1.5}\n"
    )
    rules = load_rules(path)
    assert rules.alpha == 0.01 and rules.power == 0.9 and rules.source == str(path)
    assert rules.match("vctk-tts", "wer-tts@x").tolerance(10.0) == 1.5
    assert rules.match("librispeech-asr", "wer@x").tolerance(10.0) == pytest.approx(0.5)
    for text, message in (
        ("alpha: 2\n", "`alpha` must be between"),
        ("rules: [{metric: wer, max_regresion: 1}]\n", "unknown key(s) max_regresion"),
        ("default: {task: x}\n", "default: unknown key(s) task"),
        ("rules: {a: 1}\n", "`rules` must be a list"),
        ("alpha: [\n", "not valid YAML"),
        ("rules: [{max_regression: -1}]\n", "`max_regression` must be >= 0"),
    ):
        path.write_text(text)
        with pytest.raises(RulesError, match=str(path)) as err:
            load_rules(path)
        assert message in str(err.value)
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "missing.yaml")
    assert parse_rules(None).correction == "holm"


def test_unavailable_metric_cannot_be_compared(tmp_path):
    stats = {"wer@whisper-norm": np.array([[1.0, 10.0], [0.0, 8.0]])}
    base = scored_run(tmp_path / "a", "a", "t", stats)
    run = load_runs([base])[0]
    m = run.tasks["t"].metrics["wer@whisper-norm"]
    broken = replace(
        run,
        tasks={"t": replace(run.tasks["t"], metrics={m.name: replace(m, unavailable="no scorer")})},
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "results.json").write_text(json.dumps(to_json(broken)))
    result = run_gate(load_runs([base]), load_runs([tmp_path / "c"]))
    assert result.exit_code == 2 and "unavailable: no scorer" in result.checks[0].reason


def test_the_documented_example_rules_parse():
    from pathlib import Path

    rules = load_rules(Path(__file__).parents[1] / "docs" / "gate-rules.example.yaml")
    assert rules.match("librispeech-asr", "wer@whisper-norm").max_regression == 0.3
    assert rules.match("vctk-tts", "sim@resemblyzer").tolerance(0.8) == pytest.approx(0.016)
    assert rules.match("vctk-tts", "dnsmos@p835").skip
    assert rules.match("x", "y").tolerance(5.0) == 0.0
