"""The ECAPA-TDNN speaker head of UniSpeech's speaker-verification models (`ECAPA_TDNN_SMALL`).

Seed-TTS-eval and most zero-shot TTS papers score speaker similarity with UniSpeech's
`wavlm_large_finetune.pth`: WavLM-large hidden states, mixed by a softmax over a learned weight
per layer (`feature_weight`), instance-normalized, then this head (Desplanques et al. 2020:
a Conv1d block, three SE-Res2Net blocks with dilations 2/3/4, multi-layer aggregation, attentive
statistics pooling, batch norm, a linear layer to the embedding). Module and parameter names
follow that checkpoint's state dict, so it loads with `load_state_dict` as it is; the code is
written from the architecture, not copied.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ConvReluBn(nn.Module):
    """Conv1d, ReLU, BatchNorm1d (in that order, as the checkpoint was trained)."""

    def __init__(self, cin: int, cout: int, kernel: int = 1, padding: int = 0, dilation: int = 1):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, kernel, padding=padding, dilation=dilation)
        self.bn = nn.BatchNorm1d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(F.relu(self.conv(x)))


class Res2Conv(nn.Module):
    """Res2Net convolution: `scale` channel groups, each group's conv also sees the previous
    group's output; the last group passes through unchanged."""

    def __init__(self, channels: int, kernel: int, padding: int, dilation: int, scale: int):
        super().__init__()
        self.width = channels // scale
        n = scale - 1
        self.convs = nn.ModuleList(
            nn.Conv1d(self.width, self.width, kernel, padding=padding, dilation=dilation)
            for _ in range(n)
        )
        self.bns = nn.ModuleList(nn.BatchNorm1d(self.width) for _ in range(n))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        groups = torch.split(x, self.width, dim=1)
        out, carry = [], None
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            carry = groups[i] if carry is None else carry + groups[i]
            carry = bn(F.relu(conv(carry)))
            out.append(carry)
        out.append(groups[len(self.convs)])
        return torch.cat(out, dim=1)


class SqueezeExcite(nn.Module):
    """Channel gates from the time-averaged activations."""

    def __init__(self, channels: int, bottleneck: int = 128):
        super().__init__()
        self.linear1 = nn.Linear(channels, bottleneck)
        self.linear2 = nn.Linear(bottleneck, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.linear2(F.relu(self.linear1(x.mean(dim=2)))))
        return x * gate.unsqueeze(2)


class SERes2Block(nn.Module):
    """1x1 conv, Res2 conv, 1x1 conv, squeeze-excitation, plus the residual."""

    def __init__(self, channels: int, dilation: int, scale: int = 8):
        super().__init__()
        self.Conv1dReluBn1 = ConvReluBn(channels, channels)
        self.Res2Conv1dReluBn = Res2Conv(channels, 3, dilation, dilation, scale)
        self.Conv1dReluBn2 = ConvReluBn(channels, channels)
        self.SE_Connect = SqueezeExcite(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.Conv1dReluBn2(self.Res2Conv1dReluBn(self.Conv1dReluBn1(x)))
        return self.SE_Connect(y) + x


class AttentiveStatsPool(nn.Module):
    """Attention-weighted mean and standard deviation over time."""

    def __init__(self, channels: int, attention: int = 128):
        super().__init__()
        self.linear1 = nn.Conv1d(channels, attention, 1)
        self.linear2 = nn.Conv1d(attention, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        alpha = torch.softmax(self.linear2(torch.tanh(self.linear1(x))), dim=2)
        mean = (alpha * x).sum(dim=2)
        var = (alpha * x * x).sum(dim=2) - mean * mean
        return torch.cat([mean, var.clamp(min=1e-9).sqrt()], dim=1)


class EcapaHead(nn.Module):
    """Layer mixing, instance norm and the ECAPA-TDNN head over [layers, B, T, feat_dim] states."""

    def __init__(
        self,
        layers: int,
        feat_dim: int,
        channels: int = 512,
        pooled: int = 1536,
        emb_dim: int = 256,
    ):
        super().__init__()
        self.feature_weight = nn.Parameter(torch.zeros(layers))
        self.instance_norm = nn.InstanceNorm1d(feat_dim)
        self.layer1 = ConvReluBn(feat_dim, channels, kernel=5, padding=2)
        self.layer2 = SERes2Block(channels, dilation=2)
        self.layer3 = SERes2Block(channels, dilation=3)
        self.layer4 = SERes2Block(channels, dilation=4)
        self.conv = nn.Conv1d(channels * 3, pooled, 1)
        self.pooling = AttentiveStatsPool(pooled)
        self.bn = nn.BatchNorm1d(pooled * 2)
        self.linear = nn.Linear(pooled * 2, emb_dim)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        w = torch.softmax(self.feature_weight, dim=-1).view(-1, 1, 1, 1)
        x = (w * hidden_states).sum(dim=0).transpose(1, 2) + 1e-6
        x = self.instance_norm(x)
        out1 = self.layer1(x)
        out2 = self.layer2(out1)
        out3 = self.layer3(out2)
        out4 = self.layer4(out3)
        out = F.relu(self.conv(torch.cat([out2, out3, out4], dim=1)))
        return self.linear(self.bn(self.pooling(out)))


def head_from_state(state: dict[str, torch.Tensor]) -> EcapaHead:
    """An EcapaHead sized from a checkpoint's head tensors (names without a prefix)."""
    layer1 = state["layer1.conv.weight"]
    return EcapaHead(
        layers=state["feature_weight"].shape[0],
        feat_dim=layer1.shape[1],
        channels=layer1.shape[0],
        pooled=state["conv.weight"].shape[0],
        emb_dim=state["linear.weight"].shape[0],
    )
