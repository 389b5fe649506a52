"""Device and dtype resolution shared by the torch-based adapters."""

from __future__ import annotations

from typing import Any

DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "float16": "float16",
    "fp16": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


def torch_dtype(name: str, device: str) -> Any:
    """`auto` is float16 on CUDA and float32 elsewhere; otherwise the named dtype."""
    import torch

    if name == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    try:
        return getattr(torch, DTYPES[name])
    except KeyError:
        raise ValueError(
            f"unknown dtype {name!r} (use auto, {', '.join(sorted(DTYPES))})"
        ) from None


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) for one sample's generation."""
    import torch

    torch.manual_seed(seed)
