"""Tokenizer round-trip fidelity: how much each modality loses in its tokenizer and de-tokenizer.

The "model" is a codec adapter (`speechtokenizer`, `encodec-hf`, `encodec`) that encodes the
input to discrete tokens and decodes it back; the output is scored against the input.

- `speech-roundtrip` (LibriSpeech test-clean) and `speech-roundtrip-manifest`: WER of Whisper's
  transcript of the reconstruction against the transcript, speaker similarity to the input, and
  log-mel L1 at 16 kHz. The voice prompt (used by RVQ-1 + SoundStorm) follows the zero-shot TTS
  rule: the first 3 s of another utterance of the same speaker.
- `music-roundtrip` (MusicCaps, 5 s clips): log-mel L1 and SI-SNR at 32 kHz, and the CLAP
  audio-audio cosine of reconstruction and input.
- `image-roundtrip` (MS-COCO Karpathy test images) and `image-roundtrip-manifest`: SEED-2 ids
  through the unCLIP de-tokenizer (`seed-unclip`), scored by `clip_i` against the input image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from evals.datasets.coco import read_coco_captions
from evals.datasets.image_manifest import read_caption_manifest
from evals.datasets.speech_roundtrip import read_librispeech_roundtrip, read_manifest_roundtrip
from evals.datasets.voice_prompts import voice_prompt_of
from evals.registry import TASKS
from evals.task import DataSource, Task, default_request
from evals.types import Decoding, Modality, Request, Sample
from tasks.music import clip_request, musiccaps

SPEECH_METRICS = ("wer-tts@whisper-tiny.en", "sim@resemblyzer-input", "mel-l1@16k")
MUSIC_METRICS = ("mel-l1@32k", "si-snr@32k", "clap-audio@music-audioset")
IMAGE_METRICS = ("clip_i@openai-vit-l-14",)


def with_input_as_reference(samples: Iterator[Sample]) -> Iterator[Sample]:
    """Image samples whose first reference is the input image itself (what clip_i compares to)."""
    for s in samples:
        yield replace(s, references=(s.inputs[0], *s.references))


def read_coco_image_roundtrip(root: Path, split: str = "test") -> Iterator[Sample]:
    return with_input_as_reference(read_coco_captions(root, split))


def read_manifest_image_roundtrip(path: Path) -> Iterator[Sample]:
    return with_input_as_reference(read_caption_manifest(path))


def speech_request(task: Task, sample: Sample, decoding: Decoding) -> Request:
    """The utterance, with the speaker's voice prompt where the speaker has another utterance."""
    return replace(default_request(task, sample, decoding), voice_prompt=voice_prompt_of(sample))


for _task in (
    Task(
        name="speech-roundtrip",
        family="roundtrip",
        description="speech tokenizer round trip on LibriSpeech test-clean; WER, SIM, mel L1",
        data=DataSource(
            read_librispeech_roundtrip,
            root="LibriSpeech",
            root_env="ANYBENCH_LIBRISPEECH",
            subpath="test-clean",
            options={"prompt_seconds": 3.0},
        ),
        input=Modality.SPEECH,
        output=Modality.SPEECH,
        metrics=SPEECH_METRICS,
        build_request=speech_request,
    ),
    Task(
        name="speech-roundtrip-manifest",
        family="roundtrip",
        description="speech tokenizer round trip over a JSONL manifest (id, audio, text, speaker)",
        data=DataSource(
            read_manifest_roundtrip,
            root="manifest-tts.jsonl",
            root_env="ANYBENCH_TTS_MANIFEST",
            options={"prompt_seconds": 3.0},
        ),
        input=Modality.SPEECH,
        output=Modality.SPEECH,
        metrics=SPEECH_METRICS,
        build_request=speech_request,
    ),
    Task(
        name="music-roundtrip",
        family="roundtrip",
        description="music tokenizer round trip on MusicCaps 5 s clips; mel L1, SI-SNR, CLAP",
        data=musiccaps("music"),
        input=Modality.MUSIC,
        output=Modality.MUSIC,
        metrics=MUSIC_METRICS,
        build_request=clip_request,
    ),
    Task(
        name="image-roundtrip",
        family="roundtrip",
        description="image tokenizer round trip (SEED-2 + unCLIP) on MS-COCO Karpathy test; CLIP-I",
        data=DataSource(read_coco_image_roundtrip, root="coco", root_env="ANYBENCH_COCO"),
        input=Modality.IMAGE,
        output=Modality.IMAGE,
        metrics=IMAGE_METRICS,
    ),
    Task(
        name="image-roundtrip-manifest",
        family="roundtrip",
        description="image tokenizer round trip over a JSONL manifest (id, image); CLIP-I",
        data=DataSource(
            read_manifest_image_roundtrip,
            root="manifest-caption.jsonl",
            root_env="ANYBENCH_CAPTION_MANIFEST",
        ),
        input=Modality.IMAGE,
        output=Modality.IMAGE,
        metrics=IMAGE_METRICS,
    ),
):
    TASKS.register(_task.name, _task)
