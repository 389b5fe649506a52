"""Loading the SEED-2 release folder for the image codec: config file, strictness."""

import dataclasses
import json

import pytest
import torch

from evals.adapters.anygpt.image_codec import SEED_CONFIG_NAME, load_seed
from evals.adapters.anygpt.seed2 import QUANTIZER_FILENAME, TINY_CONFIG, SeedCheckpointError
from tests.anygpt.tiny_seed import write_tiny_seed_tokenizer


@pytest.fixture
def seed_folder(tmp_path):
    folder = write_tiny_seed_tokenizer(tmp_path / "seed")
    (folder / SEED_CONFIG_NAME).write_text(json.dumps(dataclasses.asdict(TINY_CONFIG)))
    return folder


def test_extra_checkpoint_keys_are_refused_unless_not_strict(seed_folder):
    state = torch.load(seed_folder / QUANTIZER_FILENAME, weights_only=True)
    state["mystery.weight"] = torch.zeros(3)
    torch.save(state, seed_folder / QUANTIZER_FILENAME)
    with pytest.raises(SeedCheckpointError, match=r"unexpected keys: mystery\.weight"):
        load_seed(seed_folder, "cpu", torch.float32)
    with pytest.warns(UserWarning, match=r"ignoring unexpected keys: mystery\.weight"):
        tokenizer = load_seed(seed_folder, "cpu", torch.float32, strict=False)
    assert tokenizer.num_ids == 32


def test_missing_folder_and_config_sizes(seed_folder, tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"seed_quantizer\.pt from AILab-CVC/seed-tokenizer-2"
    ):
        load_seed(tmp_path / "absent", "cpu", torch.float32)
    (seed_folder / SEED_CONFIG_NAME).unlink()  # without it the released (full) sizes are assumed
    with pytest.raises(SeedCheckpointError, match="wrong shapes"):
        load_seed(seed_folder, "cpu", torch.float32)
