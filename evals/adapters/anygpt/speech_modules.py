"""AnyGPT's speech output path: LLM semantic ids -> SoundStorm -> SpeechTokenizer decoder -> audio.

Loads the released `AnyGPT-speech-modules` folder:

    speechtokenizer/config.json
    speechtokenizer/ckpt.dev
    soundstorm/speechtokenizer_soundstorm_mls.pt
    soundstorm/config.json          (optional, not in the release: a SoundStormConfig for
                                     checkpoints of another size; the release uses the defaults)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from evals.adapters.anygpt.soundstorm import (
    ANYGPT_STEPS,
    CHECKPOINT_NAME,
    SoundStorm,
    SoundStormConfig,
    load_soundstorm,
)
from evals.adapters.anygpt.speech_tokenizer import SpeechCodec, load_speech_tokenizer

SPEECH_TOKENIZER_DIR = "speechtokenizer"
SOUNDSTORM_DIR = "soundstorm"
SOUNDSTORM_CONFIG = "config.json"


@dataclass(frozen=True)
class SpeechModules:
    """The speech tokenizer and the SoundStorm that completes its acoustic levels."""

    tokenizer: SpeechCodec
    """Encodes input speech and voice prompts; decodes the completed codes."""
    soundstorm: SoundStorm
    """Predicts RVQ levels 2..8 from the LLM's RVQ-1 ids (and a voice prompt)."""

    def synthesize(
        self,
        semantic_ids: Sequence[int],
        voice_prompt: np.ndarray | torch.Tensor | None = None,
        steps: int = ANYGPT_STEPS,
        seed: int | None = None,
    ) -> torch.Tensor:
        """Speech samples [time] at `tokenizer.sample_rate` for one utterance's semantic ids.

        `voice_prompt` is 16 kHz mono audio whose voice to imitate; without it the voice is random.
        For steps > 1 SoundStorm samples: with `seed` it draws from a torch random state seeded
        with it (the caller's state is restored afterwards); without, from the current state.
        """
        device = self.soundstorm.semantic_token_emb.weight.device
        semantic = torch.tensor([list(semantic_ids)], dtype=torch.long, device=device)
        prompt = None if voice_prompt is None else self.tokenizer.voice_prompt_tokens(voice_prompt)
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)  # seeds CUDA too
            codes = self.soundstorm.generate(semantic, prompt, steps=steps)
        return self.tokenizer.decode(codes.permute(2, 0, 1))[0]


def load_soundstorm_from(
    root: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    config: SoundStormConfig | None = None,
) -> SoundStorm:
    """SoundStorm from the released folder (`soundstorm/`, with its optional config.json)."""
    root = Path(root)
    config_file = root / SOUNDSTORM_DIR / SOUNDSTORM_CONFIG
    if config is None and config_file.is_file():
        config = SoundStormConfig(**json.loads(config_file.read_text()))
    return load_soundstorm(root / SOUNDSTORM_DIR / CHECKPOINT_NAME, device, dtype, config)


def load_speech_modules(
    root: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    soundstorm_config: SoundStormConfig | None = None,
) -> SpeechModules:
    """Load both modules from the released folder layout (AnyGPT runs them in float32)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(
            f"AnyGPT speech modules folder not found: {root} (expected {SPEECH_TOKENIZER_DIR}/"
            f"config.json, {SPEECH_TOKENIZER_DIR}/ckpt.dev and {SOUNDSTORM_DIR}/{CHECKPOINT_NAME})"
        )
    return SpeechModules(
        tokenizer=load_speech_tokenizer(root / SPEECH_TOKENIZER_DIR, device, dtype),
        soundstorm=load_soundstorm_from(root, device, dtype, soundstorm_config),
    )
