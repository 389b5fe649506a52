"""Load the released SEED-2 tokenizer files strictly.

The release is two PyTorch pickles of flat state dicts (no wrapper, no config):

- `seed_quantizer.pt` (hub repo AILab-CVC/seed-tokenizer-2, 1.23 GB, float32): every tokenizer
  key except the image encoder - `query_tokens`, `ln_vision.*`, `Qformer.bert.*`, `quantize.*`,
  the task layers, both decoders, `image_down.*`, `distill_image_proj.*` - plus the Q-Former
  text branch that the reference deletes before loading (ignored here, see DISCARDED_KEYS).
- `eva_vit_g.pth` (BLIP-2's EVA ViT-g, from EVA_VIT_G_URL): the image encoder without the
  `visual_encoder.` prefix (`cls_token`, `pos_embed`, `patch_embed.proj.*`, `blocks.{i}.*`).

The reference loads both non-strictly (`load_state_dict(..., strict=False)`) and prints only
the counts; here a missing key or a wrong shape is always an error that names the file and the
keys, and an unknown extra key is an error unless `allow_unexpected` (the reference's behaviour:
ignored, with a warning, and listed in `SeedTokenizer.ignored_keys`).

`eva_vit_g.pth` is not part of the seed-tokenizer-2 release: `find_eva_vit` looks for it beside
`seed_quantizer.pt`, under `$ANYBENCH_SCORERS` and in the torch hub cache (where BLIP-2/LAVIS
downloads put it).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import torch

from .config import SEED2_CONFIG, SeedTokenizerConfig
from .quantizer import QformerQuantizer
from .tokenizer import SeedTokenizer

QUANTIZER_FILENAME = "seed_quantizer.pt"
EVA_VIT_FILENAME = "eva_vit_g.pth"
SEED2_HUB_ID = "AILab-CVC/seed-tokenizer-2"
EVA_VIT_G_URL = (
    "https://storage.googleapis.com/sfr-vision-language-research/LAVIS/models/BLIP2/eva_vit_g.pth"
)
VIT_PREFIX = "visual_encoder."
POSITION_IDS_KEY = "Qformer.bert.embeddings.position_ids"

DISCARDED_KEYS = {
    QUANTIZER_FILENAME: re.compile(
        r"Qformer\.(cls\.|bert\.embeddings\.(word|position)_embeddings\.|"
        r"bert\.encoder\.layer\.\d+\.(intermediate|output)\.)"
    ),
    # The reference's ViT class has the EVA classifier pieces commented out; should the file
    # carry them, they are dropped the same way.
    EVA_VIT_FILENAME: re.compile(r"(norm|fc_norm|head)\."),
}
"""Keys of modules that the reference builds and then deletes (Q-Former text embeddings, text
FFN and LM head) or never builds: present in a file, they are ignored, not unexpected."""


class SeedCheckpointError(ValueError):
    """A checkpoint file does not match the tokenizer's layout."""


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found; {QUANTIZER_FILENAME} comes from the hub repo {SEED2_HUB_ID}, "
            f"{EVA_VIT_FILENAME} from {EVA_VIT_G_URL}"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise SeedCheckpointError(f"{path}: cannot read as a PyTorch state dict: {err}") from err
    if not isinstance(state, Mapping) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise SeedCheckpointError(f"{path}: expected a flat mapping of names to tensors")
    return dict(state)


def _listing(keys: list[str], limit: int = 20) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")


