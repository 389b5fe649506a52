"""Fault injection through the CLI: every bad input is a one-line answer (exit 2) or a counted
sample, and no good sample is lost; kill -9 anywhere, resume, and the results are identical.

Each case builds a small world (a 4-clip ASR manifest, predictions, a finished run), breaks one
thing, runs the CLI in-process and checks the exit code, the message, the integrity counts and
that the good samples are still there. The kill tests start real processes (test_resume_kill's
machinery) and SIGKILL them at seeded random points.
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.fakes import write_asr_manifest
from tests.run_helpers import cli, results, run_args
from tests.test_resume_kill import anybench, log_lines

N = 4
GOOD = [f"u{i:03d}" for i in range(N)]


def manifest(tmp: Path) -> Path:
    return write_asr_manifest(tmp / "data", N)


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def write_rows(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in items))


def edit_line(path: Path, lineno: int, raw: bytes) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[lineno - 1] = raw
    path.write_bytes(b"".join(lines))


def predictions(tmp: Path, data: Path, drop: tuple[str, ...] = (), extra: list | None = None):
    """A predictions file with every clip's true transcript (WER 0), minus `drop`, plus `extra`."""
    preds = tmp / "preds.jsonl"
    items = [{"id": r["id"], "text": r["text"]} for r in rows(data) if r["id"] not in drop]
    write_rows(preds, items + (extra or []))
    return preds


def finished_run(tmp: Path, capsys) -> Path:
    data = manifest(tmp)
    assert cli(capsys, *run_args(tmp, data)).code == 0
    return tmp / "r"


@dataclass(frozen=True)
class Case:
    """One injected fault and what the CLI must answer."""

    build: Callable[[Path, object], list[str]]
    """Makes the world under a temp folder and returns the CLI arguments."""
    code: int
    """Expected exit status."""
    message: str = ""
    """Expected in the one-line error (code 2), or in the integrity examples (code 0)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Expected integrity counts of manifest-asr (code 0)."""
    good: tuple[str, ...] = tuple(GOOD)
    """Samples that must end `ok` (code 0)."""
    untouched: bool = True
    """Code 2: no run folder is written (start errors), or a finished run's results unchanged."""


def start(mutate: Callable[[Path], object]) -> Callable[[Path, object], list[str]]:
    """A run on the 4-clip manifest after `mutate(manifest)`."""

    def build(tmp: Path, capsys) -> list[str]:
        data = manifest(tmp)
        mutate(data)
        return run_args(tmp, data)

    return build


def with_args(*extra: str, model: str = "test-echo", data=None):
    def build(tmp: Path, capsys) -> list[str]:
        path = manifest(tmp) if data is None else data(tmp)
        return run_args(tmp, path, *extra, model=model)

    return build


def with_predictions(make: Callable[[Path, Path], Path]):
    def build(tmp: Path, capsys) -> list[str]:
        data = manifest(tmp)
        return run_args(tmp, data, model=f"predictions:path={make(tmp, data)}")

    return build


def on_finished_run(mutate: Callable[[Path], object], *args: str):
    """`anybench score RUN ARGS` after `mutate(run folder)` on a finished run."""

    def build(tmp: Path, capsys) -> list[str]:
        run = finished_run(tmp, capsys)
        mutate(run)
        return ["score", str(run), "--bootstrap", "50", *args]

    return build


def drop_config_key(*path: str):
    def mutate(run: Path) -> None:
        config = json.loads((run / "config.json").read_text())
        node = config
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        (run / "config.json").write_text(json.dumps(config))

    return mutate


def clip(tmp: Path, name: str, samples: np.ndarray) -> str:
    path = tmp / "data" / "wavs" / name
    sf.write(path, samples, 16000, subtype="FLOAT")
    return f"wavs/{name}"


def add_clip(name: str, samples: Callable[[], np.ndarray]):
    def mutate(data: Path) -> None:
        items = rows(data)
        items.append(
            {
                "id": name,
                "audio": clip(data.parent.parent, f"{name}.wav", samples()),
                "text": "x",
                "speaker": "s9",
            }
        )
        write_rows(data, items)

    return mutate


def set_audio(sample: str, value: str | None = None, content: bytes | None = None):
    def mutate(data: Path) -> None:
        items = rows(data)
        for r in items:
            if r["id"] == sample or sample == "*":
                if content is not None:
                    (data.parent / r["audio"]).write_bytes(content)
                else:
                    r["audio"] = value
        write_rows(data, items)

    return mutate


