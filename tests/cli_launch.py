"""`python -m tests.cli_launch ARGS`: the anybench CLI with the test models registered.

For CLI subprocesses and torchrun workers, which must know `test-echo` too. `COMMAND` and
`launch_env()` start it from a test.
"""

import os
import sys
from pathlib import Path

import tests.fakes  # noqa: F401  (registers the test models)
from evals.cli.main import main

REPO = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "tests.cli_launch"]


def launch_env() -> dict[str, str]:
    """This environment for a CLI subprocess: the repository importable, one OpenMP thread, and
    no rank variables (a pytest started by a launcher must not make its children ranks)."""
    keep = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    return {**keep, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}


if __name__ == "__main__":
    sys.exit(main())
