"""Task definitions, one module per family; importing this package registers them all."""

from tasks import asr, tts  # noqa: F401
