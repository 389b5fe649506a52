"""SEED-2 module tree against the reference key manifest, and the strict loader's errors."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open
from torch import nn

from evals.adapters.anygpt.seed2 import (
    EVA_VIT_FILENAME,
    QUANTIZER_FILENAME,
    SEED2_CONFIG,
    TINY_CONFIG,
    QformerQuantizer,
    SeedCheckpointError,
    load_seed_tokenizer,
)
from tests.anygpt.tiny_seed import write_tiny_seed_tokenizer


@pytest.fixture(scope="module")
def full_manifest(anygpt_fixtures) -> dict:
    return json.loads((anygpt_fixtures / "seed_tokenizer" / "keys_full.json").read_text())


def _meta_state(config) -> dict[str, torch.Tensor]:
    with torch.device("meta"):
        return QformerQuantizer(config).state_dict()


def test_full_model_has_exactly_the_reference_keys_and_shapes(full_manifest):
    state = _meta_state(SEED2_CONFIG)
    keys = full_manifest["keys"]
    assert {k: list(v.shape) for k, v in state.items()} == {k: v["shape"] for k, v in keys.items()}
    assert sum(v.numel() for v in state.values()) == full_manifest["num_elements"]


def test_full_model_dtypes(full_manifest):
    keys = full_manifest["keys"]
    # The manifest's float16 tensors are the reference's build-time cast of the ViT's Linear and
    # Conv weights (vit_precision="fp16"): the same tensors must be Linear/Conv ones here.
    with torch.device("meta"):
        model = QformerQuantizer(SEED2_CONFIG)
    cast_by_reference = {
        f"{module_name}.{param_name}"
        for module_name, module in model.named_modules()
        if module_name.startswith("visual_encoder.") and isinstance(module, nn.Linear | nn.Conv2d)
        for param_name, _ in module.named_parameters(recurse=False)
    }
    assert cast_by_reference == {k for k, v in keys.items() if v["dtype"] == "float16"}
    # Inference then halves every floating tensor, which is what dtype=float16 gives here.
    for key, tensor in model.to(torch.float16).state_dict().items():
        expected = "torch.int64" if keys[key]["dtype"] == "int64" else "torch.float16"
        assert str(tensor.dtype) == expected, key


def test_tiny_keys_are_the_full_names_at_tiny_size(anygpt_fixtures, full_manifest):
    path = anygpt_fixtures / "seed_tokenizer" / "tiny_state_dict.safetensors"
    with safe_open(path, "pt") as f:
        golden_shapes = {k: list(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118
    state = _meta_state(TINY_CONFIG)
    assert {k: list(v.shape) for k, v in state.items()} == golden_shapes
    assert set(state) <= set(full_manifest["keys"])


@pytest.fixture
def tiny_files(tmp_path):
    return write_tiny_seed_tokenizer(tmp_path / "seed")


def _edit(path, edit):
    state = torch.load(path, weights_only=True)
    edit(state)
    torch.save(state, path)


def test_missing_key_is_named(tiny_files):
    _edit(tiny_files / QUANTIZER_FILENAME, lambda s: s.pop("quantize.embedding.weight"))
    with pytest.raises(SeedCheckpointError, match=r"seed_quantizer\.pt.*missing keys: quantize"):
        load_seed_tokenizer(tiny_files, config=TINY_CONFIG)


def test_missing_vit_key_is_named_without_prefix(tiny_files):
    _edit(tiny_files / EVA_VIT_FILENAME, lambda s: s.pop("blocks.1.attn.q_bias"))
    with pytest.raises(SeedCheckpointError, match=r"eva_vit_g\.pth.*blocks\.1\.attn\.q_bias"):
        load_seed_tokenizer(tiny_files, config=TINY_CONFIG)


def test_wrong_shape_is_named(tiny_files):
    _edit(tiny_files / QUANTIZER_FILENAME, lambda s: s.update(query_tokens=torch.zeros(1, 8, 48)))
    with pytest.raises(SeedCheckpointError, match=r"wrong shapes: query_tokens \(1, 8, 48\)"):
        load_seed_tokenizer(tiny_files, config=TINY_CONFIG)


def test_unexpected_key_is_an_error_unless_allowed(tiny_files):
    _edit(tiny_files / QUANTIZER_FILENAME, lambda s: s.update({"itm_head.weight": torch.zeros(2)}))
    with pytest.raises(SeedCheckpointError, match=r"unexpected keys: itm_head\.weight"):
        load_seed_tokenizer(tiny_files, config=TINY_CONFIG)
    with pytest.warns(UserWarning, match=r"itm_head\.weight"):
        load_seed_tokenizer(tiny_files, config=TINY_CONFIG, allow_unexpected=True)


def test_config_mismatch_fails_loudly(tiny_files):
    with pytest.raises(SeedCheckpointError, match="wrong shapes"):
        load_seed_tokenizer(tiny_files, config=SEED2_CONFIG)


def test_missing_file_names_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="AILab-CVC/seed-tokenizer-2"):
        load_seed_tokenizer(tmp_path, config=TINY_CONFIG)


def test_eva_vit_is_looked_for_beside_the_quantizer_then_scorers_then_torch_hub(
    tmp_path, tiny_files, monkeypatch
):
    import shutil

    quantizer_only = tmp_path / "seed-without-vit"
    quantizer_only.mkdir()
    shutil.copy(tiny_files / QUANTIZER_FILENAME, quantizer_only)
    scorers, hub = tmp_path / "scorers", tmp_path / "torch-hub"
    monkeypatch.setenv("ANYBENCH_SCORERS", str(scorers))
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(hub))
    try:
        with pytest.raises(FileNotFoundError) as err:
            load_seed_tokenizer(quantizer_only, config=TINY_CONFIG)
        message = str(err.value)
        for where in (quantizer_only, scorers, hub / "checkpoints"):
            assert str(where / EVA_VIT_FILENAME) in message
        assert "storage.googleapis.com" in message and "beside seed_quantizer.pt" in message
        (hub / "checkpoints").mkdir(parents=True)
        shutil.copy(tiny_files / EVA_VIT_FILENAME, hub / "checkpoints")
        assert load_seed_tokenizer(quantizer_only, config=TINY_CONFIG).ignored_keys == {
            str(quantizer_only / QUANTIZER_FILENAME): [],
            str(hub / "checkpoints" / EVA_VIT_FILENAME): [],
        }
    finally:
        torch.hub.set_dir(previous)


def test_allowed_unexpected_keys_are_listed_on_the_tokenizer(tiny_files):
    _edit(tiny_files / QUANTIZER_FILENAME, lambda s: s.update({"itm_head.weight": torch.zeros(2)}))
    with pytest.warns(UserWarning):
        tok = load_seed_tokenizer(tiny_files, config=TINY_CONFIG, allow_unexpected=True)
    assert tok.ignored_keys[str(tiny_files / QUANTIZER_FILENAME)] == ["itm_head.weight"]
