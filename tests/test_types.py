import numpy as np
import pytest

from evals.types import Audio, Image, Modality, Request, Response, Status, Text, Tokens, is_empty


def test_parts_need_exactly_one_source():
    with pytest.raises(ValueError, match="exactly one"):
        Audio()
    with pytest.raises(ValueError, match="exactly one"):
        Audio(path="a.wav", samples=np.zeros(3), sample_rate=16000)
    with pytest.raises(ValueError, match="sample_rate"):
        Audio(samples=np.zeros(3))
    with pytest.raises(ValueError, match="exactly one"):
        Image()


@pytest.mark.parametrize(
    ("response", "status"),
    [
        (Response("a", Text("hi")), Status.OK),
        (Response("a", Text("  ")), Status.EMPTY),
        (Response("a", None), Status.EMPTY),
        (Response("a", Audio(samples=np.zeros(0, np.float32), sample_rate=16000)), Status.EMPTY),
        (Response("a", Tokens(Modality.IMAGE, ())), Status.EMPTY),
        (Response("a", error="boom", error_stage="generate"), Status.FAILED),
        (Response("a", error="bad file", error_stage="input"), Status.INPUT_ERROR),
        (Response("a", Text("x"), malformed="no end tag"), Status.MALFORMED),
    ],
)
def test_response_status(response, status):
    assert response.status is status


def test_is_empty_for_file_audio_is_false():
    assert not is_empty(Audio(path="x.wav"))


def test_request_direction_uses_first_media_input():
    req = Request(
        "t",
        "s",
        (Text("say"), Audio(samples=np.zeros(4), sample_rate=8000, kind=Modality.MUSIC)),
        Modality.TEXT,
    )
    assert req.direction == (Modality.MUSIC, Modality.TEXT)
    assert Request("t", "s", (Text("x"),), Modality.IMAGE).direction == (
        Modality.TEXT,
        Modality.IMAGE,
    )
