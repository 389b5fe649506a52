"""Registers the `anygpt` adapter without importing torch (its modules load on first use)."""

from evals.registry import MODELS

MODELS.register_lazy("anygpt", "evals.adapters.anygpt.adapter:AnyGPTAdapter")
