"""SEED-2 preprocessing: bicubic 224x224 without crop, CLIP normalization, parity with goldens."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from evals.adapters.anygpt.seed2 import preprocess_image, preprocess_images


def test_matches_reference_preprocessing(anygpt_fixtures):
    folder = anygpt_fixtures / "seed_tokenizer"
    golden = load_file(folder / "tiny_golden_io.safetensors")["preprocessed"]
    ours = preprocess_image(Image.open(folder / "input_64x48.png"))
    assert ours.shape == golden.shape == (3, 224, 224)
    torch.testing.assert_close(ours, golden, rtol=0, atol=1e-6)


def test_array_and_pil_inputs_agree():
    array = np.random.default_rng(0).integers(0, 256, (30, 50, 3), dtype=np.uint8)
    batch = preprocess_images([array, Image.fromarray(array)])
    assert batch.shape == (2, 3, 224, 224) and batch.dtype == torch.float32
    assert torch.equal(batch[0], batch[1])


@pytest.mark.parametrize(
    "bad", [np.zeros((8, 8), np.uint8), np.zeros((8, 8, 4), np.uint8), np.zeros((8, 8, 3))]
)
def test_rejects_arrays_that_are_not_rgb_uint8(bad):
    with pytest.raises(ValueError, match="H x W x 3 uint8"):
        preprocess_image(bad)


def test_a_bare_image_is_not_a_batch():
    with pytest.raises(TypeError, match="sequence of images"):
        preprocess_images(np.zeros((8, 8, 3), np.uint8))
