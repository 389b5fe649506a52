"""Sizes of the SEED-2 image tokenizer: the released model and the tiny test model.

The released checkpoint carries no config file; these numbers are the ones the reference code
hard-codes (EVA ViT-g/14, a BERT-base Q-Former, an 8192 x 32 codebook).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvaVitConfig:
    """The EVA ViT image encoder (BEiT-style attention biases, no final norm or head)."""

    image_size: int = 224
    """Input side in pixels; inputs must be exactly this square size."""
    patch_size: int = 14
    """Patch side in pixels; 224 / 14 gives a 16 x 16 grid plus one class token."""
    width: int = 1408
    """Token width."""
    depth: int = 39
    """Number of transformer blocks."""
    num_heads: int = 16
    """Attention heads per block."""
    mlp_ratio: float = 4.3637
    """MLP hidden width over token width (truncated: 1408 * 4.3637 -> 6144)."""
    layer_norm_eps: float = 1e-6
    """Epsilon of the blocks' LayerNorms."""

    @property
    def num_patches(self) -> int:
        return (self.image_size // self.patch_size) ** 2

    @property
    def mlp_hidden(self) -> int:
        return int(self.width * self.mlp_ratio)


@dataclass(frozen=True)
class QFormerConfig:
    """The BERT-style Q-Former; only its query branch (no text embeddings or text FFN) is kept."""

    hidden_size: int = 768
    """Width of the queries."""
    num_layers: int = 12
    """Number of layers."""
    num_heads: int = 12
    """Attention heads per layer."""
    intermediate_size: int = 3072
    """Hidden width of the query feed-forward network."""
    cross_attention_freq: int = 2
    """Layers 0, freq, 2 * freq, ... attend to the image features."""
    encoder_width: int = 1408
    """Width of the image features (the ViT width)."""
    layer_norm_eps: float = 1e-12
    """Epsilon of all Q-Former LayerNorms."""
    max_position_embeddings: int = 512
    """Length of the checkpoint's (unused) `position_ids` buffer."""


@dataclass(frozen=True)
class SeedTokenizerConfig:
    """The whole tokenizer: encoder, Q-Former, codebook and the embedding decoder."""

    vit: EvaVitConfig = field(default_factory=EvaVitConfig)
    """Image encoder."""
    qformer: QFormerConfig = field(default_factory=QFormerConfig)
    """Query transformer."""
    num_query_tokens: int = 32
    """Learned queries, hence ids per image."""
    codebook_size: int = 8192
    """Number of codebook entries; ids are in [0, codebook_size)."""
    codebook_dim: int = 32
    """Width of a codebook entry."""
    decoder_depth: int = 4
    """ViT blocks in each of the two decoders (`blocks`, `blocks_image`)."""
    decoder_num_heads: int = 12
    """Attention heads of the decoder blocks (fixed in the reference whatever the width)."""
    decoder_mlp_ratio: float = 4.0
    """MLP hidden width over width in the decoder blocks."""
    decoder_layer_norm_eps: float = 1e-6
    """Epsilon of the decoder blocks' LayerNorms."""
    ln_vision_eps: float = 1e-5
    """Epsilon of the LayerNorm applied to the ViT output."""
    image_features_dim: int = 1024
    """Width of the decoded image embedding (the unCLIP image embedding)."""

    def __post_init__(self) -> None:
        if self.qformer.encoder_width != self.vit.width:
            raise ValueError(
                f"qformer.encoder_width ({self.qformer.encoder_width}) must equal "
                f"vit.width ({self.vit.width})"
            )


SEED2_CONFIG = SeedTokenizerConfig()
"""The released SEED-2 tokenizer (AILab-CVC/seed-tokenizer-2), as AnyGPT builds it."""

TINY_CONFIG = SeedTokenizerConfig(
    vit=EvaVitConfig(width=32, depth=2, num_heads=2),
    qformer=QFormerConfig(
        hidden_size=48, num_layers=2, num_heads=4, intermediate_size=96, encoder_width=32
    ),
    image_features_dim=64,
)
"""The tiny model of the golden fixtures (seed_tokenizer/tiny_config.json): same module tree,
real codebook size and query count, so ids keep their range and count."""
