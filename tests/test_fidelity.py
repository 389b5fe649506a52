"""SI-SNR and log-mel L1 against direct numpy computations and torchmetrics; their policies."""

import numpy as np
import pytest

from evals.registry import METRICS
from evals.types import Modality, Text
from metrics.base import stack
from metrics.bootstrap import BootstrapSpec, interval
from metrics.fidelity import MEL_16K, log_mel, mel_l1, si_snr
from tests.records import music, record

RATE = 16000


def signals(seed=0, n=RATE):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE
    ref = (0.4 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32)
    est = (0.8 * ref + 0.05 * rng.standard_normal(n)).astype(np.float32)
    return ref, est


def si_snr_numpy(ref, est):
    """Le Roux et al. (2019), zero-mean, computed directly (no epsilon)."""
    ref = ref.astype(np.float64) - ref.mean()
    est = est.astype(np.float64) - est.mean()
    target = np.dot(est, ref) / np.dot(ref, ref) * ref
    noise = est - target
    return 10 * np.log10(np.sum(target**2) / np.sum(noise**2))


def test_si_snr_matches_numpy_and_torchmetrics():
    import torch
    from torchmetrics.functional.audio import scale_invariant_signal_noise_ratio

    settings = METRICS.get("si-snr@32k").preset.settings
    for seed in range(3):
        ref, est = signals(seed)
        ours = si_snr(ref, est, RATE, settings)
        assert ours == pytest.approx(si_snr_numpy(ref, est), abs=1e-4)
        tm = scale_invariant_signal_noise_ratio(torch.from_numpy(est), torch.from_numpy(ref))
        assert ours == pytest.approx(float(tm), abs=1e-3)


def test_si_snr_is_scale_invariant_and_floored():
    settings = METRICS.get("si-snr@32k").preset.settings
    ref, est = signals(1)
    assert si_snr(ref, 7.5 * est, RATE, settings) == pytest.approx(si_snr(ref, est, RATE, settings))
    assert si_snr(ref, np.zeros_like(ref), RATE, settings) == settings["floor_db"]
    anti = np.random.default_rng(9).standard_normal(ref.size) * 1e-9
    assert si_snr(ref, anti, RATE, settings) >= settings["floor_db"]


def slaney_mel_filters(rate, n_fft, n_mels, fmin, fmax):
    """Slaney-style mel filterbank (linear below 1 kHz, log above; area-normalized), from scratch."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        return np.where(
            f >= min_log_hz,
            min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep,
            f / f_sp,
        )

    def mel_to_hz(m):
        return np.where(
            m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m
        )

    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    bank = np.zeros((n_mels, freqs.size))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rising, falling = (freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)
        bank[i] = np.maximum(0, np.minimum(rising, falling)) * 2.0 / (hi - lo)
    return bank


def log_mel_numpy(x, s):
    n_fft, hop = s["n_fft"], s["hop"]
    padded = np.pad(x.astype(np.float64), n_fft // 2)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann
    frames = [padded[i : i + n_fft] * window for i in range(0, padded.size - n_fft + 1, hop)]
    mag = np.abs(np.fft.rfft(np.array(frames), axis=1)).T
    bank = slaney_mel_filters(RATE, n_fft, s["n_mels"], s["fmin"], s["fmax"])
    return np.log10(np.maximum(bank @ mag, 1e-5))


def test_log_mel_matches_a_direct_numpy_computation():
    ref, est = signals(2)
    ours = log_mel(ref, RATE, MEL_16K)
    direct = log_mel_numpy(ref, MEL_16K)
    assert ours.shape == direct.shape == (80, RATE // 256 + 1)
    np.testing.assert_allclose(ours, direct, atol=2e-4)
    expected = np.mean(np.abs(direct - log_mel_numpy(est, MEL_16K)))
    assert mel_l1(ref, est, RATE, MEL_16K) == pytest.approx(expected, abs=1e-4)


def test_fidelity_metrics_score_policy_and_exclusions():
    ref, est = signals(3)
    real = music(ref, RATE)
    recs = [
        record("ok", (real,), (Text("x"), real), Modality.MUSIC, music(est, RATE)),
        record("failed", (real,), (real,), Modality.MUSIC, error="codec crashed"),
        record("bad-input", (real,), (real,), Modality.MUSIC, error="silent", stage="input"),
        record("longer", (real,), (real,), Modality.MUSIC, music(np.r_[est, est[:800]], RATE)),
    ]
    mel = METRICS.get("mel-l1@16k")
    scores = mel.score(recs)
    assert scores[0].value == pytest.approx(mel_l1(ref, est, RATE, MEL_16K), abs=1e-4)
    silence = mel_l1(ref, np.zeros_like(ref), RATE, MEL_16K)
    assert scores[1].value == pytest.approx(silence) and scores[1].policy
    assert scores[2].value is None and "input error" in scores[2].policy
    assert scores[3].value == pytest.approx(scores[0].value, abs=1e-4)  # cut to the common length
    assert scores[3].details["length_diff_s"] == pytest.approx(800 / RATE)
    stats = stack(scores)
    assert mel.reduce(stats) == pytest.approx(np.mean([scores[i].value for i in (0, 1, 3)]))
    low, high = interval(mel, stats, BootstrapSpec(resamples=200))
    assert low <= mel.reduce(stats) <= high
    snr = METRICS.get("si-snr@32k").score(recs)
    assert snr[1].value == -50.0 and snr[2].value is None
