"""anybench's engine: typed records, registries, adapters, datasets, runner, store, CLI."""

from evals import compat as _compat

_compat.install()

__version__ = "0.1.0"
