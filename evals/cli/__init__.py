"""The `anybench` command line."""
