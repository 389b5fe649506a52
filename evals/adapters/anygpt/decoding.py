"""Decoding presets for AnyGPT's language model, per output modality.

- `anygpt-repo`: the released `config/*.json` files as the base CLI picks them by output
  modality (text, image, speech, music). Keys they leave out take transformers 4.34.1's
  GenerationConfig defaults, which the reference therefore ran with (notably top_k=50).
- `anygpt-repo-chat`: the same, but text uses `config/generate_config.json` (5-beam sampling,
  500 tokens) as the chat CLI does.
- `anygpt-paper`: the paper's Table 9: beam search with 5 beams for text, top-p 0.7 for image
  and speech, top-p 1.0 with repetition penalty 1.15 for music; every knob the table does not
  name keeps GenerationConfig's default, and the lengths are the repo's (the paper gives none).

How the reference stops: it builds `GenerationConfig(**json)`, which has no eos_token_id, so
transformers 4.34.1 (a) stops only at the model's own `</s>` and (b) never adds the
min-new-tokens processor, making the configs' `min_new_tokens: 10` a no-op. Output is cut at
`<eos>` or the end tag afterwards. Our kwargs always name the stop ids and every sampling knob,
so a checkpoint's generation_config.json cannot fill them in (transformers 5 merges it).
`stop_at_end_tag` also stops at `<eos>` and the output's end tag. For sampling that only saves
time (tokens before the stop are drawn identically, and `parsing` ignores what follows, unless
an end tag comes before its start tag); for beam search it changes which hypotheses finish.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evals.adapters.anygpt.vocab import AnyGPTVocab
from evals.types import Modality


@dataclass(frozen=True)
class ModalityDecoding:
    """The language model's decoding settings when generating one output modality."""

    do_sample: bool
    """Sample (True) or search (False)."""
    max_new_tokens: int
    """Most tokens generated after the prompt."""
    min_new_tokens: int
    """Fewest tokens before a stop id may end generation, where the preset enforces it."""
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 50
    """50 is GenerationConfig's default, which the reference's configs inherit."""
    num_beams: int = 1
    repetition_penalty: float = 1.0


@dataclass(frozen=True)
class DecodingPreset:
    """A named set of decoding settings, one per output modality."""

    name: str
    """Preset name, as requests refer to it."""
    source: str
    """Where the numbers come from."""
    by_output: Mapping[Modality, ModalityDecoding]
    """Settings per output modality."""
    soundstorm_steps: int = 3
    """SoundStorm steps turning speech tokens into audio (`vc_steps` of generate_config.json;
    the 4 in speech_generate_config.json is never read by the reference)."""
    stop_at_end_tag: bool = False
    """Also stop at `<eos>` and the output's end tag, not only at `</s>` (see module doc)."""
    enforce_min_new_tokens: bool = False
    """Apply `min_new_tokens`; False reproduces the reference, where it has no effect."""


_REPO = {
    Modality.TEXT: ModalityDecoding(do_sample=True, max_new_tokens=100, min_new_tokens=10),
    Modality.IMAGE: ModalityDecoding(do_sample=True, max_new_tokens=200, min_new_tokens=10),
    Modality.SPEECH: ModalityDecoding(
        do_sample=True, max_new_tokens=1500, min_new_tokens=10, repetition_penalty=1.05
    ),
    Modality.MUSIC: ModalityDecoding(
        do_sample=True, max_new_tokens=2000, min_new_tokens=10, top_k=200, repetition_penalty=1.15
    ),
}

PAPER_TEXT_TOKENS = 320
"""Text budget of `anygpt-paper`. The longest LibriSpeech test-clean utterances (~35 s) carry
about 90-100 words; LLaMA-2's tokenizer spends about 1.3-1.5 tokens per English word, so about
150 tokens, plus the end tag and `</s>`: 320 leaves a 2x margin (the repo's 100 would cut them,
scored as deletions). Search stops at `</s>`, so short outputs cost nothing extra; a generation
that still reaches the budget is flagged `truncated`."""

