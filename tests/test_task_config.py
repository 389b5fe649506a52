"""Task files (YAML), `--include-path` folders, suites with data and limits."""

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.cli.main import main
from evals.registry import TASKS
from evals.task import DataNotFoundError, DataSource
from evals.task_config import TaskConfigError, load_task_file
from tests.cli_launch import COMMAND, launch_env
from tests.fakes import write_asr_manifest

TEXTS = ["alpha bravo", "alpha bravo", "alpha bravo charlie delta", "alpha"]

ADAPTER = '''
from dataclasses import dataclass

from evals.adapters.base import ModelAdapter
from evals.registry import MODELS
from evals.types import Modality, Response, Text


@dataclass(frozen=True)
class Options:
    words: str = "alpha bravo"
    """What every transcript says."""


@MODELS.register("user-fixed")
class FixedASR(ModelAdapter):
    """Says the same words for every clip."""

    capabilities = frozenset({(Modality.SPEECH, Modality.TEXT)})
    Options = Options

    def generate(self, requests):
        return [Response(r.sample_id, Text(self.options.words)) for r in requests]
'''

TASK = """
name: user-asr
family: asr
description: my own ASR task over a manifest beside this file
data:
  reader: asr-manifest
  path: data/manifest.jsonl
input: speech
output: text
metrics: [wer@basic]
version: "3"
"""


@pytest.fixture(scope="module")
def include_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("include")
    write_asr_manifest(folder / "data", len(TEXTS), texts=TEXTS)
    (folder / "user_adapter.py").write_text(ADAPTER)
    (folder / "user-asr.yaml").write_text(TASK)
    (folder / "user-suite.yaml").write_text(
        "name: user-suite\ntasks:\n  - {name: user-asr, limit: 2}\n"
    )
    return folder


def expected_wer(texts: list[str], hyp: str) -> float:
    import jiwer

    return 100 * jiwer.wer(texts, [hyp] * len(texts))


def test_include_path_task_and_adapter_run_and_score(include_dir, tmp_path, capsys):
    code = main(
        [
            "run",
            "--include-path",
            str(include_dir),
            "--model",
            "user-fixed",
            "--tasks",
            "user-asr",
            "--out",
            str(tmp_path),
            "--run-id",
            "r",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "r" / "results.json").read_text())["tasks"]["user-asr"]
    assert results["metrics"]["wer@basic"]["value"] == pytest.approx(
        expected_wer(TEXTS, "alpha bravo")
    )
    config = json.loads((tmp_path / "r" / "config.json").read_text())["tasks"]["user-asr"]
    assert config["version"] == "3" and config["data"] == str(include_dir / "data/manifest.jsonl")


def test_included_suite_carries_a_limit(include_dir, tmp_path, capsys):
    args = ["run", "--include-path", str(include_dir), "--model", "user-fixed"]
    code = main([*args, "--suite", "user-suite", "--out", str(tmp_path), "--run-id", "s"])
    assert code == 0, capsys.readouterr().err
    log = (tmp_path / "s" / "predictions" / "user-asr.jsonl").read_text().splitlines()
    assert len(log) == 2


def test_env_include_path_and_ls_shows_the_origin(include_dir):
    env = {**launch_env(), "ANYBENCH_INCLUDE_PATH": str(include_dir)}
    out = subprocess.run(
        [*COMMAND, "ls", "tasks"], capture_output=True, text=True, env=env, check=True
    ).stdout
    row = next(line for line in out.splitlines() if line.startswith("user-asr "))
    assert str(include_dir / "user-asr.yaml") in row
    builtin = next(line for line in out.splitlines() if line.startswith("librispeech-asr "))
    assert "tasks/configs/librispeech-asr.yaml" in builtin


