"""Image preprocessing of the SEED-2 tokenizer, without torchvision.

The reference applies, to a PIL RGB image: Resize((224, 224), bicubic) - aspect ratio not kept,
no crop - then ToTensor and Normalize with the CLIP mean/std. torchvision resizes a PIL image
with Pillow itself, so Pillow's bicubic here gives the same pixels bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

ImageInput = np.ndarray | Image.Image
"""An H x W x 3 uint8 RGB array, or a PIL image (converted to RGB)."""


def _to_pil_rgb(image: ImageInput) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected an RGB numpy array or a PIL image, got {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f"expected an H x W x 3 uint8 RGB array, got shape {image.shape} dtype {image.dtype}"
        )
    return Image.fromarray(image)


def preprocess_image(image: ImageInput, size: int = 224) -> torch.Tensor:
    """One image -> normalized float32 pixels [3, size, size]."""
    resized = _to_pil_rgb(image).resize((size, size), Image.Resampling.BICUBIC)
    pixels = torch.from_numpy(np.array(resized)).permute(2, 0, 1).float().div(255)
    mean = torch.tensor(CLIP_MEAN).view(3, 1, 1)
    std = torch.tensor(CLIP_STD).view(3, 1, 1)
    return (pixels - mean) / std


def preprocess_images(images: Sequence[ImageInput], size: int = 224) -> torch.Tensor:
    """Images -> normalized float32 pixels [B, 3, size, size]."""
    if isinstance(images, np.ndarray | Image.Image):
        raise TypeError("expected a sequence of images; wrap a single image in a list")
    if len(images) == 0:
        raise ValueError("no images to preprocess")
    return torch.stack([preprocess_image(image, size) for image in images])
