"""The `encodec` package's 24 kHz (mono, causal) and 48 kHz (stereo, 1 s segments) models.

The network is built by the package (`EncodecModel.encodec_model_24khz(pretrained=False)`) and
its weights are read from a local file, never downloaded: `checkpoint=FILE`, or the package's
file name (`encodec_24khz-d7cc33bc.th`, `encodec_48khz-7e698e3e.th`) in `weights=FOLDER`
(default: torch hub's checkpoint folder, where the package caches its download). A file named in
the package's `<name>-<sha256 prefix>.th` style is checked against that prefix, as the package
does. Mono input is duplicated to both channels of the 48 kHz model; its output channels are
averaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from evals.adapters.base import resolve_device
from evals.adapters.roundtrip.base import RoundTripAdapter
from evals.media import sha256_file
from evals.registry import MODELS
from evals.types import Modality, Request

CHECKPOINTS = {"24khz": "encodec_24khz-d7cc33bc.th", "48khz": "encodec_48khz-7e698e3e.th"}
"""The package's checkpoint file names (the part after '-' is the file's sha256 prefix)."""
BUILDERS = {"24khz": "encodec_model_24khz", "48khz": "encodec_model_48khz"}
_HASHED_NAME = re.compile(r"^[\w.]+-([0-9a-f]{8,})\.th$")


class CheckpointError(FileNotFoundError):
    """A codec checkpoint that is missing or fails its check; names the file and where it looked."""


@dataclass(frozen=True)
class EncodecOptions:
    model: Literal["24khz", "48khz"] = "24khz"
    """Which of the package's models."""
    bandwidth: float = 6.0
    """Target kbps: 1.5, 3, 6, 12, 24 (24 kHz) or 3, 6, 12, 24 (48 kHz)."""
    weights: str | None = None
    """Folder holding the package's checkpoint file; default: torch hub's checkpoints folder."""
    checkpoint: str | None = None
    """A checkpoint file (a state dict), any name; wins over `weights`."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto` (the package runs in float32)."""


def default_weights_dir() -> Path:
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def checkpoint_file(options: EncodecOptions) -> Path:
    """The file to load, checked to exist and, for a hash-named file, to match its hash."""
    if options.checkpoint:
        path = Path(options.checkpoint).expanduser()
        where = "given by checkpoint="
    else:
        folder = Path(options.weights).expanduser() if options.weights else default_weights_dir()
        path = folder / CHECKPOINTS[options.model]
        where = "weights=" if options.weights else "torch hub's checkpoint folder (weights= unset)"
    if not path.is_file():
        raise CheckpointError(
            f"encodec {options.model} checkpoint not found: {path} ({where}); put the package's "
            f"{CHECKPOINTS[options.model]} there or pass checkpoint=FILE"
        )
    named = _HASHED_NAME.match(path.name)
    if named:
        digest = sha256_file(path)
        if not digest.startswith(named.group(1)):
            raise CheckpointError(
                f"{path}: sha256 {digest[:12]}... does not match the {named.group(1)} in its name "
                "(a corrupt or different file)"
            )
    return path


@MODELS.register("encodec")
class EncodecRoundTrip(RoundTripAdapter):
    """The `encodec` package's codec (24 or 48 kHz) encode + decode; audio in, the same out."""

    capabilities = frozenset(
        {
            (Modality.MUSIC, Modality.MUSIC),
            (Modality.AUDIO, Modality.AUDIO),
            (Modality.SPEECH, Modality.SPEECH),
        }
    )
    Options = EncodecOptions

    def __init__(self, options: EncodecOptions | None = None):
        super().__init__(options)
        import torch
        from encodec import EncodecModel

        o = self.options
        self.device = resolve_device(o.device)
        self.path = checkpoint_file(o)
        self.model = getattr(EncodecModel, BUILDERS[o.model])(pretrained=False)
        state = torch.load(self.path, map_location="cpu", weights_only=True)
        self.model.load_state_dict(state, strict=True)
        if o.bandwidth not in self.model.target_bandwidths:
            raise ValueError(
                f"encodec {o.model}: bandwidth {o.bandwidth} not offered "
                f"(target_bandwidths: {self.model.target_bandwidths})"
            )
        self.model.set_target_bandwidth(o.bandwidth)
        self.model.to(self.device).eval()

    @property
    def sample_rate(self) -> int:
        return int(self.model.sample_rate)

    def reconstruct(self, clips: list[np.ndarray], requests: list[Request]) -> list[np.ndarray]:
        import torch

        x = torch.as_tensor(np.stack(clips), dtype=torch.float32, device=self.device)[:, None]
        x = x.expand(-1, self.model.channels, -1).contiguous()
        with torch.inference_mode():
            y = self.model.decode(self.model.encode(x))[..., : x.shape[-1]]
        return list(y.mean(dim=1).cpu().numpy())

    def describe(self) -> dict[str, Any]:
        return {
            "engine": "encodec package",
            "model": f"encodec_{self.options.model}",
            "checkpoint": str(self.path),
            "checkpoint_sha256": sha256_file(self.path),
            "device": self.device,
            "sample_rate": self.sample_rate,
            "channels": int(self.model.channels),
            "bandwidth_kbps": self.options.bandwidth,
            "codebooks": int(
                self.model.quantizer.get_num_quantizers_for_bandwidth(
                    self.model.frame_rate, self.options.bandwidth
                )
            ),
        }

    def close(self) -> None:
        self.model = None
