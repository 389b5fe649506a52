"""EVA ViT-g/14 image encoder, headless, as BLIP-2 and SEED-2 use it.

Parameter names follow the released `eva_vit_g.pth` (no prefix; `visual_encoder.` inside the
tokenizer). The output is every token of the last block, class token first, with no final norm.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import EvaVitConfig
from .vit_layers import Block


class EvaAttention(nn.Module):
    """BEiT-style self-attention: bias-free qkv weight plus separate query and value biases
    (keys get none); queries are scaled before the product."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(dim))
        self.v_bias = nn.Parameter(torch.zeros(dim))
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        bias = torch.cat((self.q_bias, torch.zeros_like(self.v_bias), self.v_bias))
        qkv = F.linear(x, self.qkv.weight, bias)
        q, k, v = qkv.reshape(b, n, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class PatchEmbed(nn.Module):
    """Non-overlapping patches -> tokens, by a strided convolution."""

    def __init__(self, config: EvaVitConfig) -> None:
        super().__init__()
        self.image_size = config.image_size
        self.proj = nn.Conv2d(
            3, config.width, kernel_size=config.patch_size, stride=config.patch_size
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if pixels.shape[-2:] != (self.image_size, self.image_size):
            raise ValueError(
                f"EVA ViT expects {self.image_size}x{self.image_size} pixels, "
                f"got {tuple(pixels.shape[-2:])}"
            )
        return self.proj(pixels).flatten(2).transpose(1, 2)


class EvaVisionTransformer(nn.Module):
    """pixels [B, 3, S, S] -> tokens [B, 1 + (S / patch)^2, width]."""

    def __init__(self, config: EvaVitConfig) -> None:
        super().__init__()
        width = config.width
        self.patch_embed = PatchEmbed(config)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, config.num_patches + 1, width))
        self.blocks = nn.ModuleList(
            Block(
                width,
                EvaAttention(width, config.num_heads),
                config.mlp_hidden,
                config.layer_norm_eps,
            )
            for _ in range(config.depth)
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(pixels)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return x
