"""Tiny seeded speaker-verification models saved in their official layouts.

- UniSpeech's `wavlm_large_finetune.pth`: `{"model": state_dict}`, WavLM tensors under
  `feature_extract.model.` with the original (fairseq) names, the ECAPA-TDNN head's at top level.
- `microsoft/wavlm-base-plus-sv`: a transformers folder (config, safetensors, feature extractor).
"""

from __future__ import annotations

from pathlib import Path

import evals.compat  # noqa: F401  (torchvision operator stubs before transformers)


def tiny_wavlm_config(**extra):
    from transformers import WavLMConfig

    return WavLMConfig(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=48,
        conv_dim=(16,) * 7,
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_bias=False,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        num_buckets=40,
        **extra,
    )


def original_name(hf: str) -> str | None:
    """transformers' WavLM name -> the fairseq/UniSpeech name (None: not in the original)."""
    if hf == "masked_spec_embed":
        return "mask_emb"
    parts = hf.split(".")
    if hf.startswith("feature_extractor.conv_layers."):
        i, kind, leaf = parts[2], parts[3], parts[-1]
        return f"feature_extractor.conv_layers.{i}." + (
            "0.weight" if kind == "conv" else f"2.1.{leaf}"
        )
    if hf.startswith("feature_projection.layer_norm."):
        return f"layer_norm.{parts[-1]}"
    if hf.startswith("feature_projection.projection."):
        return f"post_extract_proj.{parts[-1]}"
    if hf.startswith("encoder.pos_conv_embed.conv."):
        leaf = {"bias": "bias", "original0": "weight_g", "original1": "weight_v"}[parts[-1]]
        return f"encoder.pos_conv.0.{leaf}"
    if hf.startswith("encoder.layer_norm."):
        return hf
    i, rest = parts[2], ".".join(parts[3:])
    table = {
        "attention.gru_rel_pos_const": "self_attn.grep_a",
        "attention.gru_rel_pos_linear.weight": "self_attn.grep_linear.weight",
        "attention.gru_rel_pos_linear.bias": "self_attn.grep_linear.bias",
        "attention.rel_attn_embed.weight": "self_attn.relative_attention_bias.weight",
        "layer_norm.weight": "self_attn_layer_norm.weight",
        "layer_norm.bias": "self_attn_layer_norm.bias",
        "feed_forward.intermediate_dense.weight": "fc1.weight",
        "feed_forward.intermediate_dense.bias": "fc1.bias",
        "feed_forward.output_dense.weight": "fc2.weight",
        "feed_forward.output_dense.bias": "fc2.bias",
        "final_layer_norm.weight": "final_layer_norm.weight",
        "final_layer_norm.bias": "final_layer_norm.bias",
    }
    if rest.startswith("attention.") and rest.split(".")[1] in (
        "k_proj",
        "q_proj",
        "v_proj",
        "out_proj",
    ):
        return f"encoder.layers.{i}.self_attn.{rest[len('attention.') :]}"
    return f"encoder.layers.{i}.{table[rest]}"


def save_tiny_unispeech_tdnn(path: Path, seed: int = 0):
    """A seeded tiny WavLM + ECAPA-TDNN checkpoint in UniSpeech's layout; returns the source
    transformers WavLMModel (for comparisons) and the head."""
    import torch
    from transformers import WavLMModel

    from metrics.ecapa_tdnn import EcapaHead

    torch.manual_seed(seed)
    wavlm = WavLMModel(tiny_wavlm_config()).eval()
    head = EcapaHead(layers=3, feat_dim=32, channels=16, pooled=24, emb_dim=8)
    for m in head.modules():  # non-trivial batch-norm statistics, as a trained model has
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    with torch.no_grad():
        head.feature_weight.normal_()
    head.eval()
    state = {f"feature_extract.model.{original_name(k)}": v for k, v in wavlm.state_dict().items()}
    state.update(head.state_dict())
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": state}, path)
    return wavlm, head


def save_tiny_wavlm_xvector(folder: Path, seed: int = 0):
    """A seeded tiny WavLMForXVector folder with its feature extractor."""
    import torch
    from transformers import Wav2Vec2FeatureExtractor, WavLMForXVector

    torch.manual_seed(seed)
    config = tiny_wavlm_config(tdnn_dim=(8, 8, 8, 8, 16), xvector_output_dim=8)
    model = WavLMForXVector(config).eval()
    model.save_pretrained(folder)
    Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16000, do_normalize=True, return_attention_mask=True
    ).save_pretrained(folder)
    return model
