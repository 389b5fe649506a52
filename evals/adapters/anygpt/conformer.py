"""SoundStorm's conformer network, with the module tree of AnyGPT's released checkpoint.

Attribute names and `nn.Sequential` slots (`ff1.fn.fn.net.0`, `conv.net1`, `conv.ds_conv`,
`to_logits.2`, ...) are chosen so that `state_dict()` keys equal those of
`speechtokenizer_soundstorm_mls.pt`; weightless slots exist only to keep those indices. The
layout is AnyGPT's modified copy (conv module split into `net1` / `ds_conv` / `net2`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class PreNorm(nn.Module):
    """LayerNorm, then the wrapped branch."""

    def __init__(self, dim: int, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, *args: object) -> torch.Tensor:
        return self.fn(self.norm(x), *args)


class HalfStep(nn.Module):
    """Scales a branch by 0.5: the macaron feed-forward halves of a conformer block."""

    def __init__(self, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x) * 0.5


class FeedForward(nn.Module):
    """Linear, Swish, Linear (slot 2 held a dropout in training)."""

    def __init__(self, dim: int, mult: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, dim * mult), nn.SiLU(), nn.Identity(), nn.Linear(dim * mult, dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def rotary_angles(length: int, dim_head: int, device: torch.device) -> torch.Tensor:
    """Rotary position angles [length, dim_head], in float32 whatever the model's dtype."""
    inv_freq = 1.0 / (10000 ** (torch.arange(0, dim_head, 2, device=device).float() / dim_head))
    angles = torch.outer(torch.arange(length, device=device).float(), inv_freq)
    return torch.cat((angles, angles), dim=-1)


def _rotate(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    x32 = x.float()
    first, second = x32.chunk(2, dim=-1)
    rotated = torch.cat((-second, first), dim=-1)
    return (x32 * angles.cos() + rotated * angles.sin()).to(x.dtype)


class Attention(nn.Module):
    """Multi-head self-attention with rotary positions over the whole head dimension."""

    def __init__(self, dim: int, heads: int, dim_head: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, heads * dim_head, bias=False)
        self.to_kv = nn.Linear(dim, 2 * heads * dim_head, bias=False)
        self.to_out = nn.Linear(heads * dim_head, dim)

    def forward(
        self, x: torch.Tensor, angles: torch.Tensor, key_mask: torch.Tensor | None
    ) -> torch.Tensor:
        batch, length, _ = x.shape
        q, k, v = (
            t.view(batch, length, self.heads, -1).transpose(1, 2)
            for t in (self.to_q(x), *self.to_kv(x).chunk(2, dim=-1))
        )
        attn_mask = None if key_mask is None else key_mask[:, None, None, :]
        out = F.scaled_dot_product_attention(
            _rotate(q, angles), _rotate(k, angles), v, attn_mask=attn_mask
        )
        return self.to_out(out.transpose(1, 2).reshape(batch, length, -1))


class SwapTimeAndChannels(nn.Module):
    """[batch, time, channels] <-> [batch, channels, time]."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.transpose(1, 2)


class ChannelLayerNorm(nn.Module):
    """Layer norm over the channel axis of [batch, channels, time], scale only."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(1, channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        eps = 1e-6 if x.dtype == torch.float32 else 1e-4
        var, mean = torch.var_mean(x, dim=1, unbiased=False, keepdim=True)
        return (x - mean) * var.clamp(min=eps).rsqrt() * self.gamma


class MaskedDepthwiseConv1d(nn.Module):
    """Depthwise 'same' convolution that zeroes padded frames before and after convolving."""

    def __init__(self, channels: int, kernel_size: int) -> None:
        super().__init__()
        self.padding = (kernel_size // 2, kernel_size // 2 - (kernel_size + 1) % 2)
        self.conv = nn.Conv1d(channels, channels, kernel_size, groups=channels)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None) -> torch.Tensor:
        if key_mask is not None:
            x = x.masked_fill(~key_mask[:, None, :], 0.0)
        out = self.conv(F.pad(x, self.padding))
        if key_mask is not None:
            out = out.masked_fill(~key_mask[:, None, :], 0.0)
        return out


class ConvModule(nn.Module):
    """Conformer convolution module: pointwise GLU, masked depthwise conv, pointwise out."""

    def __init__(self, dim: int, expansion_factor: int, kernel_size: int) -> None:
        super().__init__()
        inner = dim * expansion_factor
        self.net1 = nn.Sequential(
            nn.LayerNorm(dim), SwapTimeAndChannels(), nn.Conv1d(dim, 2 * inner, 1), nn.GLU(dim=1)
        )
        self.ds_conv = MaskedDepthwiseConv1d(inner, kernel_size)
        self.net2 = nn.Sequential(
            nn.SiLU(), ChannelLayerNorm(inner), nn.Conv1d(inner, dim, 1), SwapTimeAndChannels()
        )

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None) -> torch.Tensor:
        return self.net2(self.ds_conv(self.net1(x), key_mask))


