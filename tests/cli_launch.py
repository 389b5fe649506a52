"""`python -m tests.cli_launch ARGS`: the anybench CLI with the test models registered.

For CLI subprocesses and torchrun workers, which must know `test-echo` too.
"""

import sys

import tests.fakes  # noqa: F401  (registers the test models)
from evals.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
