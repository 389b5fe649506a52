"""SeedTokenizer end to end on a tiny seeded model written in the released layout (no goldens)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evals.adapters.anygpt.seed2 import TINY_CONFIG, SeedTokenizer, load_seed_tokenizer
from tests.anygpt.tiny_seed import write_tiny_seed_tokenizer


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_tiny_seed_tokenizer(tmp_path_factory.mktemp("tiny_seed"))


@pytest.fixture(scope="module")
def tokenizer(folder) -> SeedTokenizer:
    return load_seed_tokenizer(folder, config=TINY_CONFIG)


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in [(40, 60), (224, 224)]]


def test_encode_then_decode(tokenizer, images):
    ids = tokenizer.encode(images)
    assert ids.shape == (2, 32) and ids.dtype == torch.int64
    assert int(ids.min()) >= 0 and int(ids.max()) < 8192
    assert len(set(ids.flatten().tolist())) > 1
    assert torch.equal(ids, tokenizer.encode(images))
    embeds = tokenizer.decode_embeds(ids)
    assert embeds.shape == (2, 64) and embeds.dtype == torch.float32
    assert torch.isfinite(embeds).all()


def test_ids_as_lists_and_int32(tokenizer):
    ids = [list(range(32)), list(range(8160, 8192))]
    expected = tokenizer.decode_embeds(torch.tensor(ids))
    assert torch.equal(tokenizer.decode_embeds(ids), expected)
    assert torch.equal(tokenizer.decode_embeds(torch.tensor(ids, dtype=torch.int32)), expected)


@pytest.mark.parametrize("count", [0, 2, 31, 33, 64])
def test_wrong_id_count_is_a_value_error(tokenizer, count):
    with pytest.raises(ValueError, match="expected 32 image ids per row"):
        tokenizer.decode_embeds(torch.zeros(1, count, dtype=torch.long))


@pytest.mark.parametrize("bad", [8192, -1])
def test_out_of_range_id_is_a_value_error(tokenizer, bad):
    ids = torch.zeros(1, 32, dtype=torch.long)
    ids[0, 7] = bad
    with pytest.raises(ValueError, match=r"in \[0, 8192\)"):
        tokenizer.decode_embeds(ids)


@pytest.mark.parametrize("ids", [torch.zeros(32, dtype=torch.long), torch.zeros(1, 32)])
def test_ids_must_be_a_2d_integer_tensor(tokenizer, ids):
    with pytest.raises(ValueError, match="integer"):
        tokenizer.decode_embeds(ids)


def test_preprocessed_pixels_must_have_the_model_size(tokenizer):
    with pytest.raises(ValueError, match=r"\[B, 3, 224, 224\]"):
        tokenizer.encode(torch.zeros(1, 3, 64, 64))


def test_half_precision_follows_the_dtype_argument(folder, images):
    half = load_seed_tokenizer(folder, config=TINY_CONFIG, dtype=torch.float16)
    assert half.dtype == torch.float16
    ids = half.encode(images)
    assert ids.shape == (2, 32)
    assert half.decode_embeds(ids).dtype == torch.float16
