"""AnyGPT's SoundStorm: semantic (RVQ-1) tokens -> the 7 acoustic SpeechTokenizer levels.

A clean-room model of the modified soundstorm-speechtokenizer copy that AnyGPT runs, loading the
released `speechtokenizer_soundstorm_mls.pt` strictly and reproducing its `generate` exactly,
random-number consumption included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from evals.adapters.anygpt.checkpoint import load_state_dict_strictly, read_state_dict
from evals.adapters.anygpt.conformer import SoundStormNetwork

CHECKPOINT_NAME = "speechtokenizer_soundstorm_mls.pt"
"""File name of the released checkpoint (a bare state dict) inside the `soundstorm/` folder."""

ANYGPT_STEPS = 3
"""Unmasking steps AnyGPT's CLIs use (`vc_steps` of config/generate_config.json)."""


@dataclass(frozen=True)
class SoundStormConfig:
    """Architecture of AnyGPT's SoundStorm; the defaults are those of the released checkpoint."""

    codebook_size: int = 1024
    """Codes per acoustic level; the id `codebook_size` is the mask token."""
    num_quantizers: int = 7
    """Acoustic levels predicted (SpeechTokenizer RVQ layers 2..8)."""
    dim: int = 1024
    """Conformer width."""
    depth: int = 12
    """Conformer blocks."""
    heads: int = 8
    """Attention heads."""
    dim_head: int = 128
    """Width of one attention head (rotary positions span all of it)."""
    ff_mult: int = 4
    """Feed-forward expansion."""
    conv_expansion_factor: int = 2
    """Convolution module expansion."""
    conv_kernel_size: int = 31
    """Depthwise convolution kernel."""
    num_semantic_tokens: int = 1024
    """Semantic (RVQ-1) vocabulary; the conditioning embedding has one row per id, none for padding."""
    semantic_pad_id: int = 1024
    """Training-time semantic padding id; generation never pads (rows share one length)."""
    pad_id: int = 1024
    """Training-time acoustic padding id; unused by generation."""
    schedule: str = "cosine"
    """Masking schedule; the reference `generate` always uses the cosine one."""

    def __post_init__(self) -> None:
        if self.schedule != "cosine":
            raise ValueError(f"SoundStorm schedule {self.schedule!r} unsupported: only 'cosine'")


