"""Honest scoring state: partial runs marked, --tasks and --metrics merge, fit checked first,
n/a when every sample fell to the failure policy, one preset's crash isolated."""

from __future__ import annotations

import json

import pytest
import soundfile as sf

from evals.registry import METRICS
from metrics.base import MeanMetric, MetricPreset, SampleScore
from tests.fakes import write_asr_manifest
from tests.run_helpers import cli, results, run_args


@pytest.fixture
def scored(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 4)
    assert cli(capsys, *run_args(tmp_path, data)).code == 0
    return tmp_path / "r"


def test_unfinished_task_is_scored_as_partial_and_said_so(scored, capsys):
    (scored / "predictions" / "manifest-asr.done.json").unlink()  # as if killed before the end
    log = scored / "predictions" / "manifest-asr.jsonl"
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:2]))
    out = cli(capsys, "score", scored, "--bootstrap", "50")
    assert out.code == 0
    assert "manifest-asr: partial: scored 2 of 4 samples" in out.err
    integ = results(scored)["tasks"]["manifest-asr"]["integrity"]
    assert integ["partial"] is True and integ["total"] == 2 and integ["missing"] == 2


def test_finished_task_is_not_partial(scored):
    assert results(scored)["tasks"]["manifest-asr"]["integrity"]["partial"] is False


def test_score_tasks_keeps_the_other_tasks(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 3)
    args = run_args(tmp_path, data)
    args[args.index("manifest-asr")] = "manifest-asr,librispeech-asr"
    ls = tmp_path / "ls" / "1" / "2"
    ls.mkdir(parents=True)
    (ls / "1-2.trans.txt").write_text("1-2-0000 HELLO\n")
    samples, rate = sf.read(tmp_path / "data" / "wavs" / "u000.wav")
    sf.write(ls / "1-2-0000.flac", samples, rate)
    args += ["--data", f"librispeech-asr={tmp_path / 'ls'}"]
    assert cli(capsys, *args).code == 0
    before = results(tmp_path / "r")["tasks"]
    assert set(before) == {"manifest-asr", "librispeech-asr"}
    out = cli(capsys, "score", tmp_path / "r", "--tasks", "manifest-asr", "--bootstrap", "50")
    assert out.code == 0
    after = results(tmp_path / "r")["tasks"]
    assert list(after) == ["manifest-asr", "librispeech-asr"]
    assert after["librispeech-asr"] == before["librispeech-asr"]


def test_unknown_task_or_metric_fails_before_anything_is_written(scored, capsys):
    stamp = (scored / "results.json").stat().st_mtime_ns
    typo = cli(capsys, "score", scored, "--tasks", "manifest-asrr")
    assert typo.code == 2 and "manifest-asrr not in this run (it has: manifest-asr)" in typo.err
    bad = cli(capsys, "score", scored, "--metrics", "wer@basci")
    assert bad.code == 2 and "did you mean" in bad.err
    assert (scored / "results.json").stat().st_mtime_ns == stamp
    assert not (scored / "history").exists()


def test_scored_presets_accumulate_in_config_and_results(scored, capsys):
    out = cli(capsys, "score", scored, "--metrics", "wer@basic-utt", "--bootstrap", "50")
    assert out.code == 0
    config = json.loads((scored / "config.json").read_text())
    expected = ["wer@whisper-norm", "wer@whisper-norm-utt", "wer@basic", "wer@basic-utt"]
    assert config["tasks"]["manifest-asr"]["metrics"] == expected
    assert list(results(scored)["tasks"]["manifest-asr"]["metrics"]) == expected
    again = cli(capsys, "score", scored, "--bootstrap", "50")  # no --metrics: the union stays
    assert again.code == 0
    assert list(results(scored)["tasks"]["manifest-asr"]["metrics"]) == expected
    assert len(list((scored / "history").glob("results-*.json"))) == 2


@pytest.mark.parametrize("metric", ["cider-d@coco", "sim@resemblyzer", "clip_i@openai-vit-l-14"])
def test_metric_that_does_not_fit_the_task_fails_before_scoring(scored, capsys, metric):
    out = cli(capsys, "score", scored, "--metrics", metric)
    assert out.code == 2
    assert f"--metrics {metric} cannot score task manifest-asr" in out.err
    assert "speech -> text" in out.err


def test_metric_that_does_not_fit_fails_before_generation(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 2)
    out = cli(capsys, *run_args(tmp_path, data, "--metrics", "cider-d@coco"))
    assert out.code == 2 and "cannot score task manifest-asr" in out.err
    unknown = cli(capsys, *run_args(tmp_path, data, "--metrics", "wer@nope"))
    assert unknown.code == 2 and "wer@nope" in unknown.err
    assert not (tmp_path / "r").exists()


def test_preset_scored_only_by_failure_policy_is_na(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 3)
    out = cli(capsys, *run_args(tmp_path, data, model="test-echo:fail=u000+u001+u002"))
    assert out.code == 0
    wer = results(tmp_path / "r")["tasks"]["manifest-asr"]["metrics"]["wer@whisper-norm"]
    assert wer["value"] is None and wer["n_policy"] == wer["n"] == 3
    assert "every one of the 3 samples was scored by the failure policy" in wer["unavailable"]


class Exploding(MeanMetric):
    def score(self, records):
        raise ZeroDivisionError("boom in the scorer")


class Fine(MeanMetric):
    def score(self, records):
        return [SampleScore((1.0,), 1.0) for _ in records]


def test_a_preset_that_raises_is_unavailable_and_the_others_score(scored, capsys):
    for name, cls in (("test-boom", Exploding), ("test-fine", Fine)):
        if name not in METRICS.names():
            preset = MetricPreset(name, "test", "test metric", True, "fraction", "mean")
            METRICS.register(name, cls(preset))
    out = cli(capsys, "score", scored, "--metrics", "test-boom,test-fine", "--bootstrap", "50")
    assert out.code == 0, out.err
    metrics = results(scored)["tasks"]["manifest-asr"]["metrics"]
    assert metrics["test-boom"]["value"] is None
    assert metrics["test-boom"]["unavailable"] == "ZeroDivisionError: boom in the scorer"
    assert metrics["test-fine"]["value"] == 1.0
    assert metrics["wer@whisper-norm"]["value"] == 0.0


def test_run_metrics_choose_the_first_scoring_then_score_adds(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 3)
    assert cli(capsys, *run_args(tmp_path, data, "--metrics", "wer@basic")).code == 0
    run = tmp_path / "r"
    assert list(results(run)["tasks"]["manifest-asr"]["metrics"]) == ["wer@basic"]
    config = json.loads((run / "config.json").read_text())
    assert config["tasks"]["manifest-asr"]["metrics"] == ["wer@basic"]
    assert cli(capsys, "score", run, "--metrics", "wer@basic-utt", "--bootstrap", "50").code == 0
    assert list(results(run)["tasks"]["manifest-asr"]["metrics"]) == ["wer@basic", "wer@basic-utt"]
