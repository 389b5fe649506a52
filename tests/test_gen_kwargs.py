"""`--gen-kwargs` over the decoding preset, and model options with commas, `=` or JSON."""

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.adapters.base import ModelAdapter
from evals.cli.main import main
from evals.registry import MODELS
from evals.spec import ModelSpec, SpecError, describe_options
from evals.types import Modality, Request, Response, Text
from tests.fakes import write_asr_manifest


@dataclass(frozen=True)
class Knobs:
    num_beams: int = 1
    """Beam width."""
    temperature: float = 1.0
    """Sampling temperature."""
    prompt: str = ""
    """Text given with the audio."""


@dataclass(frozen=True)
class EchoPromptOptions:
    prompt: str = ""
    """Said back in every transcript."""


if "test-knobs" not in MODELS.names():

    @MODELS.register("test-knobs")
    class KnobsASR(ModelAdapter):
        """Answers with the overrides it was given, and their types."""

        capabilities = frozenset({(Modality.SPEECH, Modality.TEXT)})
        Options = EchoPromptOptions
        generation_options = Knobs

        def generate(self, requests: Sequence[Request]) -> list[Response]:
            def say(r: Request) -> str:
                got = sorted(r.decoding.overrides.items())
                return " ".join(f"{k}:{type(v).__name__}:{v}" for k, v in got) + self.options.prompt

            return [Response(r.sample_id, Text(say(r))) for r in requests]


def run(tmp_path, capsys, *extra: str) -> tuple[int, str]:
    manifest = write_asr_manifest(tmp_path / "data", 2)
    args = ["run", "--tasks", "manifest-asr", "--data", f"manifest-asr={manifest}"]
    code = main([*args, "--out", str(tmp_path / "runs"), "--no-score", "--no-progress", *extra])
    return code, capsys.readouterr().err


def only_run(tmp_path, before=()):
    (run_dir,) = set((tmp_path / "runs").iterdir()) - set(before)
    return run_dir


def test_gen_kwargs_reach_the_adapter_typed_and_change_the_identity(tmp_path, capsys):
    code, err = run(tmp_path, capsys, "--model", "test-knobs")
    assert code == 0, err
    plain = only_run(tmp_path)
    code, err = run(
        tmp_path, capsys, "--model", "test-knobs", "--gen-kwargs", 'num_beams=3,prompt="a, b"'
    )
    assert code == 0, err
    tuned = only_run(tmp_path, [plain])
    config = json.loads((tuned / "config.json").read_text())
    assert config["gen_kwargs"] == {"num_beams": 3, "prompt": "a, b"}
    assert config["config_hash"] != json.loads((plain / "config.json").read_text())["config_hash"]
    assert "gen_kwargs" not in json.loads((plain / "config.json").read_text())
    line = json.loads((tuned / "predictions" / "manifest-asr.jsonl").read_text().splitlines()[0])
    assert line["request"]["decoding"]["overrides"] == {"num_beams": 3, "prompt": "a, b"}
    assert line["response"]["output"]["text"] == "num_beams:int:3 prompt:str:a, b"


def test_gen_kwargs_into_an_existing_run_without_them_is_refused(tmp_path, capsys):
    assert run(tmp_path, capsys, "--model", "test-knobs", "--run-id", "r")[0] == 0
    code, err = run(
        tmp_path, capsys, "--model", "test-knobs", "--run-id", "r", "--gen-kwargs", "num_beams=2"
    )
    assert code == 2 and "--gen-kwargs" in err and "use another --out" in err


@pytest.mark.parametrize(
    ("model", "kwargs", "message"),
    [
        (
            "test-knobs",
            "num_beam=2",
            "unknown generation parameter 'num_beam'; did you mean num_beams",
        ),
        ("test-knobs", "temperature=hot", "'hot' is not a valid float"),
        ("test-echo", "num_beams=2", "model test-echo accepts no --gen-kwargs"),
    ],
)
def test_bad_gen_kwargs_are_one_line(model, kwargs, message, tmp_path, capsys):
    code, err = run(tmp_path, capsys, "--model", model, "--gen-kwargs", kwargs)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "runs").exists()  # refused before anything was written


def test_model_option_with_commas_through_the_cli(tmp_path, capsys):
    spec = 'test-knobs:prompt="Describe the image, briefly."'
    assert run(tmp_path, capsys, "--model", spec)[0] == 0
    line = (only_run(tmp_path) / "predictions" / "manifest-asr.jsonl").read_text().splitlines()[0]
    assert json.loads(line)["response"]["output"]["text"] == "Describe the image, briefly."


@pytest.mark.parametrize(
    ("text", "options"),
    [
        (
            'hf:prompt="Describe the image, briefly.",beams=3',
            {"prompt": "Describe the image, briefly.", "beams": "3"},
        ),
        ("hf:prompt='a=b, c'", {"prompt": "a=b, c"}),
        ("hf:prompt=What's this", {"prompt": "What's this"}),
        ("hf:url=http://x/?a=b", {"url": "http://x/?a=b"}),
        (
            'hf:{"prompt": "a, b", "beams": 3, "fast": true}',
            {"prompt": "a, b", "beams": "3", "fast": "true"},
        ),
    ],
)
def test_quoted_and_json_options_round_trip(text, options):
    spec = ModelSpec.parse(text)
    assert spec.options == options
    assert ModelSpec.parse(str(spec)) == spec


def test_plain_specs_print_as_before():
    assert (
        str(ModelSpec.parse("anygpt:llm=/ckpt/base,speech=/x")) == "anygpt:llm=/ckpt/base,speech=/x"
    )


@pytest.mark.parametrize("bad", ['m:p="open', "m:{not json}", "m:[1]"])
def test_bad_quoting_or_json(bad):
    with pytest.raises(SpecError):
        ModelSpec.parse(bad)


def test_describe_options_has_docs_and_literal_values():
    from typing import Literal

    @dataclass(frozen=True)
    class Search:
        mode: Literal["fast", "exact"] = "fast"
        """How to search."""

    assert describe_options(Search) == [("mode", "one of fast, exact", "'fast'", "How to search.")]