PRESETS: Mapping[str, DecodingPreset] = {
    preset.name: preset
    for preset in (
        DecodingPreset(
            "anygpt-repo",
            "OpenMOSS/AnyGPT config/{text,image,speech,music}_generate_config.json",
            _REPO,
        ),
        DecodingPreset(
            "anygpt-repo-chat",
            "OpenMOSS/AnyGPT config/generate_config.json (text) and the per-modality configs",
            {
                **_REPO,
                Modality.TEXT: ModalityDecoding(
                    do_sample=True, max_new_tokens=500, min_new_tokens=10, num_beams=5
                ),
            },
        ),
        DecodingPreset(
            "anygpt-paper",
            "AnyGPT paper (arXiv 2402.12226) Table 9 (text beam 5; image and speech top-p 0.7; "
            "music top-p 1.0, repetition penalty 1.15); where Table 9 is silent, the released "
            "configs: token budgets and music top-k 200 (music_generate_config.json); text "
            f"max_new_tokens {PAPER_TEXT_TOKENS} instead of the config's 100, so that no "
            "LibriSpeech test-clean transcript is cut",
            {
                Modality.TEXT: ModalityDecoding(
                    do_sample=False,
                    num_beams=5,
                    max_new_tokens=PAPER_TEXT_TOKENS,
                    min_new_tokens=10,
                ),
                Modality.IMAGE: ModalityDecoding(
                    do_sample=True, top_p=0.7, max_new_tokens=200, min_new_tokens=10
                ),
                Modality.SPEECH: ModalityDecoding(
                    do_sample=True, top_p=0.7, max_new_tokens=1500, min_new_tokens=10
                ),
                Modality.MUSIC: ModalityDecoding(
                    do_sample=True,
                    top_p=1.0,
                    top_k=200,
                    repetition_penalty=1.15,
                    max_new_tokens=2000,
                    min_new_tokens=10,
                ),
            },
        ),
    )
}


def get_preset(name: str) -> DecodingPreset:
    """The preset called `name`; unknown names list the close matches."""
    try:
        return PRESETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, PRESETS, n=3) or sorted(PRESETS)
        raise KeyError(f"unknown AnyGPT decoding preset {name!r}; did you mean {close}?") from None


def resolve(
    preset: DecodingPreset, output: Modality, overrides: Mapping[str, Any] | None = None
) -> ModalityDecoding:
    """The preset's settings for `output`, with explicit overrides (field name -> value) applied."""
    if output not in preset.by_output:
        raise ValueError(f"preset {preset.name} has no settings for {output} output")
    fields = {f.name for f in dataclasses.fields(ModalityDecoding)}
    overrides = overrides or {}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise ValueError(f"unknown decoding overrides {unknown}; known: {sorted(fields)}")
    return dataclasses.replace(preset.by_output[output], **overrides)


def stop_token_ids(preset: DecodingPreset, output: Modality, vocab: AnyGPTVocab) -> list[int]:
    """The ids that end generation: `</s>`, plus `<eos>` and the output's end tag when the
    preset stops at the end tag."""
    if not preset.stop_at_end_tag:
        return [vocab.eos_id]
    tags = (
        [vocab.assistant_end_id]
        if output is Modality.TEXT
        else [vocab.end_id(output), vocab.assistant_end_id]
    )
    return [vocab.eos_id, *tags]


@dataclass(frozen=True)
class GenerationPlan:
    """Everything `model.generate` needs for one group of requests, beyond the prompt ids."""

    config_kwargs: Mapping[str, Any]
    """Keyword arguments for `transformers.GenerationConfig`; every field set explicitly. For
    sampling, `do_sample` is False and the sampling knobs are None: `sampler` draws instead."""
    sampler: ModalityDecoding | None
    """Sampling settings (temperature, top-k, top-p) for the per-request seeded sampler; None
    for search, which is deterministic and needs no seed."""
    max_new_tokens: int
    """The token budget; a row that reaches it without a stop id is `truncated`."""
    stop_ids: tuple[int, ...]
    """Ids that end a row's generation."""

    @property
    def beam_sampling(self) -> bool:
        """Beam search with sampling (`anygpt-repo-chat` text): transformers draws from the
        global torch generator, so each such request runs alone, seeded first."""
        return bool(self.config_kwargs["do_sample"])


def generation_plan(
    preset: DecodingPreset,
    output: Modality,
    vocab: AnyGPTVocab,
    overrides: Mapping[str, Any] | None = None,
) -> GenerationPlan:
    """GenerationConfig kwargs and the sampler settings for one group of requests.

    Sampling runs as greedy selection over the scores of `SeededSampler`, which draws each row
    with its own request's seeded generator: a request's tokens do not depend on its batch.
    """
    settings = resolve(preset, output, overrides)
    stops = stop_token_ids(preset, output, vocab)
    kwargs = {
        **dataclasses.asdict(settings),
        "min_new_tokens": settings.min_new_tokens if preset.enforce_min_new_tokens else 0,
        "eos_token_id": stops,
        "bos_token_id": vocab.bos_id,
        "pad_token_id": vocab.pad_id,
    }
    sampled = settings.do_sample and settings.num_beams == 1
    if sampled:
        kwargs.update(do_sample=False, temperature=None, top_k=None, top_p=None)
    return GenerationPlan(
        kwargs, settings if sampled else None, settings.max_new_tokens, tuple(stops)
    )
