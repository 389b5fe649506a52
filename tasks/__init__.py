"""Task definitions, one module per family; importing this package registers them all."""

import tasks.captioning
import tasks.text_to_image  # noqa: F401
from tasks import asr, tts  # noqa: F401
