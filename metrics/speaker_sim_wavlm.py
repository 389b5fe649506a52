"""Speaker similarity under the field's WavLM protocols.

- `sim@wavlm-large-tdnn`: the Seed-TTS-eval protocol (and most zero-shot TTS papers'): UniSpeech's
  `wavlm_large_finetune.pth` (WavLM-large hidden states + ECAPA-TDNN head, 256-d). The checkpoint
  is not on the hub (UniSpeech's speaker-verification README links it); put it at
  `$ANYBENCH_SCORERS/unispeech/wavlm_large_finetune.pth`. Waveform layer-normalized first, as s3prl
  does for WavLM-large; the head mixes all hidden states (the input of every transformer layer and
  the encoder's layer-normed output, as s3prl's WavLM hooks take them).
- `sim@wavlm-base-plus-sv`: transformers' `WavLMForXVector` (`microsoft/wavlm-base-plus-sv`,
  x-vector head, 512-d), with its feature extractor, through `evals.hub.resolve`.

Both: the cosine of the generated speech's embedding with the voice prompt's. Policies: a failed
or empty output scores `failure_value`; silent and clipped audio follow metrics/audio_level.py
(silence: failure value; beyond full scale: clipped, counted). The loaded weights' sha256 is in
the scorer info.
"""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from evals import hub
from metrics.audio_level import SILENT, level
from metrics.base import MetricPreset, MetricUnavailable, directions
from metrics.scorers import SCORERS_ENV, locate
from metrics.speaker_sim import ResemblyzerSIM
from metrics.weights_hash import file_sha256

TDNN_ID = "unispeech/wavlm_large_finetune.pth"
XVECTOR_ID = "microsoft/wavlm-base-plus-sv"


class EcapaEmbedder:
    """UniSpeech's WavLM + ECAPA-TDNN checkpoint (`{"model": state_dict}`)."""

    def __init__(self, path: Path):
        import torch

        from metrics.ecapa_tdnn import head_from_state
        from metrics.wavlm_layout import load_wavlm

        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        state = checkpoint.get("model", checkpoint)
        self.wavlm = load_wavlm(state)
        head = {k: v for k, v in state.items() if not k.startswith("feature_extract.")}
        self.head = head_from_state(head)
        self.head.load_state_dict(head, strict=True)
        self.head.eval()

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        with torch.inference_mode():
            wav = torch.from_numpy(samples)[None]
            wav = F.layer_norm(wav, wav.shape[-1:])
            hidden = self.wavlm(wav, output_hidden_states=True).hidden_states
            return self.head(torch.stack(hidden)).double().numpy()[0]


class XVectorEmbedder:
    """transformers' WavLMForXVector from a folder (config, weights, feature extractor)."""

    def __init__(self, folder: Path):
        from transformers import AutoFeatureExtractor, WavLMForXVector

        self.features = AutoFeatureExtractor.from_pretrained(folder)
        self.model = WavLMForXVector.from_pretrained(folder).eval()

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        import torch

        inputs = self.features(samples, sampling_rate=16000, return_tensors="pt")
        with torch.inference_mode():
            return self.model(**inputs).embeddings.double().numpy()[0]


def tdnn_weights() -> Path:
    path = Path(locate(TDNN_ID))
    if not path.is_file():
        raise MetricUnavailable(
            f"sim@wavlm-large-tdnn needs UniSpeech's wavlm_large_finetune.pth at "
            f"${SCORERS_ENV}/{TDNN_ID} (not found; it is linked from UniSpeech's "
            "downstreams/speaker_verification README)"
        )
    return path


def xvector_folder() -> Path:
    try:
        return hub.resolve(XVECTOR_ID, "sim@wavlm-base-plus-sv scorer")
    except hub.NotFound as exc:
        raise MetricUnavailable(str(exc)) from exc


def weights_file(path: Path) -> Path:
    """The weights file of a checkpoint file or model folder."""
    if path.is_file():
        return path
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (path / name).is_file():
            return path / name
    raise MetricUnavailable(f"no model.safetensors or pytorch_model.bin in {path}")


# embedder name -> (locate the weights, build the embedder)
EMBEDDERS = {
    "wavlm-ecapa-tdnn": (tdnn_weights, EcapaEmbedder),
    "wavlm-xvector": (xvector_folder, XVectorEmbedder),
}


@functools.cache
def embedder(kind: str, path: str):
    """One embedder per (kind, weights path) per process."""
    return EMBEDDERS[kind][1](Path(path))


class WavLMSIM(ResemblyzerSIM):
    """cos(embedding(generated), embedding(prompt)) per sample with a WavLM speaker model."""

    no_embedding = SILENT

    def weights(self) -> Path:
        return EMBEDDERS[self.preset.settings["embedder"]][0]()

    def load(self) -> None:
        path = self.weights()
        try:
            embedder(self.preset.settings["embedder"], str(path))
        except (OSError, RuntimeError, ValueError, pickle.UnpicklingError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise MetricUnavailable(f"{self.name}: {path} could not be loaded ({first})") from exc

    def embed(self, samples: np.ndarray) -> np.ndarray | None:
        audio = level(samples).samples
        if audio is None:
            return None
        return embedder(self.preset.settings["embedder"], str(self.weights()))(audio)

    def describe(self) -> dict[str, Any]:
        path = self.weights()
        return {
            "scorer": self.preset.settings["embedder"],
            "weights": str(path),
            "weights_sha256": file_sha256(weights_file(path)),
        }


POLICY = (
    f"failed or empty output: failure_value; {SILENT}; samples clipped to [-1, 1], a peak above 1.1 "
    "counted (n_clipped); no voice prompt: failure_value"
)

WAVLM_SIM_PRESETS = (
    MetricPreset(
        name="sim@wavlm-large-tdnn",
        metric="sim",
        description="speaker similarity (Seed-TTS-eval): cosine of WavLM-large + ECAPA-TDNN "
        "embeddings (UniSpeech wavlm_large_finetune.pth), generated speech vs voice prompt",
        higher_is_better=True,
        scale="cosine",
        aggregation="mean",
        settings={
            "embedder": "wavlm-ecapa-tdnn",
            "scorer_id": TDNN_ID,
            "embedding": "UniSpeech ECAPA_TDNN_SMALL(feat_dim=1024, feat_type='wavlm_large'), 256-d",
            "preprocess": "16 kHz mono, waveform layer norm, all 25 hidden states mixed by "
            "softmax(feature_weight), instance norm",
            "reference": "the voice prompt segment given to the model",
            "policy": POLICY,
            "failure_value": 0.0,
        },
        directions=directions("text>speech"),
    ),
    MetricPreset(
        name="sim@wavlm-base-plus-sv",
        metric="sim",
        description="speaker similarity: cosine of transformers WavLMForXVector embeddings "
        "(microsoft/wavlm-base-plus-sv), generated speech vs voice prompt",
        higher_is_better=True,
        scale="cosine",
        aggregation="mean",
        settings={
            "embedder": "wavlm-xvector",
            "scorer_id": XVECTOR_ID,
            "embedding": "WavLMForXVector x-vector (512-d), its feature extractor at 16 kHz",
            "reference": "the voice prompt segment given to the model",
            "policy": POLICY,
            "failure_value": 0.0,
        },
        directions=directions("text>speech"),
    ),
)
