"""Kill a real `anybench run` process mid-way with SIGKILL, resume it, compare with a clean run."""

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.cli_launch import COMMAND, REPO, launch_env
from tests.fakes import write_asr_manifest


def anybench(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=REPO,
        env=launch_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def log_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    manifest = write_asr_manifest(tmp_path / "data", 24)
    common = [
        "run",
        "--model",
        "test-echo:sleep=0.15",
        "--tasks",
        "manifest-asr",
        "--data",
        f"manifest-asr={manifest}",
        "--batch-size",
        "2",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    log = tmp_path / "killed" / "predictions" / "manifest-asr.jsonl"
    proc = anybench(*common, "--run-id", "killed")
    deadline = time.time() + 120
    while len(log_lines(log)) < 8 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stdout.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = log_lines(log)
    assert 8 <= len(done_before) < 24, "the kill must land mid-run"
    assert not (tmp_path / "killed" / "predictions" / "manifest-asr.done.json").exists()

    resumed = anybench(*common, "--run-id", "killed")
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out
    clean = anybench(*common, "--run-id", "clean")
    out2, _ = clean.communicate(timeout=300)
    assert clean.returncode == 0, out2

    killed_lines = [json.loads(x) for x in log_lines(log)]
    ids = [x["sample_id"] for x in killed_lines]
    assert len(ids) == len(set(ids)) == 24  # none lost, none twice
    assert [json.loads(x)["sample_id"] for x in done_before] == ids[: len(done_before)]
    pids = {x["response"]["info"]["pid"] for x in killed_lines}
    assert len(pids) == 2  # two processes wrote the log

    def texts(run_id):
        rows = [
            json.loads(x)
            for x in log_lines(tmp_path / run_id / "predictions" / "manifest-asr.jsonl")
        ]
        return {r["sample_id"]: r["response"]["output"]["text"] for r in rows}

    assert texts("killed") == texts("clean")
    a = json.loads((tmp_path / "killed" / "results.json").read_text())["tasks"]["manifest-asr"]
    b = json.loads((tmp_path / "clean" / "results.json").read_text())["tasks"]["manifest-asr"]
    assert a["metrics"] == b["metrics"] and a["integrity"] == b["integrity"]
