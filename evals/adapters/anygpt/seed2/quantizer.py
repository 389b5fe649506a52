"""The SEED-2 tokenizer network (the reference's Blip2QformerQuantizer, inference only).

Encode: EVA ViT -> LayerNorm -> Q-Former (32 causal queries) -> 768->32 task layer -> nearest
codebook entry. Decode: codebook entry -> 32->768 task layer -> + positional embedding ->
4 ViT blocks -> 768->256->128->32 per query -> flatten (32 x 32) -> linear to the image
embedding. Attribute names are the checkpoint's top-level key names.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import SeedTokenizerConfig
from .eva_vit import EvaVisionTransformer
from .qformer import QFormer
from .vit_layers import Block, Fp32LayerNorm, VitAttention

QUERY_FEATURE_WIDTH = 32
"""Width each query is projected down to before flattening (fixed in the reference)."""


class VectorQuantizer(nn.Module):
    """Nearest-neighbour lookup in a learned codebook (`embedding.weight`, [size, dim])."""

    def __init__(self, size: int, dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(size, dim)

    def nearest_ids(self, z: torch.Tensor) -> torch.Tensor:
        """[..., dim] -> [...] ids by squared L2 distance; ties go to the lower id."""
        flat = z.reshape(-1, z.shape[-1])
        codebook = self.embedding.weight
        # Expanded form |z|^2 + |e|^2 - 2 z.e, as the reference computes it: the same rounding
        # keeps near-ties on the same side.
        distances = (
            flat.pow(2).sum(dim=1, keepdim=True)
            + codebook.pow(2).sum(dim=1)
            - 2 * torch.einsum("bd,dn->bn", flat, codebook.t())
        )
        return distances.argmin(dim=1).view(z.shape[:-1])


def _decoder_blocks(config: SeedTokenizerConfig) -> nn.ModuleList:
    width = config.qformer.hidden_size
    return nn.ModuleList(
        Block(
            width,
            VitAttention(width, config.decoder_num_heads),
            int(width * config.decoder_mlp_ratio),
            config.decoder_layer_norm_eps,
        )
        for _ in range(config.decoder_depth)
    )


class QformerQuantizer(nn.Module):
    """pixels -> ids [B, 32] (`encode_ids`); ids -> image embedding [B, 1024] (`decode_embeds`)."""

    def __init__(self, config: SeedTokenizerConfig) -> None:
        super().__init__()
        self.config = config
        hidden = config.qformer.hidden_size
        num_queries = config.num_query_tokens
        code_dim = config.codebook_dim

        self.visual_encoder = EvaVisionTransformer(config.vit)
        self.ln_vision = Fp32LayerNorm(config.vit.width, eps=config.ln_vision_eps)
        self.Qformer = QFormer(config.qformer)
        self.query_tokens = nn.Parameter(torch.zeros(1, num_queries, hidden))
        self.encode_task_layer = nn.Sequential(
            nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, code_dim)
        )
        self.quantize = VectorQuantizer(config.codebook_size, code_dim)
        self.decode_task_layer = nn.Sequential(
            nn.Linear(code_dim, code_dim), nn.Tanh(), nn.Linear(code_dim, hidden)
        )
        # The Q-Former-feature reconstruction decoder: trained and shipped, unused at inference.
        self.pos_embed = nn.Parameter(torch.zeros(1, num_queries, hidden))
        self.blocks = _decoder_blocks(config)
        # The image-embedding decoder.
        self.pos_embed_image = nn.Parameter(torch.zeros(1, num_queries, hidden))
        self.blocks_image = _decoder_blocks(config)
        self.image_down = nn.Sequential(
            nn.Linear(hidden, 256, bias=False),
            nn.ReLU(),
            nn.Linear(256, 128, bias=False),
            nn.ReLU(),
            nn.Linear(128, QUERY_FEATURE_WIDTH, bias=False),
        )
        self.distill_image_proj = nn.Linear(
            num_queries * QUERY_FEATURE_WIDTH, config.image_features_dim
        )

    def encode_ids(self, pixels: torch.Tensor) -> torch.Tensor:
        """Normalized pixels [B, 3, 224, 224] -> ids [B, 32] (int64)."""
        # The reference runs the ViT under float16 autocast whenever it is on a GPU.
        with torch.autocast("cuda", dtype=torch.float16, enabled=pixels.device.type == "cuda"):
            image_embeds = self.ln_vision(self.visual_encoder(pixels))
        queries = self.query_tokens.expand(pixels.shape[0], -1, -1)
        hidden = self.Qformer(queries, image_embeds)
        return self.quantize.nearest_ids(self.encode_task_layer(hidden))

    def decode_embeds(self, ids: torch.Tensor) -> torch.Tensor:
        """ids [B, 32] (or [B, 1], broadcast to every position) -> image embedding [B, D]."""
        x = self.decode_task_layer(self.quantize.embedding(ids)) + self.pos_embed_image
        for block in self.blocks_image:
            x = block(x)
        return self.distill_image_proj(self.image_down(x).flatten(1))
