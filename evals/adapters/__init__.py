"""Model adapters; importing this package registers the built-in ones (heavy imports are lazy)."""

from evals.adapters import (  # noqa: F401
    anygpt_registration,
    command_tts,
    diffusers_t2i,
    faster_whisper,
    hf_captioner,
    hf_whisper,
    musicgen,
    piper_tts,
    pocketsphinx_asr,
    predictions,
    reference,
    roundtrip,
)
