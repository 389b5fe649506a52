"""Strict loading of the plain state-dict files AnyGPT releases, with errors that name the keys."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

_MAX_LISTED = 20


class CheckpointMismatchError(ValueError):
    """A checkpoint's tensors do not fit the module built for it (wrong file or wrong config)."""


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a file that stores a bare ``{name: tensor}`` mapping (``torch.save(model.state_dict())``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint file not found: {path}")
    loaded = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(loaded, Mapping) or not all(
        isinstance(value, torch.Tensor) for value in loaded.values()
    ):
        raise CheckpointMismatchError(
            f"{path} does not hold a plain state dict (name -> tensor); got {type(loaded).__name__}"
        )
    return dict(loaded)


def load_state_dict_strictly(
    module: nn.Module, state_dict: Mapping[str, torch.Tensor], source: str | Path
) -> None:
    """Load every tensor of `state_dict` into `module`, or raise naming each key that does not fit.

    The module may live on the meta device: its tensors are replaced by the loaded ones (assign).
    """
    expected = {name: tuple(t.shape) for name, t in module.state_dict().items()}
    found = {name: tuple(t.shape) for name, t in state_dict.items()}
    missing = sorted(expected.keys() - found.keys())
    unexpected = sorted(found.keys() - expected.keys())
    wrong_shape = sorted(
        f"{name} {found[name]} (expected {expected[name]})"
        for name in expected.keys() & found.keys()
        if expected[name] != found[name]
    )
    problems = [
        f"{what} ({len(names)}): {_listing(names)}"
        for what, names in (
            ("missing keys", missing),
            ("unexpected keys", unexpected),
            ("shape mismatches", wrong_shape),
        )
        if names
    ]
    if problems:
        raise CheckpointMismatchError(
            f"{source} does not fit {type(module).__name__}: "
            + "; ".join(problems)
            + ". Check that the file is the released checkpoint and that the config matches it."
        )
    module.load_state_dict(state_dict, strict=True, assign=True)


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    hidden = len(names) - _MAX_LISTED
    return shown + (f", ... and {hidden} more" if hidden > 0 else "")
