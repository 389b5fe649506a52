"""Speech recognition: LibriSpeech test-clean / test-other (the AnyGPT and Whisper protocol) and manifests.

AnyGPT (arXiv 2402.12226v5, Table 4) reports WER on LibriSpeech test-clean against Whisper and
wav2vec 2.0; the headline preset is corpus WER after Whisper's English normalizer.
"""

from __future__ import annotations

from evals.datasets.librispeech import read_librispeech
from evals.datasets.manifest import read_asr_manifest
from evals.registry import TASKS
from evals.task import DataSource, Task
from evals.types import Modality

ASR_METRICS = ("wer@whisper-norm", "wer@whisper-norm-utt", "wer@basic")


def librispeech(split: str) -> Task:
    return Task(
        name="librispeech-asr"
        if split == "test-clean"
        else f"librispeech-asr-{split.split('-')[1]}",
        family="asr",
        description=f"ASR on LibriSpeech {split} (2,620/2,939 utterances), corpus WER",
        data=DataSource(
            read_librispeech, root="LibriSpeech", root_env="ANYBENCH_LIBRISPEECH", subpath=split
        ),
        input=Modality.SPEECH,
        output=Modality.TEXT,
        metrics=ASR_METRICS,
        protocol="AnyGPT Table 4: LibriSpeech test-clean WER" if split == "test-clean" else "",
    )


for _split in ("test-clean", "test-other"):
    _task = librispeech(_split)
    TASKS.register(_task.name, _task)

TASKS.register(
    "manifest-asr",
    Task(
        name="manifest-asr",
        family="asr",
        description="ASR over a JSONL manifest (id, audio, text), corpus WER",
        data=DataSource(
            read_asr_manifest, root="manifest-asr.jsonl", root_env="ANYBENCH_ASR_MANIFEST"
        ),
        input=Modality.SPEECH,
        output=Modality.TEXT,
        metrics=ASR_METRICS,
    ),
)
