"""Clean-room SEED-2 image tokenizer, as AnyGPT uses it: an image becomes 32 ids in [0, 8192);
32 ids become the 1024-d image embedding that the unCLIP Stable Diffusion decoder is given."""

from .config import SEED2_CONFIG, TINY_CONFIG, EvaVitConfig, QFormerConfig, SeedTokenizerConfig
from .loading import (
    EVA_VIT_FILENAME,
    QUANTIZER_FILENAME,
    SEED2_HUB_ID,
    SeedCheckpointError,
    load_seed_tokenizer,
)
from .preprocess import preprocess_image, preprocess_images
from .quantizer import QformerQuantizer
from .tokenizer import SeedTokenizer

__all__ = [
    "EVA_VIT_FILENAME",
    "QUANTIZER_FILENAME",
    "SEED2_CONFIG",
    "SEED2_HUB_ID",
    "TINY_CONFIG",
    "EvaVitConfig",
    "QFormerConfig",
    "QformerQuantizer",
    "SeedCheckpointError",
    "SeedTokenizer",
    "SeedTokenizerConfig",
    "load_seed_tokenizer",
    "preprocess_image",
    "preprocess_images",
]
