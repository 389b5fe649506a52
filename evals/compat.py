"""Work-arounds for broken binary combinations, applied lazily and only where needed.

A CPU build of torch with PyPI's CUDA build of torchvision (the only one that pins torch 2.13)
cannot load torchvision's C extension, and torchvision then fails at import with
`operator torchvision::nms does not exist`, taking transformers' processors, open_clip and
torchmetrics down with it. Defining the two operator schemas first lets the pure-Python parts
import. The hook runs on the first `import torchvision` and only if the extension cannot load,
so a working (GPU) install is left untouched.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import sys
from pathlib import Path

_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}
_LIBRARY = None  # keeps the torch.library.Library alive


def torchvision_extension_loads() -> bool:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return True
    folder = Path(next(iter(spec.submodule_search_locations)))
    ext = next(folder.glob("_C*.so"), None)
    if ext is None:
        return False
    try:
        import torch  # noqa: F401  (its libraries must be loaded first)

        ctypes.CDLL(str(ext))
        return True
    except OSError:
        return False


def define_torchvision_schemas() -> None:
    global _LIBRARY
    import torch

    if _LIBRARY is not None:
        return
    _LIBRARY = torch.library.Library("torchvision", "DEF")
    for schema in _SCHEMAS.values():
        _LIBRARY.define(schema)


class _TorchvisionHook(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torchvision":
            sys.meta_path.remove(self)
            if not torchvision_extension_loads():
                define_torchvision_schemas()
        return None


def install() -> None:
    """Arm the hook (idempotent); nothing is imported until torchvision is."""
    if "torchvision" in sys.modules or any(isinstance(f, _TorchvisionHook) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _TorchvisionHook())