class ConformerBlock(nn.Module):
    """Half feed-forward, attention, convolution, half feed-forward, then a final LayerNorm."""

    def __init__(
        self,
        dim: int,
        heads: int,
        dim_head: int,
        ff_mult: int,
        conv_expansion_factor: int,
        conv_kernel_size: int,
    ) -> None:
        super().__init__()
        self.ff1 = HalfStep(PreNorm(dim, FeedForward(dim, ff_mult)))
        self.attn = PreNorm(dim, Attention(dim, heads, dim_head))
        self.conv = ConvModule(dim, conv_expansion_factor, conv_kernel_size)
        self.ff2 = HalfStep(PreNorm(dim, FeedForward(dim, ff_mult)))
        self.post_norm = nn.LayerNorm(dim)

    def forward(
        self, x: torch.Tensor, angles: torch.Tensor, key_mask: torch.Tensor | None
    ) -> torch.Tensor:
        x = self.ff1(x) + x
        x = self.attn(x, angles, key_mask) + x
        x = self.conv(x, key_mask) + x
        x = self.ff2(x) + x
        return self.post_norm(x)


class Conformer(nn.Module):
    """A stack of conformer blocks sharing one set of rotary angles."""

    def __init__(self, depth: int, dim_head: int, **block_args: int) -> None:
        super().__init__()
        self.dim_head = dim_head
        self.layers = nn.ModuleList(
            ConformerBlock(dim_head=dim_head, **block_args) for _ in range(depth)
        )

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None) -> torch.Tensor:
        angles = rotary_angles(x.shape[1], self.dim_head, x.device)
        for block in self.layers:
            x = block(x, angles, key_mask)
        return x


class PerQuantizerLinear(nn.Module):
    """One linear map per quantizer level: [b, n, q, d] -> [b, n, q, codebook]."""

    def __init__(self, num_quantizers: int, dim: int, codebook_size: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_quantizers, dim, codebook_size))
        self.bias = nn.Parameter(torch.zeros(1, 1, num_quantizers, codebook_size))
        bound = dim**-0.5
        nn.init.uniform_(self.weight, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("bnqd,qdl->bnql", x, self.weight) + self.bias


class SoundStormNetwork(nn.Module):
    """Masked-token predictor over frame-major code grids.

    Input: codes [b, frames * q] (level k of every frame offset into its own embedding table,
    `codebook_size` is the mask id), plus a per-frame conditioning [b, frames, dim]. Each frame is
    the sum of its q code embeddings; the output is logits [b, frames * q, codebook_size].
    """

    def __init__(
        self,
        *,
        codebook_size: int,
        num_quantizers: int,
        dim: int,
        depth: int,
        heads: int,
        dim_head: int,
        ff_mult: int,
        conv_expansion_factor: int,
        conv_kernel_size: int,
    ) -> None:
        super().__init__()
        self.codebook_size = codebook_size
        self.num_quantizers = num_quantizers
        self.conformer = Conformer(
            depth,
            dim_head,
            dim=dim,
            heads=heads,
            ff_mult=ff_mult,
            conv_expansion_factor=conv_expansion_factor,
            conv_kernel_size=conv_kernel_size,
        )
        self.code_embeds = nn.Embedding(num_quantizers * (codebook_size + 1), dim)
        self.heads = nn.Sequential(
            nn.Linear(dim, dim * num_quantizers),
            nn.Unflatten(-1, (num_quantizers, dim)),
            nn.Flatten(1, 2),
        )
        self.to_logits = nn.Sequential(
            nn.LayerNorm(dim),
            nn.Unflatten(1, (-1, num_quantizers)),
            PerQuantizerLinear(num_quantizers, dim, codebook_size),
            nn.Flatten(1, 2),
        )

    def forward(
        self, codes: torch.Tensor, cond: torch.Tensor, key_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits [b, frames * q, codebook]; `key_mask` [b, frames] is True on real frames."""
        batch = codes.shape[0]
        offsets = torch.arange(self.num_quantizers, device=codes.device) * (self.codebook_size + 1)
        frames = codes.view(batch, -1, self.num_quantizers) + offsets
        x = self.code_embeds(frames).sum(dim=2) + cond
        x = self.conformer(x, key_mask)
        return self.to_logits(self.heads(x))
