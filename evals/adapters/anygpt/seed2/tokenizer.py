"""The public face of the SEED-2 image tokenizer: images -> ids, ids -> unCLIP image embedding."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .config import SeedTokenizerConfig
from .preprocess import ImageInput, preprocess_images
from .quantizer import QformerQuantizer


class SeedTokenizer:
    """Batched, device- and dtype-agnostic wrapper around a loaded `QformerQuantizer`.

    Build it with `loading.load_seed_tokenizer`. Outputs stay on the model's device.
    """

    def __init__(self, model: QformerQuantizer) -> None:
        self.model = model.eval().requires_grad_(False)
        # unexpected checkpoint keys ignored at load, per file (allow_unexpected only)
        self.ignored_keys: dict[str, list[str]] = {}

    @property
    def config(self) -> SeedTokenizerConfig:
        return self.model.config

    @property
    def device(self) -> torch.device:
        return self.model.query_tokens.device

    @property
    def dtype(self) -> torch.dtype:
        return self.model.query_tokens.dtype

    @property
    def num_ids(self) -> int:
        """Ids per image (32)."""
        return self.config.num_query_tokens

    @property
    def codebook_size(self) -> int:
        """Ids are in [0, codebook_size) (8192)."""
        return self.config.codebook_size

    @torch.inference_mode()
    def encode(self, images: Sequence[ImageInput] | torch.Tensor) -> torch.Tensor:
        """Images -> ids, int64 [B, 32], in [0, 8192).

        `images` are RGB uint8 arrays (H x W x 3) or PIL images of any size, preprocessed here;
        or a tensor already preprocessed ([B, 3, 224, 224] or [3, 224, 224]).
        """
        if isinstance(images, torch.Tensor):
            pixels = images.unsqueeze(0) if images.dim() == 3 else images
            size = self.config.vit.image_size
            if pixels.dim() != 4 or tuple(pixels.shape[1:]) != (3, size, size):
                raise ValueError(
                    f"preprocessed pixels must be [B, 3, {size}, {size}], got {tuple(images.shape)}"
                )
        else:
            pixels = preprocess_images(images, self.config.vit.image_size)
        return self.model.encode_ids(pixels.to(self.device, self.dtype))

    @torch.inference_mode()
    def decode_embeds(self, ids: torch.Tensor | Sequence[Sequence[int]]) -> torch.Tensor:
        """Ids [B, 32] -> unCLIP image embeddings [B, 1024] in the model's dtype.

        Counts follow the reference (`get_codebook_entry`): 32 ids per row, or a single id,
        which the reference silently broadcasts to all 32 positions (kept here). Any other count
        makes the reference crash with "RuntimeError: The size of tensor a (n) must match the
        size of tensor b (32)"; ids >= 8192 (or < 0) with "IndexError: index out of range in
        self". Both raise ValueError here instead; what to do with a wrong count is the
        caller's policy.
        """
        ids = torch.as_tensor(ids)
        if ids.dim() != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise ValueError(
                f"ids must be an integer [batch, {self.num_ids}] tensor, "
                f"got dtype {ids.dtype} shape {tuple(ids.shape)}"
            )
        if ids.shape[1] not in (1, self.num_ids):
            raise ValueError(
                f"expected {self.num_ids} image ids per row (or 1, broadcast), got {ids.shape[1]}"
            )
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.codebook_size):
            raise ValueError(
                f"image ids must be in [0, {self.codebook_size}), "
                f"got min {int(ids.min())} max {int(ids.max())}"
            )
        return self.model.decode_embeds(ids.to(self.device, torch.long))
