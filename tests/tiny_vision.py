"""Test helpers: tiny seeded scorer models saved in the layouts real checkpoints come in.

- open_clip: the hub repository layout (`open_clip_config.json` + `open_clip_model.safetensors`),
  as `timm/vit_large_patch14_clip_224.openai` is distributed; the real BPE tokenizer ships with
  open_clip.
- FID: a randomly initialised torch-fidelity InceptionV3 saved as its weights file
  (`weights-inception-2015-12-05-6726825d.pth`), loaded through torchmetrics like the real one.
"""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image, ImageDraw

TINY_CLIP = {
    "embed_dim": 16,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def save_tiny_open_clip(folder: Path, seed: int = 0) -> Path:
    import open_clip
    import torch
    from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD
    from safetensors.torch import save_file

    import evals  # noqa: F401  (torchvision import hook)

    torch.manual_seed(seed)
    cfg = json.loads(json.dumps(TINY_CLIP))
    model = open_clip.CLIP(**cfg)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()},
        folder / "open_clip_model.safetensors",
    )
    preprocess = {
        "mean": list(OPENAI_DATASET_MEAN),
        "std": list(OPENAI_DATASET_STD),
        "interpolation": "bicubic",
        "resize_mode": "shortest",
    }
    (folder / "open_clip_config.json").write_text(
        json.dumps({"model_cfg": cfg, "preprocess_cfg": preprocess})
    )
    return folder


def save_tiny_inception(path: Path, seed: int = 0) -> Path:
    """A seeded random InceptionV3 in torch-fidelity's layout (same keys as the real weights)."""
    import torch
    from torch_fidelity import feature_extractor_inceptionv3 as fe

    torch.manual_seed(seed)
    with (
        mock.patch.object(fe, "load_state_dict_from_url", lambda *a, **k: {}),
        mock.patch.object(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd: None),
    ):
        net = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["64"])
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)
    return path


def draw(path: Path, seed: int, size: tuple[int, int] = (40, 36)) -> Path:
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", size, tuple(int(c) for c in rng.integers(0, 255, 3)))
    d = ImageDraw.Draw(im)
    for _ in range(3):
        x, y = int(rng.integers(0, size[0] - 8)), int(rng.integers(0, size[1] - 8))
        d.rectangle((x, y, x + 12, y + 10), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path)
    return path
