"""Tokenizer round trips as models: encode the input to discrete codes and decode it back.

Importing this package registers the codec adapters (heavy imports happen when one is built).
"""

from evals.adapters.roundtrip import encodec_hf, encodec_pkg, seed_image, speech_codec  # noqa: F401
