"""Progress output: totals, rate/ETA lines off a terminal, a resume line, scoring steps."""

import io
import re

import pytest

from evals import progress
from evals.cli.main import main
from evals.datasets.librispeech import read_librispeech
from evals.datasets.manifest import read_asr_manifest
from tests.fakes import write_asr_manifest
from tests.speech_data import make_librispeech


@pytest.fixture(autouse=True)
def progress_on():
    yield
    progress.set_enabled(True)  # --no-progress turns it off for the process


def run(manifest, out, *extra):
    args = ["run", "--model", "test-echo", "--tasks", "manifest-asr", "--batch-size", "2"]
    return main([*args, "--data", f"manifest-asr={manifest}", "--out", str(out), *extra])


def test_plain_lines_with_totals_rate_eta_resume_and_scoring(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ANYBENCH_PROGRESS_INTERVAL", "0")  # a line per batch
    manifest = write_asr_manifest(tmp_path / "d", 6)
    assert run(manifest, tmp_path / "runs", "--run-id", "r", "--limit", "4") == 0
    err = capsys.readouterr().err
    assert "anybench: manifest-asr: 4 samples to generate" in err
    assert re.search(r"manifest-asr: 2/4 \(50%\) samples, [\d.]+/s, ETA \d+s", err), err
    assert "manifest-asr: done, 4 generated in" in err
    assert "scoring manifest-asr [1/3] wer@whisper-norm ..." in err
    assert run(manifest, tmp_path / "runs", "--run-id", "r") == 0  # the whole manifest now
    err = capsys.readouterr().err
    assert "manifest-asr: resuming: 4 of 6 samples done" in err
    assert "6/6 (100%)" in err


def test_no_progress_is_silent(tmp_path, capsys):
    manifest = write_asr_manifest(tmp_path / "d", 2)
    assert run(manifest, tmp_path / "runs", "--no-progress") == 0
    assert "anybench:" not in capsys.readouterr().err


def test_a_bar_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(progress, "_stream", lambda: screen)
    with progress.generation("t", 5) as bar:
        bar.resume(2)
        bar.update(3)
    text = screen.getvalue()
    assert "resuming: 2 of 5 samples done" in text and "5/5" in text


@pytest.mark.parametrize("kind", ["librispeech", "manifest"])
def test_cheap_totals_match_the_readers(kind, tmp_path):
    if kind == "librispeech":
        path, reader = make_librispeech(tmp_path), read_librispeech
    else:
        path, reader = write_asr_manifest(tmp_path, 3), read_asr_manifest
    n = sum(1 for _ in reader(path))
    assert progress.expected_total(reader, str(path), None) == n
    assert progress.expected_total(reader, str(path), 2) == min(2, n)
    assert progress.expected_total(reader, str(path), None, shards=2) is None
    assert progress.expected_total(lambda p: iter(()), str(path), None) is None
