"""Test helpers: tiny seeded image captioners and a tiny Stable Diffusion pipeline, saved with
`save_pretrained` in the official layouts and loaded back through the adapters' own code path.

Tokenizers are built offline: a BERT WordPiece vocabulary for BLIP, a word-level tokenizer with
an `<image>` token and a chat template for a LLaVA-style model, and a byte-level CLIP BPE
vocabulary (every byte symbol, no merges) for the Stable Diffusion text encoder.
"""

from __future__ import annotations

import json
from pathlib import Path

_WORDS = "a an the dog cat man woman riding horse sitting on table red blue picture of photo "
WORDS = tuple((_WORDS + "two small large street field with near bus plate food what is in").split())


def save_tiny_blip(folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import (
        BertTokenizerFast,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
        BlipTextConfig,
        BlipVisionConfig,
    )

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", *WORDS]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab=str(folder / "vocab.txt"), bos_token="[DEC]")
    text = BlipTextConfig(
        vocab_size=len(vocab), hidden_size=32, encoder_hidden_size=32, intermediate_size=64,
        num_attention_heads=2, num_hidden_layers=1, max_position_embeddings=64,
        bos_token_id=5, eos_token_id=3, sep_token_id=3, pad_token_id=0, initializer_range=0.5,
    )  # fmt: skip
    vision = BlipVisionConfig(
        hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=1,
        image_size=32, patch_size=8, initializer_range=0.5,
    )  # fmt: skip
    config = BlipConfig(
        text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=16
    )
    torch.manual_seed(seed)
    BlipForConditionalGeneration(config).save_pretrained(folder)
    processor = BlipProcessor(
        image_processor=BlipImageProcessor(size={"height": 32, "width": 32}), tokenizer=tokenizer
    )
    processor.save_pretrained(folder)
    return folder


LLAVA_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] | upper }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %}\n"
    "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


def save_tiny_llava(folder: Path, seed: int = 0) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    folder.mkdir(parents=True, exist_ok=True)
    special = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    words = [*WORDS, "user", "assistant", ":", "USER", "ASSISTANT", "describe", "image", "."]
    vocab = {t: i for i, t in enumerate(special + words)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(r"<image>|\w+|[^\w\s]", behavior="isolated")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", extra_special_tokens={"image_token": "<image>"}, padding_side="left",
    )  # fmt: skip
    tokenizer.add_special_tokens({"additional_special_tokens": ["<image>"]})
    vision = CLIPVisionConfig(
        hidden_size=32, intermediate_size=64, num_attention_heads=2, num_hidden_layers=2,
        image_size=32, patch_size=8, projection_dim=16,
    )  # fmt: skip
    text = LlamaConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_attention_heads=2,
        num_key_value_heads=2, num_hidden_layers=1, max_position_embeddings=128,
        bos_token_id=1, eos_token_id=2, pad_token_id=3, initializer_range=0.5,
    )  # fmt: skip
    config = LlavaConfig(
        vision_config=vision.to_dict(), text_config=text.to_dict(), image_token_index=4,
        vision_feature_layer=-1, vision_feature_select_strategy="default",
    )  # fmt: skip
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config)
    model.generation_config.pad_token_id = 3
    model.save_pretrained(folder)
    LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=32),
        tokenizer=tokenizer, patch_size=8, vision_feature_select_strategy="default",
        chat_template=LLAVA_TEMPLATE, num_additional_image_tokens=1,
    ).save_pretrained(folder)  # fmt: skip
    return folder


def _clip_bpe_files(folder: Path) -> tuple[Path, Path]:
    """A byte-level CLIP BPE vocabulary with every byte symbol and no merges."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += range(ord("®"), ord("ÿ") + 1)
    shifted = iter(range(256, 512))  # GPT-2 / CLIP byte-to-symbol table: unprintables moved up
    symbols = [chr(b) if b in printable else chr(next(shifted)) for b in range(256)]
    tokens = symbols + [s + "</w>" for s in symbols] + ["<|startoftext|>", "<|endoftext|>"]
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    vocab.write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    merges.write_text("#version: 0.2\n")
    return vocab, merges


def save_tiny_stable_diffusion(folder: Path, seed: int = 0) -> Path:
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    work = folder.parent / f"{folder.name}-tokenizer-src"
    work.mkdir(parents=True, exist_ok=True)
    vocab, merges = _clip_bpe_files(work)
    tokenizer = CLIPTokenizer(vocab=str(vocab), merges=str(merges), model_max_length=77)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(16, 32), layers_per_block=1, sample_size=8, in_channels=4,
        out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
        norm_num_groups=4, attention_head_dim=8,
    )  # fmt: skip
    vae = AutoencoderKL(
        block_out_channels=(8, 16), in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), latent_channels=4,
        norm_num_groups=4, sample_size=16,
    )  # fmt: skip
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=77,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
        clip_sample=False, set_alpha_to_one=False, steps_offset=1,
    )  # fmt: skip
    pipe = StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )  # fmt: skip
    pipe.save_pretrained(folder)
    return folder
