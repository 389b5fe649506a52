"""Task definitions, one module per family; importing this package registers them all."""

from tasks import asr, music, roundtrip, tts  # noqa: F401
