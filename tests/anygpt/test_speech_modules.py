"""End to end on a tiny seeded `AnyGPT-speech-modules` folder (no golden fixtures needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evals.adapters.anygpt.speech_modules import SpeechModules, load_speech_modules
from tests.anygpt.tiny_speech import TINY_SOUNDSTORM, save_tiny_speech_modules


def _chirp(seconds: float) -> np.ndarray:
    t = np.arange(int(16000 * seconds)) / 16000
    return (0.3 * np.sin(2 * np.pi * (200 * t + 600 * t * t))).astype(np.float32)


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> SpeechModules:
    root = save_tiny_speech_modules(tmp_path_factory.mktemp("speech-modules"), seed=0)
    return load_speech_modules(root, soundstorm_config=TINY_SOUNDSTORM)


def test_tiny_folder_has_the_released_layout(tmp_path) -> None:
    root = save_tiny_speech_modules(tmp_path)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "soundstorm/config.json",  # ours: the size of a non-released SoundStorm (the tiny one)
        "soundstorm/speechtokenizer_soundstorm_mls.pt",
        "speechtokenizer/ckpt.dev",
        "speechtokenizer/config.json",
    ]


def test_speech_round_trips_through_the_tiny_modules(modules) -> None:
    ids = modules.tokenizer.semantic_ids(_chirp(0.5))
    assert len(ids) == 25
    assert len(set(ids)) > 1
    torch.manual_seed(0)
    audio = modules.synthesize(ids)
    assert audio.shape == (25 * 320,)
    assert torch.isfinite(audio).all()


def test_voice_prompt_changes_the_output_and_seed_reproduces_it(modules) -> None:
    ids = modules.tokenizer.semantic_ids(_chirp(0.3))
    outputs = []
    for prompt in (None, _chirp(0.2)[::-1].copy(), None):
        torch.manual_seed(1)
        outputs.append(modules.synthesize(ids, voice_prompt=prompt, steps=3))
    assert torch.equal(outputs[0], outputs[2])
    assert not torch.equal(outputs[0], outputs[1])


def test_tiny_weights_follow_the_seed(tmp_path) -> None:
    def embedding(seed: int) -> torch.Tensor:
        root = save_tiny_speech_modules(tmp_path / str(seed), seed=seed)
        state = torch.load(root / "soundstorm/speechtokenizer_soundstorm_mls.pt", weights_only=True)
        return state["semantic_token_emb.weight"]

    assert torch.equal(embedding(0), embedding(0)) and not torch.equal(embedding(0), embedding(1))


def test_half_precision_modules_synthesize(tmp_path) -> None:
    root = save_tiny_speech_modules(tmp_path, seed=2)
    modules = load_speech_modules(root, dtype=torch.bfloat16, soundstorm_config=TINY_SOUNDSTORM)
    ids = modules.tokenizer.semantic_ids(_chirp(0.2))
    audio = modules.synthesize(ids, voice_prompt=_chirp(0.1))
    assert audio.dtype == torch.bfloat16
    assert audio.shape == (len(ids) * 320,)
    assert torch.isfinite(audio.float()).all()
