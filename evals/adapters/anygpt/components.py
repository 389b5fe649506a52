"""AnyGPT's pipeline parts, each loaded on first need and at most once.

A direction names the parts it needs (`NEEDS`): speech-to-text loads the LLM and SpeechTokenizer,
never SoundStorm, SEED-2 or unCLIP. Every source goes through `evals.hub.resolve` (a local
folder first, then `$ANYBENCH_SCORERS/<id>`, then the hub or, with HF_HUB_OFFLINE, its cache
alone). A part that fails to load is remembered with its one-line reason: the requests that need
it fail with that reason, the others run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from evals.types import Modality

Direction = tuple[Modality, Modality]


class ComponentUnavailable(RuntimeError):
    """A part of the pipeline could not be loaded; the message is one line naming it and why."""


@dataclass(frozen=True)
class Component:
    """One loadable part of the AnyGPT pipeline."""

    title: str
    """What it is called in messages, e.g. "SEED-2 image tokenizer"."""
    option: str
    """The adapter option that gives its folder or hub id."""
    hint: str
    """What that option takes, for "needs ..." messages."""
    files: tuple[str, ...] | None
    """Hub download patterns (None: the whole repository)."""
    load: Callable[[Components, Any], Any]
    """Build it from the resolved local path."""


def _speech_tokenizer(parts: Components, root) -> Any:
    from evals.adapters.anygpt.speech_modules import SPEECH_TOKENIZER_DIR
    from evals.adapters.anygpt.speech_tokenizer import load_speech_tokenizer

    return load_speech_tokenizer(root / SPEECH_TOKENIZER_DIR, parts.device, parts.codec_dtype)


def _soundstorm(parts: Components, root) -> Any:
    from evals.adapters.anygpt.speech_modules import load_soundstorm_from

    return load_soundstorm_from(root, parts.device, parts.codec_dtype)


def _music(parts: Components, root) -> Any:
    from evals.adapters.anygpt.music_codec import load_music_codec

    return load_music_codec(str(root), parts.device, parts.codec_dtype)


def _seed(parts: Components, root) -> Any:
    from evals.adapters.anygpt.image_codec import load_seed

    return load_seed(root, parts.device, parts.llm_dtype, strict=parts.options.seed_strict)


def _unclip(parts: Components, root) -> Any:
    from evals.adapters.anygpt.image_codec import load_unclip

    return load_unclip(str(root), parts.device, parts.llm_dtype)


COMPONENTS: Mapping[str, Component] = {
    "speech_tokenizer": Component(
        "AnyGPT SpeechTokenizer",
        "speech",
        "speech=<AnyGPT-speech-modules folder or fnlp/AnyGPT-speech-modules>",
        ("speechtokenizer/*",),
        _speech_tokenizer,
    ),
    "soundstorm": Component(
        "AnyGPT SoundStorm",
        "speech",
        "speech=<AnyGPT-speech-modules folder or fnlp/AnyGPT-speech-modules>",
        ("soundstorm/*",),
        _soundstorm,
    ),
    "music": Component(
        "Encodec 32 kHz music codec",
        "music",
        "music=<Encodec 32 kHz folder or facebook/encodec_32khz>",
        None,
        _music,
    ),
    "seed": Component(
        "SEED-2 image tokenizer",
        "image",
        "image=<SEED-2 tokenizer folder or AILab-CVC/seed-tokenizer-2>",
        ("seed_quantizer.pt", "config.json", "eva_vit_g.pth"),
        _seed,
    ),
    "unclip": Component(
        "Stable unCLIP de-tokenizer",
        "unclip",
        "unclip=<Stable unCLIP pipeline folder or stabilityai/stable-diffusion-2-1-unclip>",
        None,
        _unclip,
    ),
}

NEEDS: Mapping[Direction, tuple[str, ...]] = {
    (Modality.SPEECH, Modality.TEXT): ("speech_tokenizer",),
    (Modality.TEXT, Modality.SPEECH): ("speech_tokenizer", "soundstorm"),
    (Modality.MUSIC, Modality.TEXT): ("music",),
    (Modality.TEXT, Modality.MUSIC): ("music",),
    (Modality.IMAGE, Modality.TEXT): ("seed",),
    (Modality.TEXT, Modality.IMAGE): ("seed", "unclip"),
}
"""The parts each direction loads (besides the LLM, which every direction needs)."""


class Components:
    """The parts of one adapter: loaded on first `get`, kept, or remembered as failed."""

    def __init__(self, options: Any, device: str, llm_dtype: Any, codec_dtype: Any):
        self.options = options
        self.device, self.llm_dtype, self.codec_dtype = device, llm_dtype, codec_dtype
        self.loaded: dict[str, Any] = {}
        self.failed: dict[str, str] = {}
        self.load_counts: dict[str, int] = {}

    def given(self, name: str) -> bool:
        return bool(getattr(self.options, COMPONENTS[name].option))

    def missing(self, direction: Direction) -> str | None:
        """The option a direction needs that was not given (None if every one was)."""
        for name in NEEDS[direction]:
            if not self.given(name):
                return f"needs {COMPONENTS[name].hint}"
        return None

    def get(self, name: str) -> Any:
        """The loaded part, loading it now if needed; ComponentUnavailable if it cannot load."""
        if name in self.loaded:
            return self.loaded[name]
        part = COMPONENTS[name]
        if name not in self.failed:
            from evals.hub import resolve

            self.load_counts[name] = self.load_counts.get(name, 0) + 1
            try:
                source = getattr(self.options, part.option)
                root = resolve(source, part.title, part.files)
                self.loaded[name] = part.load(self, root)
                return self.loaded[name]
            except (OSError, ValueError, RuntimeError, KeyError, ImportError) as exc:
                reason = " ".join(str(exc).split()) or type(exc).__name__
                self.failed[name] = f"{part.title} could not be loaded: {reason}"
        raise ComponentUnavailable(self.failed[name])

    def require(self, direction: Direction) -> None:
        """Load every part `direction` needs, or raise for the first that cannot load."""
        for name in NEEDS[direction]:
            self.get(name)

    def report(self) -> dict[str, Any]:
        """What was loaded, what failed and why, and SEED-2 keys ignored at load."""
        out: dict[str, Any] = {
            "components_loaded": sorted(self.loaded),
            "components_failed": dict(self.failed),
        }
        seed = self.loaded.get("seed")
        if seed is not None and any(seed.ignored_keys.values()):
            out["seed_ignored_keys"] = seed.ignored_keys
        return out
