"""The `anygpt` model adapter: AnyGPT's own inference pipeline behind the common interface.

    input media -> tokenizer (SpeechTokenizer RVQ-1 / Encodec 32 kHz / SEED-2) -> modality string
    -> prompt (base template or chat) -> LLaMA-2 with AnyGPT's vocabulary -> generated ids
    -> token-level parsing -> text, or codes -> de-tokenizer (SoundStorm + SpeechTokenizer /
    Encodec / SEED-2 + unCLIP) -> output media

Each component loads the official release layout from a local folder or a hub id, on the first
request that needs it (`components`); components that are not given are simply not served (the
directions needing them are not capabilities), and one that fails to load fails only the
requests that need it.
Differences from the reference CLI are options, documented where they are defined.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.adapters.anygpt.components import Components, ComponentUnavailable
from evals.adapters.anygpt.decoding import (
    PRESETS,
    DecodingPreset,
    GenerationPlan,
    ModalityDecoding,
    generation_plan,
    get_preset,
    resolve,
)
from evals.adapters.anygpt.instructions import Direction, Instruction, default_instruction
from evals.adapters.anygpt.prompts import PromptStyle, build_prompt
from evals.adapters.anygpt.vocab import modality_tokens
from evals.adapters.base import ModelAdapter, resolve_device
from evals.adapters.torch_utils import torch_dtype
from evals.media import load_audio, load_image
from evals.registry import MODELS
from evals.types import Audio, Image, Modality, Request, Response, Text

SPEECH_RATE = 16000
X_TO_TEXT = (Modality.SPEECH, Modality.MUSIC, Modality.IMAGE)


@dataclass(frozen=True)
class AnyGPTOptions:
    llm: str = "fnlp/AnyGPT-base"
    """AnyGPT-base or AnyGPT-chat: a transformers Llama folder (with tokenizer) or hub id."""
    speech: str | None = None
    """AnyGPT-speech-modules folder (speechtokenizer/config.json + ckpt.dev,
    soundstorm/speechtokenizer_soundstorm_mls.pt); enables speech in and out."""
    music: str | None = None
    """Encodec 32 kHz (transformers folder or hub id, e.g. facebook/encodec_32khz); enables music."""
    image: str | None = None
    """SEED-2 tokenizer (folder with seed_quantizer.pt and eva_vit_g.pth); enables image input."""
    unclip: str | None = None
    """Stable unCLIP img2img pipeline (diffusers folder or hub id, e.g.
    stabilityai/stable-diffusion-2-1-unclip); with `image`, enables image output."""
    device: str = "auto"
    """`auto` (CUDA when available), `cpu`, `cuda`, `cuda:1`."""
    dtype: str = "auto"
    """LLM dtype: `auto` is fp16 on CUDA (as the reference) and fp32 on CPU."""
    codec_dtype: str = "float32"
    """Dtype of SpeechTokenizer, SoundStorm and Encodec (the reference runs them in fp32)."""
    style: str = "auto"
    """Prompt style: `base`, `chat`, or `auto` (chat when the tokenizer has `<-Res->`)."""
    legacy: str = "auto"
    """Llama tokenizer legacy flag for prompt ids: `true`, `false`, or `auto` (the checkpoint's
    tokenizer_config.json; unset means true, as AnyGPT's transformers 4.34.1 read it)."""
    instructions: str = "default"
    """`default`: the first instruction of each reference pool (recorded per sample); or the path
    of an OpenMOSS/AnyGPT checkout whose pools are drawn from with the sample's seed (the
    reference draws unseeded)."""
    stop_at_end_tag: bool | None = None
    """Also stop at `<eos>`/the end tag (faster; changes beam search). None keeps the preset's
    choice (off: the reference stops only at `</s>` and cuts afterwards)."""
    batch_sampling: bool = True
    """Kept as an alias for old specs; it changes nothing. Sampled requests always share one
    batched `generate`, each row drawing from its own request's seeded generator (so a sample's
    tokens do not depend on its batch or rank); search is batched as well."""
    music_seconds: float | None = None
    """Cap on music input length in seconds (the task already cuts clips; the reference uses 20)."""
    image_ids: str = "strict"
    """Generated image spans without exactly 32 ids: `strict` gives no image (counted malformed,
    scored by the failure policy); `fit` truncates extra ids or repeats the last one (so one id
    fills all 32, as the reference broadcasts it) and counts the sample malformed. The reference
    crashes on any other count."""
    seed_strict: bool = False
    """Refuse SEED-2 checkpoint keys the tokenizer does not use. Off (default, as the reference's
    `strict=False` load): such keys are ignored with a warning and listed in model.json
    (`seed_ignored_keys`); the release carries keys of modules AnyGPT deletes (always ignored)
    and, per AnyGPT issue #14, more. Missing keys and wrong shapes are always errors."""
    unclip_shared_latents: bool = False
    """Reuse one unCLIP latent tensor (from seed 0) for every image, as the reference does
    (it draws it unseeded); default: per-sample seeded latents."""


@dataclass
class Prepared:
    """One request, tokenized and prompted."""

    request: Request
    prompt_ids: list[int]
    instruction: Instruction
    timings: dict[str, float] = field(default_factory=dict)


@MODELS.register("anygpt")
class AnyGPTAdapter(ModelAdapter):
    """AnyGPT (LLaMA-2 + SEED-2, SpeechTokenizer + SoundStorm, Encodec): its full pipeline."""

    capabilities = frozenset(
        [(m, Modality.TEXT) for m in X_TO_TEXT] + [(Modality.TEXT, m) for m in X_TO_TEXT]
    )
    Options = AnyGPTOptions
    decoding_presets = ("anygpt-paper", *(p for p in PRESETS if p != "anygpt-paper"))
    generation_options = ModalityDecoding

    def __init__(self, options: AnyGPTOptions | None = None):
        super().__init__(options)
        o = self.options
        if o.style not in ("auto", "base", "chat") or o.legacy not in ("auto", "true", "false"):
            raise ValueError("anygpt: style must be auto/base/chat and legacy auto/true/false")
        if o.image_ids not in IMAGE_ID_POLICIES:
            raise ValueError(f"anygpt: image_ids must be one of {', '.join(IMAGE_ID_POLICIES)}")
        from evals.adapters.anygpt.llm import load_language_model
        from evals.hub import resolve

        device = resolve_device(o.device)
        llm_dtype = torch_dtype(o.dtype, device)
        self.parts = Components(o, device, llm_dtype, torch_dtype(o.codec_dtype, device))
        llm_root = resolve(o.llm, "AnyGPT language model")
        self.llm = load_language_model(str(llm_root), device, llm_dtype, o.legacy)
        self.style = PromptStyle(
            ("chat" if self.llm.is_chat else "base") if o.style == "auto" else o.style
        )
        self.pools = None
        if o.instructions != "default":
            from evals.adapters.anygpt.instructions import load_instruction_pools

            self.pools = load_instruction_pools(o.instructions)
        self.capabilities = frozenset(
            d for d in type(self).capabilities if self.parts.missing(d) is None
        )

    def unavailable_reason(self, direction: Direction) -> str | None:
        if direction not in type(self).capabilities:
            return super().unavailable_reason(direction)
        return self.parts.missing(direction)

    # ---- input side -------------------------------------------------------------------
    def input_content(self, request: Request, timings: dict[str, float]) -> str:
        """The prompt content: the input text, or the input media as a modality string."""
        source, _ = request.direction
        if source is Modality.TEXT:
            return " ".join(p.text for p in request.inputs if isinstance(p, Text))
        t0 = time.perf_counter()
        codes = ENCODERS[source](self, next(p for p in request.inputs if p.modality is source))
        timings["tokenize_input"] = time.perf_counter() - t0
        return modality_tokens(source).to_string(codes)

    def encode_speech(self, part: Audio) -> list[int]:
        samples, _ = load_audio(part, SPEECH_RATE)
        return self.parts.get("speech_tokenizer").semantic_ids(samples)

    def encode_music(self, part: Audio) -> list[list[int]]:
        codec = self.parts.get("music")
        samples, rate = load_audio(part, codec.sample_rate)
        if self.options.music_seconds:
            samples = samples[: int(self.options.music_seconds * rate)]
        return codec.encode(samples).tolist()

    def encode_image(self, part: Image) -> list[int]:
        return self.parts.get("seed").encode([load_image(part)])[0].tolist()

    def instruction_for(self, request: Request) -> Instruction | None:
        if self.style is PromptStyle.CHAT:
            return None
        if self.pools is not None:
            return self.pools.choose(request.direction, request.decoding.seed)
        return default_instruction(request.direction)

    def prepare(self, request: Request) -> Prepared:
        timings: dict[str, float] = {}
        content = self.input_content(request, timings)
        prompt = build_prompt(
            request.direction, content, style=self.style, instruction=self.instruction_for(request)
        )
        return Prepared(request, self.llm.encode_prompt(prompt.text), prompt.instruction, timings)

    # ---- generation -------------------------------------------------------------------
    def preset(self, request: Request) -> DecodingPreset:
        preset = get_preset(request.decoding.preset)
        if self.options.stop_at_end_tag is not None:
            from dataclasses import replace

            preset = replace(preset, stop_at_end_tag=self.options.stop_at_end_tag)
        return preset

    def groups(self, items: Sequence[Prepared]) -> list[list[Prepared]]:
        """Requests that can share one generate call: same output, preset and overrides (seeds
        may differ: each sampled row draws from its own); beam sampling runs one by one."""
        out: dict[tuple, list[Prepared]] = {}
        for k, p in enumerate(items):
            r = p.request
            settings = resolve(self.preset(r), r.output, r.decoding.overrides)
            alone = settings.do_sample and settings.num_beams > 1
            key = (
                r.output,
                r.decoding.preset,
                repr(sorted(r.decoding.overrides.items())),
                k if alone else -1,
            )
            out.setdefault(key, []).append(p)
        return list(out.values())

    def generate(self, requests: Sequence[Request]) -> list[Response]:
        responses: dict[str, Response] = {}
        prepared: list[Prepared] = []
        for r in requests:
            try:
                self.parts.require(r.direction)
            except ComponentUnavailable as exc:  # fails the requests that need it, not the batch
                responses[r.sample_id] = Response(
                    r.sample_id, error=str(exc), error_stage="generate"
                )
                continue
            try:
                prepared.append(self.prepare(r))
            except (ValueError, RuntimeError) as exc:  # this model cannot tokenize it: its failure
                responses[r.sample_id] = Response(
                    r.sample_id, error=f"input tokenization failed: {exc}", error_stage="generate"
                )
        for group in self.groups(prepared):
            first = group[0].request
            preset = self.preset(first)
            plan = generation_plan(preset, first.output, self.llm.vocab, first.decoding.overrides)
            t0 = time.perf_counter()
            generated = self.llm.generate(
                [p.prompt_ids for p in group], plan, [p.request.decoding.seed for p in group]
            )
            per = (time.perf_counter() - t0) / len(group)
            for p, ids in zip(group, generated):
                p.timings["generate"] = per
                flags = ("truncated",) if is_truncated(ids, plan) else ()
                responses[p.request.sample_id] = self.finish(p, ids, preset, flags)
        return [responses[r.sample_id] for r in requests]

    # ---- output side ------------------------------------------------------------------
    def finish(
        self, p: Prepared, ids: list[int], preset: DecodingPreset, flags: tuple[str, ...] = ()
    ) -> Response:
        from evals.adapters.anygpt.parsing import parse_output

        r = p.request
        llm = self.llm
        parsed = parse_output(ids, r.output, llm.vocab, llm.decode_text)
        info = {
            "instruction": p.instruction.text if p.instruction else None,
            "instruction_source": p.instruction.source
            if p.instruction
            else f"{self.style} chat task prompt",
            "prompt_style": str(self.style),
            "prompt_tokens": len(p.prompt_ids),
            "parse_issues": [i.kind.value for i in parsed.issues],
        }
        raw = llm.decode_text(ids)
        common = dict(
            text=raw,
            token_ids=tuple(ids),
            malformed=parsed.malformed,
            info=info,
            timings=p.timings,
            flags=flags,
        )
        if r.output is Modality.TEXT:
            return Response(r.sample_id, Text(parsed.text or ""), **common)
        codes = parsed.codes if parsed.usable else IMAGE_ID_POLICIES[self.options.image_ids](parsed)
        if codes is None:
            return Response(r.sample_id, None, **common)
        if not parsed.usable:
            info["image_ids_fitted_from"] = len(parsed.codes[0])
        t0 = time.perf_counter()
        try:
            output = DECODERS[r.output](self, codes, r, preset)
        except (ValueError, RuntimeError) as exc:
            return Response(
                r.sample_id,
                None,
                error=f"de-tokenizer failed: {exc}",
                error_stage="output",
                **common,
            )
        p.timings["detokenize"] = time.perf_counter() - t0
        return Response(r.sample_id, output, **common)

    def decode_speech(self, codes, request: Request, preset: DecodingPreset) -> Audio:
        prompt = None
        if request.voice_prompt is not None:
            prompt, _ = load_audio(request.voice_prompt, SPEECH_RATE)
        from evals.adapters.anygpt.speech_modules import SpeechModules

        modules = SpeechModules(self.parts.get("speech_tokenizer"), self.parts.get("soundstorm"))
        samples = modules.synthesize(
            codes[0], prompt, steps=preset.soundstorm_steps, seed=request.decoding.seed
        )
        return Audio(
            samples=samples.float().cpu().numpy(), sample_rate=modules.tokenizer.sample_rate
        )

    def decode_music(self, codes, request: Request, preset: DecodingPreset) -> Audio:
        codec = self.parts.get("music")
        return Audio(
            samples=codec.decode(codes), sample_rate=codec.sample_rate, kind=Modality.MUSIC
        )

    def decode_image(self, codes, request: Request, preset: DecodingPreset) -> Image:
        from evals.adapters.anygpt.image_codec import ImageCodec, UnclipSettings

        settings = UnclipSettings(shared_latents=self.options.unclip_shared_latents)
        codec = ImageCodec(self.parts.get("seed"), self.parts.get("unclip"), settings)
        return Image(array=codec.decode(list(codes[0]), seed=request.decoding.seed))

    def describe(self) -> dict[str, Any]:
        o = self.options
        llm = self.llm
        return {
            "engine": "AnyGPT pipeline",
            "llm": o.llm,
            "speech": o.speech,
            "music": o.music,
            "image": o.image,
            "unclip": o.unclip,
            "device": self.parts.device,
            "components": "loaded on first need (see report)",
            "dtype": str(next(llm.model.parameters()).dtype).replace("torch.", ""),
            "prompt_style": str(self.style),
            "tokenizer_legacy": llm.legacy,
            "instructions": o.instructions,
            "sampling": "batched, per-request seeded generators",
            "image_ids": o.image_ids,
            "unclip_shared_latents": o.unclip_shared_latents,
            "seed_strict": o.seed_strict,
        }

    def report(self) -> dict[str, Any]:
        return self.parts.report()


def is_truncated(ids: Sequence[int], plan: GenerationPlan) -> bool:
    """The row used its whole token budget without reaching a stop id."""
    return len(ids) >= plan.max_new_tokens and not set(ids) & set(plan.stop_ids)


def _fit_image_ids(parsed) -> tuple[tuple[int, ...], ...] | None:
    """32 image ids from a span with another (nonzero) count: cut, or repeat the last id."""
    if parsed.modality is not Modality.IMAGE or not parsed.codes or not parsed.codes[0]:
        return None
    ids = list(parsed.codes[0])[:32]
    return (tuple(ids + [ids[-1]] * (32 - len(ids))),)


IMAGE_ID_POLICIES: Mapping[str, Callable[[Any], Any]] = {
    "strict": lambda parsed: None,
    "fit": _fit_image_ids,
}

ENCODERS: Mapping[Modality, Callable[[AnyGPTAdapter, Any], Any]] = {
    Modality.SPEECH: AnyGPTAdapter.encode_speech,
    Modality.MUSIC: AnyGPTAdapter.encode_music,
    Modality.IMAGE: AnyGPTAdapter.encode_image,
}
DECODERS: Mapping[Modality, Callable[..., Any]] = {
    Modality.SPEECH: AnyGPTAdapter.decode_speech,
    Modality.MUSIC: AnyGPTAdapter.decode_music,
    Modality.IMAGE: AnyGPTAdapter.decode_image,
}
