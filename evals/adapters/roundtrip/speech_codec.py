"""SpeechTokenizer round trips, the two ways AnyGPT's speech can come back:

- `levels=8` (default): encode all 8 RVQ levels and decode them (the tokenizer's own ceiling);
  `levels=k` keeps the first k levels;
- `soundstorm=true`: keep only RVQ-1 (the semantic tokens AnyGPT's LLM reads and writes), let
  SoundStorm predict levels 2..8 from them and the request's voice prompt (`steps` unmasking
  steps, 3 in AnyGPT's CLI), then decode: AnyGPT's speech output path applied to the input's own
  semantic tokens. Without a voice prompt SoundStorm runs unprompted (a random voice), as AnyGPT
  does; each request's draws are seeded by its decoding seed.

`modules` is the released AnyGPT-speech-modules folder (speechtokenizer/config.json + ckpt.dev,
soundstorm/speechtokenizer_soundstorm_mls.pt); a bare SpeechTokenizer folder (config.json +
ckpt.dev) serves the RVQ-only modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.adapters.base import resolve_device
from evals.adapters.roundtrip.base import RoundTripAdapter
from evals.media import load_audio
from evals.registry import MODELS
from evals.types import Modality, Request


@dataclass(frozen=True)
class SpeechCodecOptions:
    modules: str = ""
    """AnyGPT-speech-modules folder, or a SpeechTokenizer folder (config.json + ckpt.dev)."""
    levels: int = 8
    """RVQ levels kept and decoded (1..8); with soundstorm=true it must be 1."""
    soundstorm: bool = False
    """Regenerate levels 2..8 with SoundStorm from RVQ-1 and the voice prompt."""
    steps: int = 3
    """SoundStorm unmasking steps (AnyGPT's `vc_steps`)."""
    device: str = "auto"
    """`cpu`, `cuda`, `cuda:1` or `auto` (float32, as AnyGPT runs these modules)."""
    soundstorm_config: str | None = None
    """JSON file of SoundStormConfig fields for a non-released architecture; None: released."""


def tokenizer_folder(root: Path) -> Path:
    """The SpeechTokenizer folder inside a speech-modules folder, or the folder itself."""
    from evals.adapters.anygpt.speech_modules import SPEECH_TOKENIZER_DIR
    from evals.adapters.anygpt.speech_tokenizer import CONFIG_NAME

    return root if (root / CONFIG_NAME).is_file() else root / SPEECH_TOKENIZER_DIR


def soundstorm_config(path: str | None):
    """The SoundStorm architecture from a JSON file of its fields, or None for the released one."""
    import json

    from evals.adapters.anygpt.soundstorm import SoundStormConfig

    if path is None:
        return None
    return SoundStormConfig(**json.loads(Path(path).expanduser().read_text()))


@MODELS.register("speechtokenizer")
class SpeechCodecRoundTrip(RoundTripAdapter):
    """SpeechTokenizer encode + decode (all or some RVQ levels, or RVQ-1 + SoundStorm)."""

    capabilities = frozenset({(Modality.SPEECH, Modality.SPEECH)})
    Options = SpeechCodecOptions

    def __init__(self, options: SpeechCodecOptions | None = None):
        super().__init__(options)
        from evals.adapters.anygpt.speech_modules import load_speech_modules
        from evals.adapters.anygpt.speech_tokenizer import load_speech_tokenizer

        o = self.options
        if not o.modules:
            raise ValueError("speechtokenizer: set modules=<AnyGPT-speech-modules folder>")
        if o.soundstorm and o.levels != 1:
            raise ValueError("speechtokenizer: soundstorm=true keeps RVQ-1 only; set levels=1")
        if not 1 <= o.levels <= 8:
            raise ValueError(f"speechtokenizer: levels must be 1..8, got {o.levels}")
        self.device = resolve_device(o.device)
        root = Path(o.modules).expanduser()
        if o.soundstorm:
            self.modules = load_speech_modules(
                root, self.device, soundstorm_config=soundstorm_config(o.soundstorm_config)
            )
            self.codec = self.modules.tokenizer
        else:
            self.modules = None
            self.codec = load_speech_tokenizer(tokenizer_folder(root), self.device)
        if o.levels > self.codec.num_quantizers:
            raise ValueError(f"speechtokenizer: the model has {self.codec.num_quantizers} levels")

    @property
    def sample_rate(self) -> int:
        return self.codec.sample_rate

    def reconstruct(self, clips: list[np.ndarray], requests: list[Request]) -> list[np.ndarray]:
        if self.modules is not None:
            return [self._soundstorm(c, r) for c, r in zip(clips, requests)]
        codes = self.codec.encode(np.stack(clips))[: self.options.levels]
        return list(self.codec.decode(codes).float().cpu().numpy())

    def _soundstorm(self, clip: np.ndarray, request: Request) -> np.ndarray:
        prompt = None
        if request.voice_prompt is not None:
            prompt = load_audio(request.voice_prompt, self.sample_rate)[0]
        audio = self.modules.synthesize(
            self.codec.semantic_ids(clip),
            prompt,
            steps=self.options.steps,
            seed=request.decoding.seed,
        )
        return audio.float().cpu().numpy()

    def describe(self) -> dict[str, Any]:
        o = self.options
        return {
            "engine": "speechtokenizer" + (" + SoundStorm" if o.soundstorm else ""),
            "modules": o.modules,
            "levels": o.levels,
            "soundstorm_steps": o.steps if o.soundstorm else None,
            "sample_rate": self.sample_rate,
            "frame_rate": self.sample_rate / self.codec.samples_per_frame,
            "device": self.device,
        }

    def close(self) -> None:
        self.modules = None
