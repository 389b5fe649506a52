"""Shared pytest fixtures: golden data from ../shared (skipped with a reason where absent)."""

from __future__ import annotations

import os
from pathlib import Path

# One intra-op thread per process: the suite's models are tiny, and OpenMP threads spinning
# against other processes (Java scorers, CTranslate2, torchrun ranks, a busy machine) turn
# millisecond ops into seconds. Set before torch is imported; subprocesses inherit it.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Nothing in the tests may reach a hub; offline, a missing scorer fails at once instead of retrying.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ANYBENCH_SHARED", REPO.parent / "shared"))
ANYGPT_FIXTURES = SHARED / "fixtures" / "anygpt"


@pytest.fixture(scope="session")
def anygpt_fixtures() -> Path:
    """../shared/fixtures/anygpt, golden data made from the reference AnyGPT code."""
    if not ANYGPT_FIXTURES.is_dir():
        pytest.skip(
            f"golden fixtures not found at {ANYGPT_FIXTURES} (set ANYBENCH_SHARED to the shared/ folder)"
        )
    return ANYGPT_FIXTURES
