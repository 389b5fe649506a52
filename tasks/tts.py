"""Zero-shot text-to-speech: VCTK (the AnyGPT protocol) and manifests.

The model gets a text and a 3-second voice prompt from the same speaker (another utterance, see
evals.datasets.voice_prompts). Scored by the WER of an ASR model's transcript of the generated
speech, speaker similarity to the prompt and DNSMOS. AnyGPT (Table 5) transcribes with Whisper
medium; the offline default here is Whisper tiny.en, and the preset name says which was used.
"""

from __future__ import annotations

from dataclasses import replace

from evals.datasets.manifest import read_tts_manifest
from evals.datasets.vctk import read_vctk_tts, read_vctk_tts_paper
from evals.datasets.voice_prompts import voice_prompt_of
from evals.errors import SampleError
from evals.registry import TASKS
from evals.task import DataSource, Task, default_request
from evals.types import Decoding, Modality, Request, Sample

TTS_METRICS = ("wer-tts@whisper-tiny.en", "sim@resemblyzer", "dnsmos@p835")
PAPER_TTS_METRICS = ("wer-tts@whisper-medium", "sim@resemblyzer", "dnsmos@p835")


def tts_request(task: Task, sample: Sample, decoding: Decoding) -> Request:
    """The text to speak, with the voice prompt (raises if the speaker has no other utterance)."""
    prompt = voice_prompt_of(sample)
    if prompt is None:
        raise SampleError(
            f"sample {sample.id}: speaker {sample.metadata.get('speaker')!r} has no other utterance for a voice prompt"
        )
    return replace(default_request(task, sample, decoding), voice_prompt=prompt)


VCTK = Task(
    name="vctk-tts",
    family="tts",
    description="zero-shot TTS on VCTK: text + 3 s voice prompt of the same speaker; WER, SIM, DNSMOS",
    data=DataSource(
        read_vctk_tts, root="VCTK-Corpus", root_env="ANYBENCH_VCTK", options={"prompt_seconds": 3.0}
    ),
    input=Modality.TEXT,
    output=Modality.SPEECH,
    metrics=TTS_METRICS,
    build_request=tts_request,
    protocol="AnyGPT Table 5: VCTK zero-shot TTS (WER with Whisper medium, speaker similarity)",
)
TASKS.register(VCTK.name, VCTK)
PAPER_TARGETS_PER_SPEAKER = 1
"""The paper's VCTK protocol picks, per speaker, a random 3-second clip as the voice prompt and a
separate text as the input; it names one text, not a count per speaker, so this reads it as one
target per speaker (about 108 samples on VCTK, where every utterance would be ~44k).
`targets_per_speaker` in the reader options changes it (0: every other utterance)."""

TASKS.register(
    "vctk-tts-paper",
    replace(
        VCTK,
        name="vctk-tts-paper",
        metrics=PAPER_TTS_METRICS,
        data=replace(
            VCTK.data,
            reader=read_vctk_tts_paper,
            options={
                "prompt_seconds": 3.0,
                "targets_per_speaker": PAPER_TARGETS_PER_SPEAKER,
                "selection_seed": 0,
            },
        ),
        description="VCTK TTS as the paper selects it (per speaker: a seeded random 3 s speech "
        "clip as the prompt, another utterance as the target) and scores it (Whisper medium)",
        protocol="AnyGPT Table 5 / Section 4.3: per speaker a random 3 s clip (seeded, from the "
        "speech region) as the voice prompt and a separate text (another utterance of the "
        f"speaker, {PAPER_TARGETS_PER_SPEAKER} per speaker) as the target; WER with Whisper "
        "medium, speaker similarity",
    ),
)

TASKS.register(
    "manifest-tts",
    Task(
        name="manifest-tts",
        family="tts",
        description="zero-shot TTS over a JSONL manifest (id, text, speaker, audio[, prompt_audio])",
        data=DataSource(
            read_tts_manifest,
            root="manifest-tts.jsonl",
            root_env="ANYBENCH_TTS_MANIFEST",
            options={"prompt_seconds": 3.0},
        ),
        input=Modality.TEXT,
        output=Modality.SPEECH,
        metrics=TTS_METRICS,
        build_request=tts_request,
    ),
)
