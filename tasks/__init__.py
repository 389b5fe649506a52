"""Built-in tasks: the task files of `tasks/configs/` and the Python modules of tasks that need
more than data (`tts`, `roundtrip`); importing this package registers them all.

`music` holds the request hook the MusicCaps task files name.
"""

from pathlib import Path

from evals.task_config import register_folder
from tasks import roundtrip, tts  # noqa: F401

CONFIGS = Path(__file__).parent / "configs"

register_folder(CONFIGS, lambda p: f"tasks/configs/{p.name}")
