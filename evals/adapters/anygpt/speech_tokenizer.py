"""SpeechTokenizer as AnyGPT uses it: 16 kHz mono speech <-> 8 RVQ levels of 1024 codes at 50 Hz.

The model is the pip `speechtokenizer` package's class (its model code is the same in 0.1.2, which
AnyGPT pins, and 1.0.1), loaded from the released folder (`config.json` + `ckpt.dev`). The
package imports torchaudio, beartype and tensorboard, so it is imported only when a model is
built. Reading and resampling audio is the caller's job.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from evals.adapters.anygpt.checkpoint import load_state_dict_strictly, read_state_dict

CONFIG_NAME = "config.json"
"""Model config inside the released `speechtokenizer/` folder."""
CHECKPOINT_NAME = "ckpt.dev"
"""Checkpoint (a bare state dict) inside the released `speechtokenizer/` folder."""


def build_speech_tokenizer_model(config: Mapping[str, Any]) -> nn.Module:
    """The package's `SpeechTokenizer(config)`; build it under `torch.device('meta')` to skip init."""
    from speechtokenizer import SpeechTokenizer

    with warnings.catch_warnings():
        # The package applies the legacy weight_norm, whose weight_g/weight_v keys the checkpoint has.
        warnings.filterwarnings("ignore", message=".*weight_norm.*", category=FutureWarning)
        return SpeechTokenizer(dict(config))


class SpeechCodec:
    """Encode speech to RVQ codes and decode codes to speech with one SpeechTokenizer model."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model.eval()

    @property
    def sample_rate(self) -> int:
        """Audio rate in and out (16 kHz for AnyGPT's model)."""
        return int(self.model.sample_rate)

    @property
    def samples_per_frame(self) -> int:
        """Audio samples per code frame (320: 50 frames per second at 16 kHz)."""
        return int(self.model.downsample_rate)

    @property
    def num_quantizers(self) -> int:
        """RVQ levels (8); level 0 is the semantic one AnyGPT's LLM reads and writes."""
        return int(self.model.n_q)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.model.parameters()).dtype

    @torch.no_grad()
    def encode(
        self, samples: np.ndarray | torch.Tensor, num_quantizers: int | None = None
    ) -> torch.Tensor:
        """Codes [levels, batch, frames] (int64) for mono samples [time] or [batch, time]."""
        audio = torch.as_tensor(samples).to(device=self.device, dtype=self.dtype)
        if audio.ndim not in (1, 2) or audio.shape[-1] == 0:
            raise ValueError(
                f"samples must be mono audio [time] or [batch, time], got shape {tuple(audio.shape)}"
            )
        audio = audio.reshape(-1, 1, audio.shape[-1])
        return self.model.encode(audio, n_q=num_quantizers)

    def semantic_ids(self, samples: np.ndarray | torch.Tensor) -> list[int]:
        """The RVQ-1 codes of one clip, as AnyGPT turns speech input into LLM tokens."""
        codes = self.encode(samples, num_quantizers=1)
        if codes.shape[1] != 1:
            raise ValueError(f"semantic_ids takes one clip, got a batch of {codes.shape[1]}")
        return codes[0, 0].tolist()

    def voice_prompt_tokens(self, samples: np.ndarray | torch.Tensor) -> torch.Tensor:
        """A voice prompt as SoundStorm takes it: codes [batch, frames, levels]."""
        return self.encode(samples).permute(1, 2, 0)

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, first_level: int = 0) -> torch.Tensor:
        """Samples [batch, time] from codes [levels, batch, frames] that start at `first_level`."""
        if codes.ndim != 3:
            raise ValueError(
                f"codes must be [levels, batch, frames], got shape {tuple(codes.shape)}"
            )
        codes = codes.to(device=self.device, dtype=torch.long)
        return self.model.decode(codes, st=first_level).squeeze(1)


def load_speech_tokenizer(
    folder: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
) -> SpeechCodec:
    """Load the released `speechtokenizer/` folder (`config.json` + `ckpt.dev`) strictly.

    AnyGPT runs it in float32; half precision works but may change codes near decision borders.
    """
    folder = Path(folder)
    config_path = folder / CONFIG_NAME
    if not config_path.is_file():
        raise FileNotFoundError(
            f"SpeechTokenizer config not found: {config_path} (expected the released folder with "
            f"{CONFIG_NAME} and {CHECKPOINT_NAME})"
        )
    config = json.loads(config_path.read_text())
    with torch.device("meta"):
        model = build_speech_tokenizer_model(config)
    checkpoint = folder / CHECKPOINT_NAME
    load_state_dict_strictly(model, read_state_dict(checkpoint), source=checkpoint)
    return SpeechCodec(model.to(device=device, dtype=dtype))
