"""Task definitions, one module per family; importing this package registers them all."""

from tasks import asr, captioning, music, real_speech, roundtrip, text_to_image, tts  # noqa: F401
