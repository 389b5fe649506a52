"""WavLM in its original (UniSpeech/fairseq, as s3prl loads it) layout, run by transformers.

UniSpeech's speaker-verification checkpoints keep the WavLM weights under `feature_extract.model.`
with the original names (`self_attn.grep_linear`, `encoder.pos_conv.0.weight_g`, ...). This
module renames them to transformers' `WavLMModel` and infers the model's size from the tensors
(the checkpoint carries no config). The strides of the convolutional front end are not in the
weights: WavLM's are (5, 2, 2, 2, 2, 2, 2) for its 7 layers.
"""

from __future__ import annotations

import re

import torch

PREFIX = "feature_extract.model."
STRIDES = (5, 2, 2, 2, 2, 2, 2)
UNUSED = ("mask_emb", "label_embs_concat", "final_proj.", "project_q.", "quantizer.")
"""Pre-training-only tensors of the original model; transformers' WavLMModel has none of them
(`masked_spec_embed` is kept at its initial value: it is used only for masking in training)."""

# (original name pattern, transformers name): applied in order, first match wins.
RENAMES = (
    (
        r"feature_extractor\.conv_layers\.(\d+)\.0\.weight",
        r"feature_extractor.conv_layers.\1.conv.weight",
    ),
    (
        r"feature_extractor\.conv_layers\.(\d+)\.2\.1\.(weight|bias)",
        r"feature_extractor.conv_layers.\1.layer_norm.\2",
    ),
    (r"layer_norm\.(weight|bias)", r"feature_projection.layer_norm.\1"),
    (r"post_extract_proj\.(weight|bias)", r"feature_projection.projection.\1"),
    (r"encoder\.pos_conv\.0\.bias", "encoder.pos_conv_embed.conv.bias"),
    (
        r"encoder\.pos_conv\.0\.weight_g",
        "encoder.pos_conv_embed.conv.parametrizations.weight.original0",
    ),
    (
        r"encoder\.pos_conv\.0\.weight_v",
        "encoder.pos_conv_embed.conv.parametrizations.weight.original1",
    ),
    (r"encoder\.layer_norm\.(weight|bias)", r"encoder.layer_norm.\1"),
    (
        r"encoder\.layers\.(\d+)\.self_attn\.(k|q|v|out)_proj\.(weight|bias)",
        r"encoder.layers.\1.attention.\2_proj.\3",
    ),
    (
        r"encoder\.layers\.(\d+)\.self_attn\.grep_linear\.(weight|bias)",
        r"encoder.layers.\1.attention.gru_rel_pos_linear.\2",
    ),
    (
        r"encoder\.layers\.(\d+)\.self_attn\.grep_a",
        r"encoder.layers.\1.attention.gru_rel_pos_const",
    ),
    (
        r"encoder\.layers\.(\d+)\.self_attn\.relative_attention_bias\.weight",
        r"encoder.layers.\1.attention.rel_attn_embed.weight",
    ),
    (
        r"encoder\.layers\.(\d+)\.self_attn_layer_norm\.(weight|bias)",
        r"encoder.layers.\1.layer_norm.\2",
    ),
    (
        r"encoder\.layers\.(\d+)\.fc1\.(weight|bias)",
        r"encoder.layers.\1.feed_forward.intermediate_dense.\2",
    ),
    (
        r"encoder\.layers\.(\d+)\.fc2\.(weight|bias)",
        r"encoder.layers.\1.feed_forward.output_dense.\2",
    ),
    (
        r"encoder\.layers\.(\d+)\.final_layer_norm\.(weight|bias)",
        r"encoder.layers.\1.final_layer_norm.\2",
    ),
)


class LayoutError(ValueError):
    """A checkpoint that is not in the expected layout; the message names the tensor."""


def rename(key: str) -> str | None:
    """The transformers name of an original WavLM tensor; None for pre-training-only tensors."""
    if key.startswith(UNUSED):
        return None
    for pattern, target in RENAMES:
        if re.fullmatch(pattern, key):
            return re.sub(pattern, target, key)
    raise LayoutError(f"unknown WavLM tensor {key!r} (not in UniSpeech's WavLM layout)")


def wavlm_state(checkpoint: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The WavLM tensors of a UniSpeech checkpoint, under transformers' names."""
    out = {}
    for key, value in checkpoint.items():
        if key.startswith(PREFIX):
            name = rename(key[len(PREFIX) :])
            if name is not None:
                out[name] = value
    if not out:
        raise LayoutError(f"no WavLM tensors (keys starting {PREFIX!r}) in the checkpoint")
    return out


def wavlm_config(state: dict[str, torch.Tensor]):
    """A transformers WavLMConfig matching the tensors (stable layer norm, layer-norm front end)."""
    from transformers import WavLMConfig

    n_conv = len(
        [k for k in state if re.fullmatch(r"feature_extractor\.conv_layers\.\d+\.conv\.weight", k)]
    )
    convs = [state[f"feature_extractor.conv_layers.{i}.conv.weight"] for i in range(n_conv)]
    pos = state["encoder.pos_conv_embed.conv.parametrizations.weight.original1"]
    hidden = state["feature_projection.projection.weight"].shape[0]
    layers = len({k.split(".")[2] for k in state if k.startswith("encoder.layers.")})
    heads = state["encoder.layers.0.attention.gru_rel_pos_const"].shape[1]
    if n_conv > len(STRIDES):
        raise LayoutError(f"{n_conv} convolutional layers; WavLM has {len(STRIDES)}")
    return WavLMConfig(
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=state["encoder.layers.0.feed_forward.intermediate_dense.weight"].shape[0],
        conv_dim=tuple(c.shape[0] for c in convs),
        conv_kernel=tuple(c.shape[2] for c in convs),
        conv_stride=STRIDES[:n_conv],
        conv_bias=False,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        num_conv_pos_embeddings=pos.shape[2],
        num_conv_pos_embedding_groups=hidden // pos.shape[1],
        num_buckets=state["encoder.layers.0.attention.rel_attn_embed.weight"].shape[0],
        hidden_dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        feat_proj_dropout=0.0,
        layerdrop=0.0,
    )


def load_wavlm(checkpoint: dict[str, torch.Tensor]):
    """transformers' WavLMModel with the checkpoint's WavLM weights; every tensor must fit."""
    from transformers import WavLMModel

    state = wavlm_state(checkpoint)
    model = WavLMModel(wavlm_config(state))
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if k != "masked_spec_embed"]
    if missing or unexpected:
        raise LayoutError(
            f"WavLM weights do not fit: missing {missing[:3]}, unexpected {unexpected[:3]}"
        )
    return model.eval()
