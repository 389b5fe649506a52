"""Tokenizer round-trip fidelity: how much each modality loses in its tokenizer and de-tokenizer.

The "model" is a codec adapter (`speechtokenizer`, `encodec-hf`, `encodec`) that encodes the
input to discrete tokens and decodes it back; the output is scored against the input.

- `speech-roundtrip` (LibriSpeech test-clean) and `speech-roundtrip-manifest`: WER of Whisper's
  transcript of the reconstruction against the transcript, speaker similarity to the input, and
  log-mel L1 at 16 kHz. The voice prompt (used by RVQ-1 + SoundStorm) follows the zero-shot TTS
  rule: the first 3 s of another utterance of the same speaker.
- `music-roundtrip` (MusicCaps, 5 s clips): log-mel L1 and SI-SNR at 32 kHz, and the CLAP
  audio-audio cosine of reconstruction and input.

Images through the SEED tokenizer need its unCLIP de-tokenizer (issue 6) and are not here yet.
"""

from __future__ import annotations

from dataclasses import replace

from evals.datasets.speech_roundtrip import read_librispeech_roundtrip, read_manifest_roundtrip
from evals.datasets.voice_prompts import voice_prompt_of
from evals.registry import TASKS
from evals.task import DataSource, Task, default_request
from evals.types import Decoding, Modality, Request, Sample
from tasks.music import clip_request, musiccaps

SPEECH_METRICS = ("wer-tts@whisper-tiny.en", "sim@resemblyzer-input", "mel-l1@16k")
MUSIC_METRICS = ("mel-l1@32k", "si-snr@32k", "clap-audio@music-audioset")


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
):
    TASKS.register(_task.name, _task)