class SoundStorm(nn.Module):
    """The conformer network plus the semantic-token conditioning embedding."""

    def __init__(self, config: SoundStormConfig) -> None:
        super().__init__()
        self.config = config
        self.net = SoundStormNetwork(
            codebook_size=config.codebook_size,
            num_quantizers=config.num_quantizers,
            dim=config.dim,
            depth=config.depth,
            heads=config.heads,
            dim_head=config.dim_head,
            ff_mult=config.ff_mult,
            conv_expansion_factor=config.conv_expansion_factor,
            conv_kernel_size=config.conv_kernel_size,
        )
        self.semantic_token_emb = nn.Embedding(config.num_semantic_tokens, config.dim)

    def forward(
        self,
        codes: torch.Tensor,
        semantic_ids: torch.Tensor,
        key_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits [b, frames * q, codebook] for flat frame-major codes [b, frames * q]."""
        return self.net(codes, self.semantic_token_emb(semantic_ids), key_mask)

    @torch.no_grad()
    def generate(
        self,
        semantic_tokens: torch.Tensor,
        prompt_tokens: torch.Tensor | None = None,
        steps: int = ANYGPT_STEPS,
        greedy: bool = True,
        num_full_sampling_levels: int = 1,
        top_k_threshold: float = 0.7,
    ) -> torch.Tensor:
        """Codes [b, n, 1 + q]: column 0 the semantic tokens [b, n], then the acoustic levels.

        `prompt_tokens` [b, p, 1 + q] (a voice prompt's SpeechTokenizer codes, frame-major) are
        prepended as context. Levels below `num_full_sampling_levels` are unmasked over `steps`
        MaskGIT steps with Gumbel-top-k sampling at temperature step/steps (so even
        `greedy=True` draws noise when steps > 1); higher levels are predicted in one pass.
        With `torch.manual_seed(s)` set first, this matches the reference output exactly.
        """
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        levels = self.config.num_quantizers
        mask_id = self.config.codebook_size
        device = self.semantic_token_emb.weight.device
        semantic = self._checked_semantic(semantic_tokens).to(device)
        batch, length = semantic.shape

        acoustic = torch.full((batch, length, levels), mask_id, dtype=torch.long, device=device)
        cond_ids = semantic
        if prompt_tokens is not None:
            prompt = self._checked_prompt(prompt_tokens, batch).to(device)
            cond_ids = torch.cat((prompt[..., 0], semantic), dim=1)
            acoustic = torch.cat((prompt[..., 1:], acoustic), dim=1)
        frames = cond_ids.shape[1]
        writable = torch.zeros_like(acoustic, dtype=torch.bool)
        writable[:, -length:] = True
        to_fill = writable.clone()
        cond = self.semantic_token_emb(cond_ids)
        counts = _masked_counts(steps, frames)

        for level in range(levels):
            full_sampling = level < num_full_sampling_levels
            for step, count in enumerate(counts if full_sampling else [0]):
                # Sampling maths in float32: dividing by a 1e-10 temperature overflows half types.
                logits = self.net(acoustic.flatten(1), cond).float()
                if greedy and (not full_sampling or count == 0):
                    ids = logits.argmax(dim=-1)
                else:
                    logits = _keep_top_k(logits, top_k_threshold)
                    ids = _gumbel_argmax(logits, temperature=step / steps)
                ids = ids.view(batch, frames, levels)
                if not full_sampling:
                    # As the reference: all frames, prompt included, take this and higher levels.
                    acoustic[:, :, level:] = ids[:, :, level:]
                    continue
                acoustic = torch.where(to_fill, ids, acoustic)
                if count == 0:
                    continue
                to_fill = _least_confident(logits, ids.flatten(1), count).view_as(acoustic)
                to_fill[:, :, level + 1 :] = True
                to_fill &= writable
                acoustic = acoustic.masked_fill(to_fill, mask_id)

        return torch.cat((semantic[..., None], acoustic[:, -length:]), dim=-1)

    def _checked_semantic(self, semantic_tokens: torch.Tensor) -> torch.Tensor:
        if semantic_tokens.ndim != 2 or semantic_tokens.shape[1] == 0:
            raise ValueError(
                f"semantic_tokens must be [batch, length] with length >= 1, "
                f"got shape {tuple(semantic_tokens.shape)}"
            )
        self._check_range("semantic_tokens", semantic_tokens, self.config.num_semantic_tokens)
        return semantic_tokens.long()

    def _checked_prompt(self, prompt_tokens: torch.Tensor, batch: int) -> torch.Tensor:
        width = self.config.num_quantizers + 1
        if prompt_tokens.ndim != 3 or prompt_tokens.shape[0] != batch:
            raise ValueError(
                f"prompt_tokens must be [batch={batch}, frames, {width}], "
                f"got shape {tuple(prompt_tokens.shape)}"
            )
        if prompt_tokens.shape[2] != width:
            raise ValueError(
                f"prompt_tokens need {width} code levels, got {prompt_tokens.shape[2]}"
            )
        self._check_range(
            "prompt semantic tokens", prompt_tokens[..., 0], self.config.num_semantic_tokens
        )
        self._check_range(
            "prompt acoustic tokens", prompt_tokens[..., 1:], self.config.codebook_size
        )
        return prompt_tokens.long()

    @staticmethod
    def _check_range(what: str, ids: torch.Tensor, size: int) -> None:
        if ids.numel() and (ids.min() < 0 or ids.max() >= size):
            raise ValueError(
                f"{what} must lie in [0, {size}), got values {int(ids.min())}..{int(ids.max())}"
            )


def _masked_counts(steps: int, frames: int) -> list[int]:
    """Positions left masked after each step: floor(cos(pi/2 * t) * frames), t = 0..1 (float32).

    The count is of frames although the ranking it cuts spans frames x levels, as in the reference.
    """
    times = torch.linspace(0.0, 1.0, steps + 1)
    return (torch.cos(times * math.pi / 2) * frames).long().tolist()


def _keep_top_k(logits: torch.Tensor, threshold: float) -> torch.Tensor:
    """Keep the ceil((1 - threshold) * vocab) largest logits, -inf elsewhere."""
    k = math.ceil((1 - threshold) * logits.shape[-1])
    values, indices = logits.topk(k, dim=-1)
    return torch.full_like(logits, float("-inf")).scatter_(-1, indices, values)


def _gumbel_argmax(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Gumbel-max sampling; draws one uniform tensor of the logits' shape even at temperature 0."""
    uniform = torch.empty_like(logits).uniform_(0, 1)
    gumbel = -torch.log(-torch.log(uniform + 1e-10) + 1e-10)
    return (logits / max(temperature, 1e-10) + gumbel).argmax(dim=-1)


def _least_confident(logits: torch.Tensor, ids: torch.Tensor, count: int) -> torch.Tensor:
    """True at the `count` positions whose chosen id has the lowest probability."""
    doubt = 1 - logits.softmax(dim=-1).gather(-1, ids[..., None]).squeeze(-1)
    rank = doubt.argsort(dim=-1, descending=True).argsort(dim=-1)
    return rank < count


def load_soundstorm(
    path: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    config: SoundStormConfig | None = None,
) -> SoundStorm:
    """Build SoundStorm for `config` (default: the released one) and load `path` strictly.

    The released file is a bare state dict (`torch.save(model.state_dict())`), which AnyGPT loads
    with `load_state_dict(..., strict=True)`; the model is built on the meta device, so no
    memory goes to a throw-away initialisation.
    """
    with torch.device("meta"):
        model = SoundStorm(config or SoundStormConfig())
    load_state_dict_strictly(model, read_state_dict(path), source=path)
    return model.to(device=device, dtype=dtype).eval()
