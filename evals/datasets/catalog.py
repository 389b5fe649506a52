"""Names of the built-in dataset readers, for task files (`data: {reader: librispeech}`).

Registered lazily: a reader's module is imported only when a task uses it. A task file may also
name any reader as `module:function`.
"""

from __future__ import annotations

from evals.registry import READERS

BUILTIN_READERS = {
    "librispeech": "evals.datasets.librispeech:read_librispeech",
    "asr-manifest": "evals.datasets.manifest:read_asr_manifest",
    "tts-manifest": "evals.datasets.manifest:read_tts_manifest",
    "vctk-tts": "evals.datasets.vctk:read_vctk_tts",
    "coco-captions": "evals.datasets.coco:read_coco_captions",
    "coco-t2i": "evals.datasets.coco:read_coco_t2i",
    "caption-manifest": "evals.datasets.image_manifest:read_caption_manifest",
    "t2i-manifest": "evals.datasets.image_manifest:read_t2i_manifest",
    "musiccaps": "evals.datasets.musiccaps:read_musiccaps",
    "sphinx-testdata": "evals.datasets.sphinx_testdata:read_sphinx_testdata",
}

for _name, _target in BUILTIN_READERS.items():
    READERS.register_lazy(_name, _target)