CASES = {
    # start errors: one line, exit 2, nothing written
    "data-path-typo": Case(
        with_args(data=lambda t: manifest(t).parent / "typo.jsonl"), 2, "typo.jsonl does not exist"
    ),
    "data-folder-without-manifest": Case(
        with_args(data=lambda t: (t / "empty").mkdir() or t / "empty"),
        2,
        "manifest.jsonl does not exist",
    ),
    "empty-manifest": Case(start(lambda d: d.write_text("")), 2, "no samples in"),
    "blank-lines-manifest": Case(start(lambda d: d.write_text("\n\n  \n")), 2, "no samples in"),
    "manifest-invalid-utf8-first-line": Case(
        start(lambda d: edit_line(d, 1, b'{"id": "u\xff"}\n')),
        2,
        "manifest.jsonl:1: not valid UTF-8 (byte 0xff",
    ),
    "manifest-invalid-utf8-later-line": Case(
        start(lambda d: edit_line(d, 3, b'{"id": "\xc3("}\n')),
        2,
        "manifest.jsonl:3: not valid UTF-8",
    ),
    "manifest-invalid-json": Case(
        start(lambda d: edit_line(d, 2, b"{not json\n")), 2, "manifest.jsonl:2: not valid JSON"
    ),
    "manifest-line-not-object": Case(
        start(lambda d: edit_line(d, 2, b"[1, 2]\n")),
        2,
        "manifest.jsonl:2: expected a JSON object, got list",
    ),
    "manifest-missing-field": Case(
        start(lambda d: edit_line(d, 4, b'{"id": "z", "text": "a"}\n')),
        2,
        "manifest.jsonl:4: missing field(s) audio",
    ),
    "manifest-duplicate-id": Case(
        start(lambda d: edit_line(d, 3, d.read_bytes().splitlines(keepends=True)[0])),
        2,
        "manifest.jsonl:3: duplicate id 'u000'",
    ),
    "unknown-task": Case(
        lambda t, c: ["run", "--model", "test-echo", "--tasks", "manifest-asrr", "--out", str(t)],
        2,
        "did you mean",
    ),
    "unknown-metric": Case(with_args("--metrics", "wer@basci"), 2, "wer@basci"),
    "metric-does-not-fit": Case(
        with_args("--metrics", "bleu-4@coco"),
        2,
        "--metrics bleu-4@coco cannot score task manifest-asr",
    ),
    "unknown-model-option": Case(with_args(model="test-echo:slep=1"), 2, "unknown option 'slep'"),
    "bad-shard": Case(with_args("--shard", "3/2"), 2, "need 0 <= index < count"),
    "predictions-missing-file": Case(
        with_predictions(lambda t, d: t / "nope.jsonl"), 2, "nope.jsonl does not exist"
    ),
    "predictions-invalid-utf8": Case(
        with_predictions(
            lambda t, d: (
                (p := predictions(t, d))
                and (edit_line(p, 2, b'{"id": "u001", "text": "\xe9t\xe9"}\n') or p)
            )
        ),
        2,
        "preds.jsonl:2: not valid UTF-8",
    ),
    "predictions-duplicate-id": Case(
        with_predictions(lambda t, d: predictions(t, d, extra=[{"id": "u001", "text": "other"}])),
        2,
        "preds.jsonl:5: duplicate id 'u001' (also on line 2)",
    ),
    "predictions-missing-id": Case(
        with_predictions(lambda t, d: predictions(t, d, extra=[{"text": "no id"}])),
        2,
        "preds.jsonl:5: missing field `id`",
    ),
    "predictions-invalid-json": Case(
        with_predictions(
            lambda t, d: (p := predictions(t, d)) and (edit_line(p, 1, b"{oops\n") or p)
        ),
        2,
        "preds.jsonl:1: not valid JSON",
    ),
    # samples that fail alone: counted, the others ok
    "missing-audio-file": Case(
        start(set_audio("u001", "wavs/gone.wav")),
        0,
        "gone.wav",
        {"input_errors": 1, "ok": 3},
        ("u000", "u002", "u003"),
    ),
    "corrupt-audio-file": Case(
        start(set_audio("u002", content=b"RIFF garbage")),
        0,
        "u002.wav",
        {"input_errors": 1, "ok": 3},
        ("u000", "u001", "u003"),
    ),
    "every-sample-an-input-error": Case(
        start(set_audio("*", "wavs/gone.wav")),
        0,
        "gone.wav",
        {"input_errors": N, "ok": 0, "total": N},
        (),
    ),
    "model-fails-one-sample": Case(
        with_args(model="test-echo:fail=u001"),
        0,
        "cannot do u001",
        {"failed": 1, "ok": 3},
        ("u000", "u002", "u003"),
    ),
    "batch-crash-retried-per-sample": Case(
        with_args("--batch-size", "4", model="test-echo:fail=u003,crash_batch=true"),
        0,
        "cannot do u003",
        {"failed": 1, "ok": 3},
        ("u000", "u001", "u002"),
    ),
    "prediction-missing-for-a-sample": Case(
        with_predictions(lambda t, d: predictions(t, d, drop=("u002",))),
        0,
        "no prediction for this sample id",
        {"failed": 1, "ok": 3},
        ("u000", "u001", "u003"),
    ),
    "prediction-line-without-text": Case(
        with_predictions(
            lambda t, d: (
                (p := predictions(t, d, drop=("u000",)))
                and (write_rows(p, [*rows(p), {"id": "u000"}]) or p)
            )
        ),
        0,
        "no `text` string",
        {"failed": 1, "ok": 3},
        ("u001", "u002", "u003"),
    ),
    "prediction-ids-matching-no-sample": Case(
        with_predictions(
            lambda t, d: predictions(
                t, d, extra=[{"id": "zz9", "text": "a"}, {"id": "zz8", "text": "b"}]
            )
        ),
        0,
        "2 prediction id(s) match no sample of the task: zz8, zz9",
        {"ok": N},
    ),
    "too-short-input": Case(
        start(add_clip("short", lambda: 0.3 * np.ones(800, np.float32))),
        0,
        "",
        {"ok": N + 1, "degenerate": 1},
    ),
    "silent-input": Case(
        start(add_clip("silent", lambda: np.zeros(16000, np.float32))),
        0,
        "",
        {"ok": N + 1, "degenerate": 1},
    ),
    # scoring a broken run folder: one line, exit 2, results as they were
    "config-missing-tasks": Case(
        on_finished_run(drop_config_key("tasks")), 2, "config.json: missing key(s) tasks"
    ),
    "config-missing-model-name": Case(
        on_finished_run(drop_config_key("model", "name")), 2, "missing key(s) model.name"
    ),
    "config-missing-task-data": Case(
        on_finished_run(drop_config_key("tasks", "manifest-asr", "data")),
        2,
        "task manifest-asr: missing key(s) data",
    ),
    "config-not-json": Case(
        on_finished_run(lambda r: (r / "config.json").write_text("{")),
        2,
        "config.json: not valid JSON",
    ),
    "score-unknown-task": Case(
        on_finished_run(lambda r: None, "--tasks", "nope"), 2, "task(s) nope not in this run"
    ),
    "score-metric-does-not-fit": Case(
        on_finished_run(lambda r: None, "--metrics", "dnsmos@p835"),
        2,
        "cannot score task manifest-asr",
    ),
    "corrupt-prediction-log-line": Case(
        on_finished_run(
            lambda r: edit_line(r / "predictions" / "manifest-asr.jsonl", 2, b"{torn\n")
        ),
        2,
        "manifest-asr.jsonl:2: corrupt prediction line",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fault(name, tmp_path, capsys):
    case = CASES[name]
    args = case.build(tmp_path, capsys)
    run = tmp_path / "r"
    before = (run / "results.json").read_bytes() if (run / "results.json").exists() else None
    log = run / "predictions" / "manifest-asr.jsonl"
    logged = log.read_bytes() if log.exists() else None
    outcome = cli(capsys, *args)
    assert outcome.code == case.code, outcome.err
    assert "Traceback" not in outcome.err
    if case.code == 2:
        errors = [x for x in outcome.err.splitlines() if ": error: " in x]
        assert len(errors) == 1 and case.message in errors[0], outcome.err
        if before is None:
            assert not run.exists() or not (run / "config.json").exists()
        else:  # a finished run: nothing lost, results and logs as they were
            assert (run / "results.json").read_bytes() == before
            assert log.read_bytes() == logged
        return
    task = results(run)["tasks"]["manifest-asr"]
    integrity = task["integrity"]
    for key, value in case.counts.items():
        assert integrity[key] == value, (key, integrity)
    assert integrity["partial"] is False
    if case.message:
        reasons = " | ".join(e["reason"] for e in integrity["examples"])
        assert case.message in reasons, reasons
    lines = [
        json.loads(x) for x in (run / "predictions" / "manifest-asr.jsonl").read_text().splitlines()
    ]
    ok = {r["sample_id"] for r in lines if r["response"]["error"] is None}
    assert set(case.good) <= ok  # no good sample lost
    if not integrity["ok"]:
        assert all(m["value"] is None and m["unavailable"] for m in task["metrics"].values())


def test_fault_suite_is_large_enough():
    assert len(CASES) >= 25


# kill -9 at seeded random points, then resume: identical results


def _until(proc, ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not ready() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)


def _kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _finish(*args: str) -> str:
    proc = anybench(*args)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    return out


def _stable(res: dict) -> dict:
    """results.json without what differs between two scorings (time, timings, host)."""
    return {
        name: {"metrics": t["metrics"], "integrity": t["integrity"]}
        for name, t in res["tasks"].items()
    }


def _leftover_temp_files(run: Path) -> list[Path]:
    return [p for p in run.rglob("*") if p.name.startswith(".") and ".tmp" in p.name]


def test_kill_during_media_writing_resumes_to_the_same_audio(tmp_path):
    data = write_asr_manifest(tmp_path / "data", 12)
    common = [
        "run",
        "--model",
        "test-tone:sleep=0.08",
        "--tasks",
        "manifest-tts",
        "--data",
        f"manifest-tts={data}",
        "--out",
        str(tmp_path),
        "--batch-size",
        "1",
        "--no-progress",
        "--no-score",
    ]
    log = tmp_path / "killed" / "predictions" / "manifest-tts.jsonl"
    rng = random.Random(14)
    for _ in range(2):
        proc = anybench(*common, "--run-id", "killed")
        target = len(log_lines(log)) + rng.randint(1, 3)
        _until(proc, lambda t=target: len(log_lines(log)) >= t)
        time.sleep(rng.uniform(0, 0.08))  # somewhere inside the next sample's media write
        _kill(proc)
    assert len(log_lines(log)) < 12, "the kills must land mid-run"
    out = _finish(*common, "--run-id", "killed")
    assert "resuming:" in out
    _finish(*common, "--run-id", "clean")

    def audio(run_id: str) -> dict[str, np.ndarray]:
        run = tmp_path / run_id
        found = {}
        for line in log_lines(run / "predictions" / "manifest-tts.jsonl"):
            rec = json.loads(line)
            found[rec["sample_id"]] = sf.read(
                run / "artifacts" / rec["response"]["output"]["artifact"]
            )[0]
        return found

    killed, clean = audio("killed"), audio("clean")
    assert sorted(killed) == sorted(clean) and len(killed) == 12
    assert len(log_lines(log)) == 12  # none twice
    assert all(np.array_equal(killed[k], clean[k]) for k in clean)
    assert _leftover_temp_files(tmp_path / "killed") == []


def test_kill_during_scoring_and_results_writing_resumes_to_identical_results(tmp_path):
    data = write_asr_manifest(tmp_path / "data", 16)
    _finish(*run_args(tmp_path, data, "--no-score"))
    run = tmp_path / "r"
    score = ["score", str(run), "--bootstrap", "200"]
    t0 = time.perf_counter()
    _finish(*score)
    clean = _stable(results(run))
    took = time.perf_counter() - t0
    (run / "results.json").unlink()
    rng = random.Random(15)
    for _ in range(3):  # early (imports), middle (scoring), late (results and history writes)
        proc = anybench(*score)
        time.sleep(rng.uniform(0.5, 1.0) * took)
        _kill(proc)
    (run / "scores" / ".manifest-asr.jsonl.999999.left.tmp").write_text("torn")  # a dead writer's
    _finish(*score)
    assert _stable(results(run)) == clean
    assert _leftover_temp_files(run) == []


def test_sigterm_stops_cleanly_with_a_message_and_resumes(tmp_path):
    data = write_asr_manifest(tmp_path / "data", 12)
    common = run_args(tmp_path, data, "--batch-size", "1", model="test-echo:sleep=0.1")
    log = tmp_path / "r" / "predictions" / "manifest-asr.jsonl"
    proc = anybench(*common)
    _until(proc, lambda: len(log_lines(log)) >= 3)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "interrupted; run the same command again to resume" in out and "Traceback" not in out
    _finish(*common)
    assert sorted(json.loads(x)["sample_id"] for x in log_lines(log)) == [
        f"u{i:03d}" for i in range(12)
    ]
