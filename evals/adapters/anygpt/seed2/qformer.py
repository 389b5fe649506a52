"""The SEED-2 Q-Former: BERT layers run on learned queries only, with causal self-attention
between queries and cross-attention to the image features every `cross_attention_freq` layers.

Module names reproduce the checkpoint keys (`Qformer.bert.embeddings.LayerNorm`,
`...encoder.layer.{i}.attention.self.query`, `...crossattention...`, `...intermediate_query...`).
The reference deletes the text branch (word/position embeddings, text FFN, LM head) before
loading, so it has no modules here. transformers' Blip2QFormerModel is not used: its key names
differ and it has no causal query mask.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import QFormerConfig

MASKED_SCORE = -10000.0
"""Additive score for masked positions, as BERT's extended attention mask uses."""


class MultiHeadAttention(nn.Module):
    """BERT attention core (module name `self` in BERT): queries from `hidden`, keys and
    values from `context`, scores divided by sqrt(head size) before the additive mask."""

    def __init__(self, hidden_size: int, num_heads: int, context_width: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_size = hidden_size // num_heads
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(context_width, hidden_size)
        self.value = nn.Linear(context_width, hidden_size)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(*x.shape[:-1], self.num_heads, self.head_size).permute(0, 2, 1, 3)

    def forward(
        self, hidden: torch.Tensor, context: torch.Tensor, mask: torch.Tensor | None
    ) -> torch.Tensor:
        key = self._heads(self.key(context))
        value = self._heads(self.value(context))
        query = self._heads(self.query(hidden))
        scores = (query @ key.transpose(-1, -2)) / math.sqrt(self.head_size)
        if mask is not None:
            scores = scores + mask
        out = (scores.softmax(dim=-1) @ value).permute(0, 2, 1, 3)
        return out.reshape(*out.shape[:2], -1)


class ResidualOutput(nn.Module):
    """LayerNorm(dense(x) + residual)."""

    def __init__(self, in_features: int, hidden_size: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(in_features, hidden_size)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    """Multi-head attention followed by its residual output."""

    def __init__(self, config: QFormerConfig, context_width: int) -> None:
        super().__init__()
        hidden = config.hidden_size
        self.self = MultiHeadAttention(hidden, config.num_heads, context_width)
        self.output = ResidualOutput(hidden, hidden, config.layer_norm_eps)

    def forward(
        self, hidden: torch.Tensor, context: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        return self.output(self.self(hidden, context, mask), hidden)


class Intermediate(nn.Module):
    """Dense -> exact GELU."""

    def __init__(self, hidden_size: int, intermediate_size: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden_size, intermediate_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class QFormerLayer(nn.Module):
    """Causal self-attention, optional cross-attention to the image, query feed-forward."""

    def __init__(self, config: QFormerConfig, has_cross_attention: bool) -> None:
        super().__init__()
        self.attention = Attention(config, config.hidden_size)
        self.crossattention = (
            Attention(config, config.encoder_width) if has_cross_attention else None
        )
        self.intermediate_query = Intermediate(config.hidden_size, config.intermediate_size)
        self.output_query = ResidualOutput(
            config.intermediate_size, config.hidden_size, config.layer_norm_eps
        )

    def forward(
        self, queries: torch.Tensor, image_embeds: torch.Tensor, causal_mask: torch.Tensor
    ) -> torch.Tensor:
        x = self.attention(queries, queries, causal_mask)
        if self.crossattention is not None:
            # The image mask is all ones, so its additive form is zero and is left out.
            x = self.crossattention(x, image_embeds)
        return self.output_query(self.intermediate_query(x), x)


class QFormerEmbeddings(nn.Module):
    """LayerNorm over the query embeddings (queries carry no position embedding)."""

    def __init__(self, config: QFormerConfig) -> None:
        super().__init__()
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        # Never read on the query-only path, but present in the released checkpoint.
        self.register_buffer(
            "position_ids", torch.arange(config.max_position_embeddings).unsqueeze(0)
        )

    def forward(self, queries: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(queries)


class QFormerEncoder(nn.Module):
    """The stack of layers (module name `layer` as in BERT)."""

    def __init__(self, config: QFormerConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(
            QFormerLayer(config, i % config.cross_attention_freq == 0)
            for i in range(config.num_layers)
        )


class QFormerBert(nn.Module):
    """queries [B, Q, hidden] + image features [B, T, encoder_width] -> [B, Q, hidden]."""

    def __init__(self, config: QFormerConfig) -> None:
        super().__init__()
        self.embeddings = QFormerEmbeddings(config)
        self.encoder = QFormerEncoder(config)

    def forward(self, queries: torch.Tensor, image_embeds: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(queries)
        n = x.shape[1]
        causal_mask = torch.full((n, n), MASKED_SCORE, dtype=x.dtype, device=x.device).triu(1)
        for layer in self.encoder.layer:
            x = layer(x, image_embeds, causal_mask)
        return x


class QFormer(nn.Module):
    """Holds the layers as `.bert`, the name the checkpoint keys carry (`Qformer.bert.*`)."""

    def __init__(self, config: QFormerConfig) -> None:
        super().__init__()
        self.bert = QFormerBert(config)

    def forward(self, queries: torch.Tensor, image_embeds: torch.Tensor) -> torch.Tensor:
        return self.bert(queries, image_embeds)
