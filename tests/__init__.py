"""anybench tests (a regular package, so `tests.*` is ours even where a third-party `tests` package is installed)."""
