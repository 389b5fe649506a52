from dataclasses import dataclass
from typing import Literal

import pytest

from evals.spec import ModelSpec, SpecError, parse_options


@dataclass(frozen=True)
class Opts:
    model: str = "tiny"
    beams: int = 5
    scale: float = 1.0
    fast: bool = False
    language: str | None = "en"
    mode: Literal["a", "b"] = "a"


def test_parse_spec():
    spec = ModelSpec.parse("anygpt:llm=/ckpt/base, speech=/ckpt/speech")
    assert spec.name == "anygpt"
    assert spec.options == {"llm": "/ckpt/base", "speech": "/ckpt/speech"}
    assert str(ModelSpec.parse("reference")) == "reference"


@pytest.mark.parametrize("bad", [":x=1", "m:novalue", "m:=3"])
def test_bad_specs(bad):
    with pytest.raises(SpecError):
        ModelSpec.parse(bad)


def test_options_are_typed():
    o = parse_options(
        Opts, {"beams": "3", "scale": "0.5", "fast": "yes", "language": "none", "mode": "b"}, "m"
    )
    assert o == Opts(beams=3, scale=0.5, fast=True, language=None, mode="b")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"beam": "3"}, "unknown option 'beam'; did you mean beams"),
        ({"beams": "three"}, "'three' is not a valid int"),
        ({"fast": "maybe"}, "not a valid bool"),
        ({"mode": "c"}, "not one of a, b"),
    ],
)
def test_option_errors_name_the_problem(raw, message):
    with pytest.raises(SpecError, match=message):
        parse_options(Opts, raw, "model m")
