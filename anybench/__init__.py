"""anybench from Python: `anybench.evaluate(model=..., tasks=[...])` runs, scores and returns.

This package only delegates to `evals` (the engine); see the README's "Python API".
"""

from evals.api import evaluate, to_dataframe
from evals.results import RunResults, load

__all__ = ["RunResults", "__version__", "evaluate", "load", "to_dataframe"]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("anybench")
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
