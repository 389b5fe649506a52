"""The machine a benchmark ran on, described in one block (printed and written to RESULTS.md)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, str]:
    """Cores, CPU model, memory, load, torch threads, GPU and versions, with the date."""
    import torch

    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    gpu = "none"
    if torch.cuda.is_available():
        gpu = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": f"{cpu_model()}, {os.cpu_count()} cores",
        "memory": mem,
        "load average (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "gpu": gpu,
        "torch": f"{torch.__version__}, {torch.get_num_threads()} intra-op threads",
        "python": f"{sys.version.split()[0]} ({platform.platform()})",
        "git": git_revision(),
    }


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def block() -> str:
    """The description as Markdown list lines."""
    return "\n".join(f"- {k}: {v}" for k, v in describe().items())


def load_now() -> str:
    return f"{os.getloadavg()[0]:.2f}"
