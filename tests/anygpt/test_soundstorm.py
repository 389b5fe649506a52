"""SoundStorm parity with AnyGPT's reference (golden fixtures) and its strict loader."""

from __future__ import annotations

import json
import re

import pytest
import torch
from safetensors.torch import load_file

from evals.adapters.anygpt.checkpoint import CheckpointMismatchError
from evals.adapters.anygpt.soundstorm import SoundStorm, SoundStormConfig, load_soundstorm
from tests.anygpt.tiny_speech import TINY_SOUNDSTORM, save_tiny_soundstorm

GENERATE_CASES = [
    "prompted_steps1_seed0",
    "prompted_steps1_seed1",
    "prompted_steps3_seed0",
    "prompted_steps3_seed0_repeat",
    "prompted_steps3_seed1",
    "prompted_steps3_seed2",
    "unprompted_steps1_seed0",
    "unprompted_steps1_seed5",
    "unprompted_steps3_seed0",
    "unprompted_steps3_seed1",
]


@pytest.fixture(scope="module")
def golden(anygpt_fixtures) -> dict[str, torch.Tensor]:
    return load_file(anygpt_fixtures / "soundstorm" / "golden_io.safetensors")


@pytest.fixture(scope="module")
def reference_tiny(anygpt_fixtures) -> SoundStorm:
    """The fixtures' tiny model, built from their tiny config and loaded strictly."""
    tiny = json.loads((anygpt_fixtures / "soundstorm" / "tiny_config.json").read_text())
    conformer = tiny["ConformerWrapper"]["conformer"]
    config = SoundStormConfig(
        codebook_size=tiny["ConformerWrapper"]["codebook_size"],
        num_quantizers=tiny["ConformerWrapper"]["num_quantizers"],
        dim=conformer["dim"],
        depth=conformer["depth"],
        heads=conformer["heads"],
        dim_head=conformer["dim_head"],
        num_semantic_tokens=tiny["SoundStorm"]["num_semantic_token_ids"],
    )
    model = SoundStorm(config).eval()
    state = load_file(anygpt_fixtures / "soundstorm" / "tiny_state_dict.safetensors")
    model.load_state_dict(state, strict=True)
    return model


def test_full_size_state_dict_matches_released_layout(anygpt_fixtures) -> None:
    reference = json.loads((anygpt_fixtures / "soundstorm" / "keys_full.json").read_text())
    with torch.device("meta"):
        model = SoundStorm(SoundStormConfig())
    ours = {
        name: {"shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch.")}
        for name, t in model.state_dict().items()
    }
    assert list(ours.items()) == list(reference["keys"].items())
    assert sum(t.numel() for t in model.state_dict().values()) == reference["num_elements"]


@pytest.mark.parametrize("name", ["forward1", "forward2"])
def test_forward_logits_match_reference(reference_tiny, golden, name) -> None:
    codes, semantic = golden[f"{name}_masked_input"], golden[f"{name}_cond_ids"]
    key_mask = torch.ones(semantic.shape, dtype=torch.bool)
    with torch.no_grad():
        logits = reference_tiny(codes, semantic, key_mask)
    torch.testing.assert_close(logits, golden[f"{name}_logits"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("case", GENERATE_CASES)
def test_generate_matches_reference_exactly(anygpt_fixtures, reference_tiny, golden, case) -> None:
    calls = json.loads((anygpt_fixtures / "soundstorm" / "golden_io.json").read_text())
    call = calls["generate_calls"][case]
    assert call["is_cat_semantic_token"]
    torch.manual_seed(int(re.search(r"manual_seed\((\d+)\)", call["rng"]).group(1)))
    out = reference_tiny.generate(
        golden["semantic_tokens"].int(),  # the CLI passes int32 ids
        None if call["prompt_tokens"] is None else golden["prompt_tokens"],
        steps=call["steps"],
        greedy=call["greedy"],
        num_full_sampling_levels=call["num_full_sampling_levels"],
        top_k_threshold=call["topk_pres"],
    )
    assert out.dtype == torch.int64
    assert torch.equal(out, golden[f"generate_{case}"])


@pytest.mark.parametrize("prompted", [False, True])
def test_batched_rows_match_single_reference(reference_tiny, golden, prompted) -> None:
    """steps=1 does not depend on the noise, so each row of a batch must equal the single output."""
    semantic = golden["semantic_tokens"].repeat(2, 1)
    prompt = golden["prompt_tokens"].repeat(2, 1, 1) if prompted else None
    out = reference_tiny.generate(semantic, prompt, steps=1)
    expected = golden[f"generate_{'' if prompted else 'un'}prompted_steps1_seed0"]
    assert torch.equal(out, expected.repeat(2, 1, 1))


def test_generate_rejects_ids_outside_the_semantic_vocabulary(reference_tiny) -> None:
    with pytest.raises(ValueError, match=r"semantic_tokens must lie in \[0, 1024\)"):
        reference_tiny.generate(torch.tensor([[3, 1024]]))


def test_load_soundstorm_reads_released_file_in_half_precision(tmp_path) -> None:
    path = save_tiny_soundstorm(tmp_path / "soundstorm.pt", seed=3)
    model = load_soundstorm(path, dtype=torch.bfloat16, config=TINY_SOUNDSTORM)
    saved = torch.load(path, weights_only=True)
    assert all(t.dtype == torch.bfloat16 for t in model.state_dict().values())
    torch.testing.assert_close(
        model.semantic_token_emb.weight, saved["semantic_token_emb.weight"].bfloat16()
    )
    semantic = torch.tensor([[5, 900, 17, 17, 300, 2]])
    out = model.generate(semantic, steps=2)
    assert out.shape == (1, 6, 8)
    assert torch.equal(out[..., 0], semantic)
    assert int(out.min()) >= 0 and int(out.max()) < 1024


def test_load_soundstorm_names_the_file_and_the_keys_that_do_not_fit(tmp_path) -> None:
    path = save_tiny_soundstorm(tmp_path / "soundstorm.pt")
    state = torch.load(path, weights_only=True)
    state["net.extra.weight"] = state.pop("net.heads.0.bias")
    torch.save(state, path)
    with pytest.raises(CheckpointMismatchError) as error:
        load_soundstorm(path, config=TINY_SOUNDSTORM)
    message = str(error.value)
    assert str(path) in message
    assert "missing keys (1): net.heads.0.bias" in message
    assert "unexpected keys (1): net.extra.weight" in message


def test_load_soundstorm_reports_shape_mismatch_against_the_full_config(tmp_path) -> None:
    path = save_tiny_soundstorm(tmp_path / "soundstorm.pt")
    with pytest.raises(
        CheckpointMismatchError, match=r"shape mismatches \(\d+\): net\.code_embeds"
    ):
        load_soundstorm(path)
