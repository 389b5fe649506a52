"""Tiny seeded AnyGPT speech modules written in the released folder layout.

Independent of ../shared: the configs are written here and the weights come from a seed, so a test
can build a complete `AnyGPT-speech-modules` folder and load it through the real loaders.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import torch

from evals.adapters.anygpt import soundstorm, speech_tokenizer
from evals.adapters.anygpt.soundstorm import SoundStorm, SoundStormConfig
from evals.adapters.anygpt.speech_modules import SOUNDSTORM_DIR, SPEECH_TOKENIZER_DIR
from evals.adapters.anygpt.speech_tokenizer import build_speech_tokenizer_model

TINY_SOUNDSTORM = SoundStormConfig(dim=64, depth=2, heads=2, dim_head=16)
"""The released architecture shrunk (1024-code vocabularies and 7 levels kept)."""

TINY_SPEECH_TOKENIZER = {
    "n_filters": 4,
    "strides": [8, 5, 4, 2],
    "dimension": 16,
    "semantic_dimension": 8,
    "bidirectional": True,
    "dilation_base": 2,
    "residual_kernel_size": 3,
    "n_residual_layers": 1,
    "lstm_layers": 2,
    "activation": "Snake",
    "codebook_size": 1024,
    "n_q": 8,
    "sample_rate": 16000,
}
"""AnyGPT's Snake SpeechTokenizer config shrunk (strides, LSTM, 8 x 1024 codebooks kept)."""

_CODEBOOK_SCALE = 0.05
"""Codebook spread close to the tiny encoder's output scale, so that codes vary."""


def save_tiny_soundstorm(path: Path, seed: int = 0) -> Path:
    """Write a seeded tiny SoundStorm state dict to `path`, as the released .pt file stores it."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SoundStorm(TINY_SOUNDSTORM)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    config = dataclasses.asdict(TINY_SOUNDSTORM)
    (path.parent / "config.json").write_text(json.dumps(config, indent=1))  # the release has none
    return path


def save_tiny_speech_tokenizer(folder: Path, seed: int = 0) -> Path:
    """Write `config.json` and `ckpt.dev` of a seeded tiny SpeechTokenizer into `folder`."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_speech_tokenizer_model(TINY_SPEECH_TOKENIZER)
        state = model.state_dict()
        for name in [n for n in state if n.endswith("._codebook.embed")]:
            codebook = torch.randn_like(state[name]) * _CODEBOOK_SCALE
            prefix = name.removesuffix("embed")
            state[name] = codebook
            state[prefix + "embed_avg"] = codebook.clone()
            state[prefix + "inited"] = torch.ones_like(state[prefix + "inited"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / speech_tokenizer.CONFIG_NAME).write_text(json.dumps(TINY_SPEECH_TOKENIZER, indent=1))
    torch.save(state, folder / speech_tokenizer.CHECKPOINT_NAME)
    return folder


def save_tiny_speech_modules(root: Path, seed: int = 0) -> Path:
    """Write a complete tiny `AnyGPT-speech-modules` folder under `root`."""
    save_tiny_speech_tokenizer(root / SPEECH_TOKENIZER_DIR, seed)
    save_tiny_soundstorm(root / SOUNDSTORM_DIR / soundstorm.CHECKPOINT_NAME, seed)
    return root