@pytest.mark.parametrize(
    ("edit", "key", "allowed"),
    [
        (("family: asr", "family: asr\nmetric: [wer@basic]"), "metric:", "metrics"),
        (("input: speech", "input: speach"), "input:", "speech"),
        (("[wer@basic]", "[wer@basicc]"), "metrics:", "wer@basic"),
        (("reader: asr-manifest", "reader: asr-manifesto"), "data.reader:", "asr-manifest"),
        (
            ("  path: data/manifest.jsonl", "  path: x\n  options: {clip: 3}"),
            "data.options.clip:",
            "this reader takes none",
        ),
    ],
)
def test_invalid_task_file_is_one_line_naming_file_and_key(edit, key, allowed, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TASK.replace(*edit))
    code = main(["ls", "tasks", "--include-path", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"anybench: error: {bad}: {key}") and allowed in err


def test_extends_overrides_keys_and_data_entries(tmp_path):
    (tmp_path / "base.yaml").write_text(TASK)
    (tmp_path / "other.yaml").write_text(
        "extends: base.yaml\nname: user-asr-other\ndata:\n  path: elsewhere.jsonl\n"
    )
    base, other = load_task_file(tmp_path / "base.yaml"), load_task_file(tmp_path / "other.yaml")
    assert other.name == "user-asr-other" and other.metrics == base.metrics
    assert other.data.reader is base.data.reader
    assert other.data.path == str(tmp_path / "elsewhere.jsonl")
    (tmp_path / "loop.yaml").write_text("extends: loop.yaml\nname: x\n")
    with pytest.raises(TaskConfigError, match="extends itself"):
        load_task_file(tmp_path / "loop.yaml")


def test_request_hook_beside_the_file(tmp_path):
    (tmp_path / "hooks.py").write_text(
        "from dataclasses import replace\n"
        "from evals.task import default_request\n"
        "def build(task, sample, decoding):\n"
        "    return replace(default_request(task, sample, decoding), task='hooked')\n"
    )
    (tmp_path / "t.yaml").write_text(TASK + "request: hooks:build\n")
    task = load_task_file(tmp_path / "t.yaml")
    assert task.build_request.__name__ == "build" and task.build_request.__module__.endswith(
        "hooks"
    )
    (tmp_path / "t.yaml").write_text(TASK + "request: hooks:nope\n")
    with pytest.raises(TaskConfigError, match="request: module hooks has no 'nope'"):
        load_task_file(tmp_path / "t.yaml")


def test_builtin_yaml_tasks_keep_their_definitions():
    clean, other = TASKS.get("librispeech-asr"), TASKS.get("librispeech-asr-other")
    assert (clean.data.subpath, other.data.subpath) == ("test-clean", "test-other")
    assert clean.metrics == other.metrics and clean.version == other.version == "1"
    assert TASKS.get("musiccaps-t2m").build_request.__qualname__ == "clip_request"
    assert dict(TASKS.get("musiccaps-caption").data.options)["input"] == "music"


def test_data_source_for_a_single_file(tmp_path, monkeypatch):
    source = DataSource(lambda p: iter(()), path=str(tmp_path / "rows.jsonl"))
    assert source.resolve() == tmp_path / "rows.jsonl"
    assert "[" not in source.where()
    monkeypatch.setenv("ROWS", str(tmp_path / "env.jsonl"))
    assert DataSource(lambda p: iter(()), root_env="ROWS", path="x").resolve() == Path(
        tmp_path / "env.jsonl"
    )
    with pytest.raises(DataNotFoundError, match="no default data location"):
        DataSource(lambda p: iter(())).resolve()


def test_ls_tasks_verbose_has_no_empty_brackets(capsys):
    assert main(["ls", "tasks", "-v"]) == 0
    assert "[]" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tasks: [manifest-asr]\nlimits: 3\n", "unknown key 'limits'"),
        ("tasks:\n  - {name: manifest-asr, limt: 3}\n", "unknown key 'limt'"),
        ("tasks:\n  - {name: manifest-asr, limit: -1}\n", "limit must be a positive integer"),
        ("tasks: manifest-asr\n", "`tasks` must be a non-empty list"),
        ("tasks: [a\n", "not valid YAML"),
    ],
)
def test_bad_suite_file_is_one_line(text, message, tmp_path, capsys):
    suite = tmp_path / "s.yaml"
    suite.write_text(text)
    code = main(["run", "--model", "test-echo", "--suite", str(suite), "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert str(suite) in err


def test_unknown_suite_suggests(capsys, tmp_path):
    code = main(["run", "--model", "test-echo", "--suite", "dem", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "unknown suite 'dem'; did you mean demo?" in err


def test_suite_data_is_relative_to_the_suite_file(tmp_path, capsys):
    manifest = write_asr_manifest(tmp_path / "d", 3)
    suite = tmp_path / "mine.yaml"
    suite.write_text(
        textwrap.dedent(
            """\
            name: mine
            tasks:
              - {name: manifest-asr, data: d/manifest.jsonl, limit: 2}
            """
        )
    )
    code = main(
        ["run", "--model", "test-echo", "--suite", str(suite), "--out", str(tmp_path / "runs")]
    )
    assert code == 0, capsys.readouterr().err
    (run,) = (tmp_path / "runs").iterdir()
    config = json.loads((run / "config.json").read_text())["tasks"]["manifest-asr"]
    assert config["data"] == str(manifest) and config["limit"] == 2


def test_small_help_things(capsys):
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    out = capsys.readouterr().out
    assert "\n  anybench merge runs/whisper-1a2b3c4d\n" in out
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("anybench ")
    assert main(["ls", "models", "-v"]) == 0
    out = capsys.readouterr().out
    assert "`tiny.en` (bundled), a CTranslate2 model folder" in out  # an option's docstring
    assert "--gen-kwargs: beam_size, best_of" in out


def test_include_folder_with_a_broken_module_is_one_line(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n")
    assert main(["ls", "tasks", "--include-path", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{tmp_path / 'broken.py'}: import failed" in err
    (tmp_path / "broken.py").write_text("FIXED = True\n")
    (tmp_path / "late.yaml").write_text(TASK.replace("user-asr", "late-asr"))
    assert main(["ls", "tasks", "--include-path", str(tmp_path)]) == 0  # loads once fixed
    assert "late-asr" in capsys.readouterr().out
    assert main(["ls", "tasks", "--include-path", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_ls_readers_lists_names_and_options(capsys):
    assert main(["ls", "readers", "-v"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("asr-manifest ") and "options: split, annotations" in out


def test_named_request_hooks(tmp_path):
    (tmp_path / "t.yaml").write_text(TASK + "request: voice-prompt\n")
    assert load_task_file(tmp_path / "t.yaml").build_request.__name__ == "tts_request"
    (tmp_path / "t.yaml").write_text(TASK + "request: voice\n")
    with pytest.raises(TaskConfigError, match="or one of default, voice-prompt, music-clip"):
        load_task_file(tmp_path / "t.yaml")


def test_include_path_before_and_after_the_subcommand(tmp_path, capsys):
    for name in ("before", "after"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.yaml").write_text(TASK.replace("user-asr", f"{name}-asr"))
    args = ["--include-path", str(tmp_path / "before"), "ls", "tasks"]
    assert main([*args, "--include-path", str(tmp_path / "after")]) == 0
    names = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert {"before-asr", "after-asr"} <= names
