"""SpeechTokenizer parity with the reference (golden fixtures) through our released-folder loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile
import torch
from safetensors.torch import load_file

from evals.adapters.anygpt.checkpoint import CheckpointMismatchError
from evals.adapters.anygpt.speech_tokenizer import (
    CHECKPOINT_NAME,
    CONFIG_NAME,
    SpeechCodec,
    build_speech_tokenizer_model,
    load_speech_tokenizer,
)
from tests.anygpt.tiny_speech import save_tiny_speech_tokenizer


@pytest.fixture(scope="module")
def fixtures(anygpt_fixtures) -> Path:
    return anygpt_fixtures / "speechtokenizer"


@pytest.fixture(scope="module")
def golden(fixtures) -> dict[str, torch.Tensor]:
    return load_file(fixtures / "golden_io.safetensors")


@pytest.fixture(scope="module")
def wav(fixtures):
    samples, rate = soundfile.read(fixtures / "input_1s_16k.wav", dtype="float32")
    assert rate == 16000
    return samples


@pytest.fixture(scope="module")
def codec(fixtures, tmp_path_factory) -> SpeechCodec:
    """The fixtures' tiny model, written in the released layout and loaded by our loader."""
    folder = tmp_path_factory.mktemp("speechtokenizer")
    config = json.loads((fixtures / "tiny_config.json").read_text())["config"]
    (folder / CONFIG_NAME).write_text(json.dumps(config))
    torch.save(load_file(fixtures / "tiny_state_dict.safetensors"), folder / CHECKPOINT_NAME)
    return load_speech_tokenizer(folder)


def test_full_size_state_dict_matches_released_layout(fixtures) -> None:
    reference = json.loads((fixtures / "keys_full.json").read_text())
    with torch.device("meta"):
        model = build_speech_tokenizer_model(reference["config_anygpt_snake"])
    ours = {
        name: {"shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch.")}
        for name, t in model.state_dict().items()
    }
    assert ours == reference["keys"]
    assert sum(t.numel() for t in model.state_dict().values()) == reference["num_elements"]


def test_encode_matches_reference_codes(codec, golden, wav) -> None:
    assert torch.equal(torch.from_numpy(wav), golden["input_wav"])
    codes = codec.encode(wav)
    assert codes.dtype == torch.int64
    assert torch.equal(codes, golden["codes"])
    assert torch.equal(codec.encode(wav[None], num_quantizers=1), golden["codes_nq1"])


def test_semantic_ids_are_the_first_rvq_level(codec, golden, wav) -> None:
    assert codec.semantic_ids(wav) == golden["codes"][0, 0].tolist()


def test_voice_prompt_tokens_are_frame_major(codec, golden, wav) -> None:
    prompt = codec.voice_prompt_tokens(wav)
    assert prompt.shape == (1, 50, 8)
    assert torch.equal(prompt[0, :, 0], golden["codes"][0, 0])
    assert torch.equal(prompt[0, 7], golden["codes"][:, 0, 7])


@pytest.mark.parametrize(
    ("levels", "first_level", "expected"),
    [
        (slice(0, 8), 0, "decoded"),
        (slice(0, 1), 0, "decoded_rvq1_only"),
        (slice(1, 3), 1, "decoded_layers_1_2_st1"),
    ],
)
def test_decode_matches_reference_audio(codec, golden, levels, first_level, expected) -> None:
    audio = codec.decode(golden["codes"][levels], first_level=first_level)
    assert audio.shape == (1, 16000)
    torch.testing.assert_close(audio, golden[expected][:, 0], rtol=0, atol=1e-5)


def test_rates_of_the_released_model(codec) -> None:
    assert (codec.sample_rate, codec.samples_per_frame, codec.num_quantizers) == (16000, 320, 8)


def test_load_names_what_is_missing(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=CONFIG_NAME):
        load_speech_tokenizer(tmp_path)


def test_load_rejects_a_checkpoint_of_another_config(tmp_path) -> None:
    folder = save_tiny_speech_tokenizer(tmp_path)
    config = json.loads((folder / CONFIG_NAME).read_text())
    (folder / CONFIG_NAME).write_text(json.dumps({**config, "activation": "ELU"}))
    with pytest.raises(CheckpointMismatchError, match=r"unexpected keys \(26\): decoder\.model"):
        load_speech_tokenizer(folder)
