"""Where a result came from: package versions, git revision, machine and device."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "anybench",
    "torch",
    "transformers",
    "diffusers",
    "jiwer",
    "whisper-normalizer",
    "faster-whisper",
    "ctranslate2",
    "piper-tts",
    "resemblyzer",
    "speechmos",
    "onnxruntime",
    "pycocoevalcap",
    "open-clip-torch",
    "encodec",
    "speechtokenizer",
    "numpy",
    "soundfile",
    "soxr",
)


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_revision(path: Path | None = None) -> str | None:
    """The anybench source checkout's commit (with `-dirty` for local changes), if it is one."""
    where = path or Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.TimeoutExpired):
        return None


def device_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpu_count": __import__("os").cpu_count(),
    }
    if "torch" in sys.modules:  # only report CUDA if a model already brought torch in
        torch = sys.modules["torch"]
        if torch.cuda.is_available():
            info["cuda"] = {
                "device": torch.cuda.get_device_name(0),
                "count": torch.cuda.device_count(),
                "torch_cuda": torch.version.cuda,
            }
    return info


def collect() -> dict[str, Any]:
    return {"packages": package_versions(), "git_revision": git_revision(), "host": device_info()}