def _check_keys(
    path: Path,
    state: dict[str, torch.Tensor],
    expected: Mapping[str, torch.Size],
    discarded: re.Pattern[str],
    allow_unexpected: bool,
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """Drop discarded keys; raise on missing keys, wrong shapes and (unless allowed) extras.
    Returns the kept tensors and the (allowed) unexpected keys."""
    kept = {k: v for k, v in state.items() if not discarded.match(k)}
    missing = sorted(set(expected) - set(kept))
    unexpected = sorted(set(kept) - set(expected))
    wrong_shape = [
        f"{k} {tuple(v.shape)} (expected {tuple(expected[k])})"
        for k, v in kept.items()
        if k in expected and v.shape != expected[k]
    ]
    problems = []
    if missing:
        problems.append(f"missing keys: {_listing(missing)}")
    if wrong_shape:
        problems.append(f"wrong shapes: {_listing(wrong_shape)}")
    if unexpected and not allow_unexpected:
        problems.append(
            f"unexpected keys: {_listing(unexpected)} (pass allow_unexpected=True to ignore "
            "them, as the reference's non-strict load does)"
        )
    if problems:
        raise SeedCheckpointError(
            f"{path} does not match the SEED-2 layout; " + "; ".join(problems)
        )
    if unexpected:
        warnings.warn(f"{path}: ignoring unexpected keys: {_listing(unexpected)}", stacklevel=3)
    return {k: v for k, v in kept.items() if k in expected}, unexpected


def eva_vit_candidates(seed_folder: Path) -> list[Path]:
    """Where `eva_vit_g.pth` is looked for, in order."""
    found = [seed_folder / EVA_VIT_FILENAME]
    scorers = os.environ.get("ANYBENCH_SCORERS")
    if scorers:
        found += [Path(scorers) / EVA_VIT_FILENAME, Path(scorers) / SEED2_HUB_ID / EVA_VIT_FILENAME]
    found.append(Path(torch.hub.get_dir()) / "checkpoints" / EVA_VIT_FILENAME)
    return found


def find_eva_vit(seed_folder: Path) -> Path:
    """The first `eva_vit_g.pth` of `eva_vit_candidates`, or an error saying where to put it."""
    candidates = eva_vit_candidates(seed_folder)
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"SEED-2 image tokenizer: {EVA_VIT_FILENAME} (BLIP-2's EVA ViT-g image encoder; not part "
        f"of {SEED2_HUB_ID}; size and hash not published) not found at "
        + ", ".join(str(p) for p in candidates)
        + f"; download it from {EVA_VIT_G_URL} and put it beside {QUANTIZER_FILENAME}"
    )


def _default_dtype(device: torch.device) -> torch.dtype:
    # The reference halves the whole model (fp16=True) on GPU; CPU stays in float32 here.
    return torch.float16 if device.type == "cuda" else torch.float32


def load_seed_tokenizer(
    quantizer_path: str | Path,
    eva_vit_path: str | Path | None = None,
    *,
    config: SeedTokenizerConfig = SEED2_CONFIG,
    device: str | torch.device = "cpu",
    dtype: torch.dtype | None = None,
    allow_unexpected: bool = False,
) -> SeedTokenizer:
    """Load the released files into a `SeedTokenizer`.

    `quantizer_path` is `seed_quantizer.pt` or a folder holding it; `eva_vit_path` defaults to
    the first `eva_vit_g.pth` of `eva_vit_candidates`. `dtype` defaults to float16 on CUDA (the reference's `.half()`)
    and float32 elsewhere; every floating tensor gets it. Raises SeedCheckpointError on any
    mismatch with `config`.
    """
    quantizer_file = Path(quantizer_path)
    if quantizer_file.is_dir():
        quantizer_file = quantizer_file / QUANTIZER_FILENAME
    if not quantizer_file.is_file():
        _read_state_dict(quantizer_file)  # raises, naming where the file comes from
    vit_file = Path(eva_vit_path) if eva_vit_path else find_eva_vit(quantizer_file.parent)
    device = torch.device(device)

    with torch.device("meta"):
        model = QformerQuantizer(config)
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    vit_shapes = {k[len(VIT_PREFIX) :]: s for k, s in shapes.items() if k.startswith(VIT_PREFIX)}
    rest_shapes = {k: s for k, s in shapes.items() if not k.startswith(VIT_PREFIX)}

    quantizer_state = _read_state_dict(quantizer_file)
    # A derived buffer (arange); tolerate a file saved without it.
    quantizer_state.setdefault(
        POSITION_IDS_KEY, torch.arange(shapes[POSITION_IDS_KEY][1]).unsqueeze(0)
    )
    state, ignored = _check_keys(
        quantizer_file,
        quantizer_state,
        rest_shapes,
        DISCARDED_KEYS[QUANTIZER_FILENAME],
        allow_unexpected,
    )
    vit_state, ignored_vit = _check_keys(
        vit_file,
        _read_state_dict(vit_file),
        vit_shapes,
        DISCARDED_KEYS[EVA_VIT_FILENAME],
        allow_unexpected,
    )
    state.update({VIT_PREFIX + k: v for k, v in vit_state.items()})

    model.load_state_dict(state, strict=True, assign=True)
    tokenizer = SeedTokenizer(model.to(device=device, dtype=dtype or _default_dtype(device)))
    tokenizer.ignored_keys = {str(quantizer_file): ignored, str(vit_file): ignored_vit}
    return tokenizer
