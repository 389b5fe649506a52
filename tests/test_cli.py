import json
import subprocess
import sys

import pytest

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.cli.main import main
from tests.fakes import write_asr_manifest


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_console_script_help():
    out = subprocess.run(
        [sys.executable, "-m", "evals.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "run" in out.stdout and "score" in out.stdout and "demo" in out.stdout


@pytest.mark.parametrize("sub", ["run", "score", "ls", "report", "demo"])
def test_every_subcommand_has_help(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([sub, "--help"])
    assert exit_.value.code == 0
    assert "usage: anybench " + sub in capsys.readouterr().out


@pytest.mark.parametrize("what", ["tasks", "models", "metrics", "suites"])
def test_ls(what, capsys):
    code, out, _ = cli(capsys, "ls", what, "-v")
    assert code == 0 and len(out.splitlines()) > 2


def test_unknown_task_is_one_line_with_suggestion(capsys, tmp_path):
    code, _, err = cli(
        capsys, "run", "--model", "test-echo", "--tasks", "librispeech-asrr", "--out", str(tmp_path)
    )
    assert code == 2
    assert err.strip().startswith(
        "anybench: error: unknown task 'librispeech-asrr'; did you mean librispeech-asr"
    )
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "-3"], "must be positive"),
        (["--shard", "3/2"], "need 0 <= index < count"),
        (["--shard", "half"], "is not I/N"),
        (["--data", "nopath"], "is not TASK=PATH"),
    ],
)
def test_invalid_values_are_one_line_errors(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--model", "test-echo", "--tasks", "manifest-asr", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_model_option(capsys, tmp_path):
    code, _, err = cli(
        capsys,
        "run",
        "--model",
        "test-echo:slep=1",
        "--tasks",
        "manifest-asr",
        "--out",
        str(tmp_path),
    )
    assert code == 2 and "unknown option 'slep'; did you mean sleep" in err


def test_missing_dataset_names_path_and_layout(capsys, tmp_path):
    code, _, err = cli(
        capsys,
        "run",
        "--model",
        "test-echo",
        "--tasks",
        "librispeech-asr",
        "--data",
        f"librispeech-asr={tmp_path}/LibriSpeech/test-clean",
        "--out",
        str(tmp_path / "runs"),
    )
    assert code == 2
    assert f"{tmp_path}/LibriSpeech/test-clean does not exist" in err and "trans.txt" in err


def test_run_score_report_without_the_model(capsys, tmp_path):
    manifest = write_asr_manifest(tmp_path / "data", 6, texts=["red green blue"] * 6)
    preds = tmp_path / "preds.jsonl"
    preds.write_text(
        "".join(
            json.dumps({"id": f"u{i:03d}", "text": "red green" if i % 2 else "red green blue"})
            + "\n"
            for i in range(5)
        )
    )  # u005 has no prediction
    code, out, _ = cli(
        capsys,
        "run",
        "--model",
        f"predictions:path={preds}",
        "--tasks",
        "manifest-asr",
        "--data",
        f"manifest-asr={manifest}",
        "--out",
        str(tmp_path / "runs"),
        "--run-id",
        "ext",
        "--no-progress",
    )
    assert code == 0 and "| predictions" in out
    run_dir = tmp_path / "runs" / "ext"
    res = json.loads((run_dir / "results.json").read_text())["tasks"]["manifest-asr"]
    assert res["integrity"]["failed"] == 1 and res["integrity"]["ok"] == 5
    # 2 misses of 1 word + 1 missing prediction (3 deletions) over 18 words
    assert res["metrics"]["wer@whisper-norm"]["value"] == pytest.approx(100 * 5 / 18)
    preds.unlink()  # re-scoring must not need the model (here: its predictions file)
    code, out, _ = cli(
        capsys, "score", str(run_dir), "--metrics", "wer@basic-utt", "--bootstrap", "200"
    )
    assert code == 0 and "wer@basic-utt" in out
    res = json.loads((run_dir / "results.json").read_text())["tasks"]["manifest-asr"]
    # scored presets accumulate: the defaults stay, the new one is added
    assert list(res["metrics"]) == [
        "wer@whisper-norm",
        "wer@whisper-norm-utt",
        "wer@basic",
        "wer@basic-utt",
    ]
    assert res["metrics"]["wer@basic-utt"]["value"] == pytest.approx(100 * (1 / 3 + 1 / 3 + 1) / 6)
    code, out, _ = cli(capsys, "report", str(run_dir), "--format", "csv")
    assert code == 0 and out.startswith("system,task,metric,value")


def test_report_of_a_folder_without_results(capsys, tmp_path):
    code, _, err = cli(capsys, "report", str(tmp_path))
    assert code == 2 and "no results file" in err
