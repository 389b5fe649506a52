"""Signal fidelity of a reconstruction against the real clip: log-mel L1 distance and SI-SNR.

Both signals are resampled to the preset's rate (soxr HQ) and cut to their common length (codecs
pad to whole frames); the length difference is kept per sample.

- `mel-l1@<rate>`: mean absolute difference of log10 mel magnitude spectrograms,
  log10(max(mel, 1e-5)); STFT with a periodic Hann window of n_fft samples, hop `hop`, zero
  ("constant") padding of n_fft/2 at both ends (center=True), magnitude (power 1), librosa's
  Slaney-normalized mel filterbank between fmin and fmax. A failed output is digital silence.
- `si-snr@<rate>`: scale-invariant signal-to-noise ratio (Le Roux et al. 2019), both signals
  zero-mean: s_t = <s', s> s / |s|^2, e = s' - s_t, 10 log10((|s_t|^2 + eps) / (|e|^2 + eps))
  with eps the float32 machine epsilon (torchmetrics' definition), in dB, floored at -50 dB; a
  failed or digitally silent output scores the floor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from evals.records import PredictionRecord
from metrics.base import ROUNDTRIP_DIRECTIONS, MetricPreset, SampleScore
from metrics.record_media import (
    FAILED_OUTPUT,
    INPUT_EXCLUDED,
    ExcludingMean,
    audio_pair,
    excluded,
)

LOG_FLOOR = 1e-5
SI_SNR_EPS = float(np.finfo(np.float32).eps)


def log_mel(samples: np.ndarray, rate: int, s: Mapping[str, Any]) -> np.ndarray:
    """[n_mels, frames] log10 mel magnitudes of `samples` under settings `s`."""
    import librosa

    spec = np.abs(
        librosa.stft(
            np.asarray(samples, dtype=np.float32),
            n_fft=s["n_fft"],
            hop_length=s["hop"],
            win_length=s["n_fft"],
            window="hann",
            center=True,
            pad_mode="constant",
        )
    )
    bank = mel_bank(rate, s["n_fft"], s["n_mels"], s["fmin"], s["fmax"])
    return np.log10(np.maximum(bank @ spec, LOG_FLOOR))


@functools.cache
def mel_bank(rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """librosa's Slaney mel filterbank, built once per setting (not twice per sample)."""
    import librosa

    bank = librosa.filters.mel(
        sr=rate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, norm="slaney"
    )
    bank.flags.writeable = False
    return bank


def mel_l1(reference: np.ndarray, estimate: np.ndarray, rate: int, s: Mapping[str, Any]) -> float:
    """Mean |log-mel(reference) - log-mel(estimate)| over bins and frames (equal lengths)."""
    return float(np.mean(np.abs(log_mel(reference, rate, s) - log_mel(estimate, rate, s))))


def si_snr(reference: np.ndarray, estimate: np.ndarray, rate: int, s: Mapping[str, Any]) -> float:
    """Scale-invariant SNR in dB of `estimate` against `reference` (equal lengths), floored."""
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    ref, est = ref - ref.mean(), est - est.mean()
    if not np.any(est):
        return float(s["floor_db"])
    target = (est @ ref + SI_SNR_EPS) / (ref @ ref + SI_SNR_EPS) * ref
    noise = est - target
    value = 10.0 * np.log10((target @ target + SI_SNR_EPS) / (noise @ noise + SI_SNR_EPS))
    return float(max(value, s["floor_db"]))


MEASURES: dict[str, Callable[[np.ndarray, np.ndarray, int, Mapping[str, Any]], float]] = {
    "mel-l1": mel_l1,
    "si-snr": si_snr,
}


class Fidelity(ExcludingMean):
    """Per-sample fidelity of the output to the real clip, averaged."""

    def score(self, records: Sequence[PredictionRecord]) -> list[SampleScore]:
        s = self.preset.settings
        rate, measure = int(s["sample_rate"]), MEASURES[self.preset.metric]
        out = []
        for rec in records:
            gen, real, policy = audio_pair(rec, rate)
            if real is None:
                out.append(excluded(policy or ""))
                continue
            if gen is None:
                gen = np.zeros_like(real)
            n = min(len(real), len(gen))
            value = measure(real[:n], gen[:n], rate, s)
            details = {"length_diff_s": (len(gen) - len(real)) / rate}
            out.append(SampleScore((value,), value, policy, details))
        return out


MEL_16K = {"sample_rate": 16000, "n_fft": 1024, "hop": 256, "n_mels": 80, "fmin": 0, "fmax": 8000}
MEL_32K = {"sample_rate": 32000, "n_fft": 2048, "hop": 512, "n_mels": 128, "fmin": 0, "fmax": 16000}
COMMON = {
    "resampler": "soxr HQ",
    "alignment": "both cut to the shorter length; no delay compensation",
    "input_errors": INPUT_EXCLUDED,
}


def mel_preset(tag: str, mel: Mapping[str, Any], use: str) -> MetricPreset:
    return MetricPreset(
        name=f"mel-l1@{tag}",
        metric="mel-l1",
        description=f"log-mel L1 distance to the real clip at {tag} ({use})",
        higher_is_better=False,
        scale="log10-mel",
        aggregation="mean",
        directions=ROUNDTRIP_DIRECTIONS,
        settings={
            **mel,
            **COMMON,
            "stft": "periodic Hann window = n_fft, center=True, zero padding, magnitude",
            "filterbank": "librosa.filters.mel, Slaney scale and area normalization",
            "log": f"log10(max(mel, {LOG_FLOOR:g}))",
            "failure_policy": f"{FAILED_OUTPUT} (output = digital silence)",
        },
    )


def si_snr_preset(tag: str, rate: int) -> MetricPreset:
    return MetricPreset(
        name=f"si-snr@{tag}",
        metric="si-snr",
        description=f"scale-invariant SNR (dB) of the output against the real clip at {tag}",
        higher_is_better=True,
        scale="dB",
        aggregation="mean",
        directions=ROUNDTRIP_DIRECTIONS,
        settings={
            "sample_rate": rate,
            **COMMON,
            "definition": "zero-mean SI-SNR, eps = float32 epsilon (torchmetrics)",
            "floor_db": -50.0,
            "failure_policy": f"{FAILED_OUTPUT} (and digitally silent output): the -50 dB floor",
        },
    )


FIDELITY_PRESETS = (
    mel_preset("16k", MEL_16K, "speech"),
    mel_preset("32k", MEL_32K, "music"),
    si_snr_preset("32k", 32000),
)
