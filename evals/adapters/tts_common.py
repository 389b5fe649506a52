"""Shared helpers for text-to-speech adapters."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence

import numpy as np

from evals.types import Audio, Modality


def run_tts_command(argv: Sequence[str], timeout_s: float = 120.0) -> tuple[np.ndarray, int]:
    """Run a synthesizer that writes a WAV to the path in `{out}` of argv; return samples, rate."""
    import soundfile as sf

    fd, path = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    try:
        cmd = [a.replace("{out}", path) for a in argv]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{cmd[0]} exited {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[:300]}"
            )
        samples, rate = sf.read(path, dtype="float32", always_2d=True)
        return samples[:, 0].copy(), int(rate)
    finally:
        os.unlink(path)


def speech(samples: np.ndarray, rate: int) -> Audio:
    return Audio(
        samples=np.asarray(samples, dtype=np.float32), sample_rate=rate, kind=Modality.SPEECH
    )


def require_binary(name: str, package: str) -> str:
    import shutil

    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"`{name}` is not installed; on Debian/Ubuntu: apt-get install {package}"
        )
    return path
