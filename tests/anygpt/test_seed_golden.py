"""Tiny SEED-2 weights from the golden fixtures, loaded strictly in the released file layout:
ids exactly, decoded embeddings within 1e-5 of the reference."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from evals.adapters.anygpt.seed2 import (
    EVA_VIT_FILENAME,
    QUANTIZER_FILENAME,
    TINY_CONFIG,
    SeedTokenizer,
    load_seed_tokenizer,
)
from evals.adapters.anygpt.seed2.loading import VIT_PREFIX


@pytest.fixture(scope="module")
def golden(anygpt_fixtures) -> dict[str, torch.Tensor]:
    return load_file(anygpt_fixtures / "seed_tokenizer" / "tiny_golden_io.safetensors")


@pytest.fixture(scope="module")
def tokenizer(anygpt_fixtures, tmp_path_factory) -> SeedTokenizer:
    """The fixture's single state dict, split into the two released files, then loaded."""
    state = load_file(anygpt_fixtures / "seed_tokenizer" / "tiny_state_dict.safetensors")
    folder = tmp_path_factory.mktemp("seed_golden")
    vit = OrderedDict(
        (k[len(VIT_PREFIX) :], v) for k, v in state.items() if k.startswith(VIT_PREFIX)
    )
    rest = OrderedDict((k, v) for k, v in state.items() if not k.startswith(VIT_PREFIX))
    torch.save(rest, folder / QUANTIZER_FILENAME)
    torch.save(vit, folder / EVA_VIT_FILENAME)
    return load_seed_tokenizer(folder, config=TINY_CONFIG)


@pytest.fixture(scope="module")
def image(anygpt_fixtures) -> Image.Image:
    return Image.open(anygpt_fixtures / "seed_tokenizer" / "input_64x48.png")


def test_encode_ids_exactly(tokenizer, golden, image):
    ids = tokenizer.encode([image])
    assert ids.dtype == torch.int64
    assert torch.equal(ids, golden["encode_ids"])


def test_encode_preprocessed_tensor(tokenizer, golden):
    assert torch.equal(tokenizer.encode(golden["preprocessed"]), golden["encode_ids"])


def test_batch_rows_match_single_images(tokenizer, golden, image):
    flipped = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    batch = tokenizer.encode([image, flipped])
    assert torch.equal(batch[:1], golden["encode_ids"])
    assert torch.equal(batch[1:], tokenizer.encode([flipped]))


@pytest.mark.parametrize(
    ("ids_key", "embeds_key"),
    [
        ("encode_ids", "decode_embeds"),
        ("fixed_ids", "fixed_ids_decode_embeds"),
        (None, "single_id_5_decode_embeds"),
    ],
)
def test_decode_embeds(tokenizer, golden, ids_key, embeds_key):
    # The single-id case: the reference broadcasts one id to all 32 positions.
    ids = golden[ids_key] if ids_key else torch.tensor([[5]])
    embeds = tokenizer.decode_embeds(ids)
    assert embeds.shape == golden[embeds_key].shape == (1, 64)
    torch.testing.assert_close(embeds, golden[embeds_key], rtol=0, atol=1e-5)
