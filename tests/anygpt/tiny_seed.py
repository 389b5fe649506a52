"""Test helper: a tiny seeded SEED-2 tokenizer written in the released two-file layout.

Needs nothing from ../shared, so end-to-end tests can build one and load it through
`load_seed_tokenizer`, the same path a real checkpoint takes.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import torch

from evals.adapters.anygpt.seed2 import EVA_VIT_FILENAME, QUANTIZER_FILENAME, TINY_CONFIG
from evals.adapters.anygpt.seed2.config import SeedTokenizerConfig
from evals.adapters.anygpt.seed2.loading import VIT_PREFIX
from evals.adapters.anygpt.seed2.quantizer import QformerQuantizer

# Entries of the Q-Former text branch, which the release also carries and the loader ignores.
_TEXT_BRANCH_SHAPES = {
    "Qformer.bert.embeddings.word_embeddings.weight": (8, 48),
    "Qformer.bert.encoder.layer.0.intermediate.dense.weight": (96, 48),
    "Qformer.bert.encoder.layer.1.output.LayerNorm.weight": (48,),
    "Qformer.cls.predictions.bias": (8,),
}


def tiny_seed_state_dict(seed: int = 0, config: SeedTokenizerConfig = TINY_CONFIG) -> OrderedDict:
    """A seeded state dict of the whole tokenizer (`visual_encoder.` keys included)."""
    torch.manual_seed(seed)
    model = QformerQuantizer(config)
    with torch.no_grad():
        # Zero-initialised learned tensors would make every query (and so every id) identical.
        for name, param in model.named_parameters():
            if name.endswith(("query_tokens", "pos_embed", "pos_embed_image", "cls_token")):
                param.normal_(std=0.02)
        # Entries on the scale of the task layer's outputs, so that ids vary with the image.
        model.quantize.embedding.weight.mul_(0.1)
    return model.state_dict()


def write_tiny_seed_tokenizer(folder: Path, seed: int = 0) -> Path:
    """Write `seed_quantizer.pt` and `eva_vit_g.pth` for TINY_CONFIG into `folder`; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    state = tiny_seed_state_dict(seed)
    quantizer = OrderedDict((k, v) for k, v in state.items() if not k.startswith(VIT_PREFIX))
    generator = torch.Generator().manual_seed(seed)
    for key, shape in _TEXT_BRANCH_SHAPES.items():
        quantizer[key] = torch.randn(shape, generator=generator)
    vit = OrderedDict(
        (k[len(VIT_PREFIX) :], v) for k, v in state.items() if k.startswith(VIT_PREFIX)
    )
    torch.save(quantizer, folder / QUANTIZER_FILENAME)
    torch.save(vit, folder / EVA_VIT_FILENAME)
    return folder
