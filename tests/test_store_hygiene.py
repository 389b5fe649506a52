"""Temp files of killed writers are swept; those of live writers (other ranks) are left alone."""

from __future__ import annotations

import os
import subprocess
import sys

from evals.store import RunStore


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_dead_writers_files_only(tmp_path):
    store = RunStore(tmp_path / "run")
    for folder in (store.root, store.scores_dir, store.artifacts_dir):
        folder.mkdir(parents=True, exist_ok=True)
    dead, live = dead_pid(), os.getppid()
    left = [
        store.root / f".results.json.{dead}.abc.tmp",
        store.scores_dir / f".t.jsonl.{dead}.xyz.tmp",
        store.artifacts_dir / f".tmp-{dead}-q1",
    ]
    kept = [
        store.root / f".results.json.{live}.abc.tmp",
        store.artifacts_dir / f".tmp-{live}-q2",
        store.artifacts_dir / "abc.wav",
        store.root / "results.json",
    ]
    for path in left + kept:
        path.write_text("x")
    assert store.sweep_temp_files() == len(left)
    assert not any(p.exists() for p in left) and all(p.exists() for p in kept)


def test_temp_names_carry_the_writers_pid(tmp_path):
    store = RunStore(tmp_path)
    name = store.put_artifact(b"data", "bin")
    assert (store.artifacts_dir / name).read_bytes() == b"data"
    assert list(store.artifacts_dir.glob(".tmp-*")) == []
