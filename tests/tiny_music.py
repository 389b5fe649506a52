"""Tiny seeded music models saved in their official transformers layouts, for tests.

- `save_tiny_musicgen`: MusicgenForConditionalGeneration (T5 text encoder, 32 kHz Encodec with the
  real 640-sample hop and 4 x 2048 codebooks at 2.2 kbps, 4-codebook decoder) + MusicgenProcessor
  with a tiny T5 (Unigram) tokenizer, as `save_pretrained` writes facebook/musicgen-small.
- `save_tiny_encodec_32khz`: EncodecModel + EncodecFeatureExtractor in facebook/encodec_32khz's
  layout (4 codebooks of 2048 at 2.2 kbps, 50 Hz).
- `save_tiny_clap`: ClapModel + ClapProcessor (48 kHz feature extractor with LAION-CLAP's mel
  settings, a tiny byte-level BPE RoBERTa tokenizer) as laion/clap-htsat-unfused is laid out.
Weights are random (seeded); every loader is the one a real checkpoint goes through.
"""

from __future__ import annotations

from pathlib import Path

import torch

LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]


def tiny_encodec_config(**overrides):
    from transformers import EncodecConfig

    settings = dict(
        sampling_rate=32000,
        audio_channels=1,
        num_filters=4,
        hidden_size=16,
        num_residual_layers=1,
        upsampling_ratios=[8, 5, 4, 4],
        codebook_size=2048,
        codebook_dim=16,
        target_bandwidths=[2.2],
        num_lstm_layers=1,
        normalize=False,
        use_causal_conv=False,
        chunk_length_s=None,
        overlap=None,
    )
    settings.update(overrides)
    return EncodecConfig(**settings)


def randomize_codebooks(model: torch.nn.Module, scale: float = 0.5) -> None:
    """Fill Encodec's codebooks (zeros after init, like an untrained model) with seeded noise,
    so that decoded audio depends on the codes."""
    with torch.no_grad():
        for name, buffer in model.named_buffers():
            if name.endswith("codebook.embed"):
                buffer.copy_(torch.randn_like(buffer) * scale)
            elif name.endswith("codebook.embed_avg"):
                buffer.zero_()


def tiny_t5_tokenizer():
    from transformers import T5Tokenizer

    words = ["▁a", "▁the", "▁piano", "▁guitar", "▁drums", "▁calm", "▁loud", "▁rock", "▁song"]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    vocab += [(w, -3.0) for w in words] + [(c, -5.0) for c in LETTERS]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def save_tiny_musicgen(folder: Path, seed: int = 0) -> Path:
    from transformers import (
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
    )

    tokenizer = tiny_t5_tokenizer()
    text = T5Config(
        vocab_size=len(tokenizer), d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2
    )
    decoder = MusicgenDecoderConfig(
        vocab_size=2048,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=4,
        max_position_embeddings=512,
        pad_token_id=2048,
        bos_token_id=2048,
    )
    config = MusicgenConfig(
        text_encoder=text.to_dict(),
        audio_encoder=tiny_encodec_config().to_dict(),
        decoder=decoder.to_dict(),
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = MusicgenForConditionalGeneration(config)
        randomize_codebooks(model.audio_encoder)
    gen = model.generation_config  # what facebook/musicgen-small's generation_config.json holds
    gen.decoder_start_token_id, gen.pad_token_id = 2048, 2048
    gen.do_sample, gen.top_k, gen.guidance_scale, gen.max_length = True, 250, 3.0, 1500
    model.save_pretrained(folder)
    MusicgenProcessor(
        feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=32000),
        tokenizer=tokenizer,
    ).save_pretrained(folder)
    return folder


def save_tiny_encodec_32khz(folder: Path, seed: int = 0, **overrides) -> Path:
    from transformers import EncodecFeatureExtractor, EncodecModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = EncodecModel(tiny_encodec_config(**overrides))
        randomize_codebooks(model)
    model.save_pretrained(folder)
    EncodecFeatureExtractor(feature_size=1, sampling_rate=32000).save_pretrained(folder)
    return folder


def tiny_roberta_tokenizer():
    from transformers import RobertaTokenizer

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    symbols = [chr(c) for c in range(33, 127)] + ["Ġ"]
    merges = [("Ġ", "a"), ("Ġ", "t"), ("t", "h"), ("Ġt", "h"), ("i", "n"), ("e", "r")]
    pieces = specials + symbols + ["".join(m) for m in merges]
    vocab = {p: i for i, p in enumerate(dict.fromkeys(pieces))}
    return RobertaTokenizer(vocab=vocab, merges=merges)


def save_tiny_clap(folder: Path, seed: int = 0, projection_dim: int = 16) -> Path:
    from transformers import (
        ClapAudioConfig,
        ClapConfig,
        ClapFeatureExtractor,
        ClapModel,
        ClapProcessor,
        ClapTextConfig,
    )

    tokenizer = tiny_roberta_tokenizer()
    text = ClapTextConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=80,
        projection_dim=projection_dim,
        pad_token_id=tokenizer.pad_token_id,
    )
    audio = ClapAudioConfig(
        window_size=8,
        num_mel_bins=64,
        spec_size=256,  # as released: 4 x 256 columns hold the 1001 frames of 10 s
        patch_size=4,
        patch_stride=(4, 4),
        patch_embeds_hidden_size=8,
        hidden_size=16,
        depths=[1, 1],
        num_attention_heads=[2, 2],
        enable_fusion=False,
        projection_dim=projection_dim,
    )
    config = ClapConfig(
        text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=projection_dim
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ClapModel(config)
    model.save_pretrained(folder)
    features = ClapFeatureExtractor(  # laion/clap-htsat-unfused's preprocessor settings
        feature_size=64,
        sampling_rate=48000,
        hop_length=480,
        max_length_s=10,
        fft_window_size=1024,
        frequency_min=50,
        frequency_max=14000,
        truncation="rand_trunc",
        padding="repeatpad",
    )
    ClapProcessor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(folder)
    return folder
