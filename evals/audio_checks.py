"""Per-clip audio sanity checks: silence, clipping and length, with pinned thresholds.

Adapters use them to fail unusable inputs (a silent or too-short clip cannot measure a codec) and
to flag suspicious outputs (`Response.malformed`), so such samples are counted in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AudioCheck:
    """Thresholds of the checks; the defaults are the ones every adapter here uses."""

    silence_dbfs: float = -60.0
    """A clip whose peak is below this level (dB re full scale) is silent."""
    clip_level: float = 0.999
    """A sample at or above this absolute value sits at full scale."""
    clip_fraction: float = 0.001
    """A clip with more than this fraction of its samples at full scale is clipped."""
    min_seconds: float = 0.0
    """A clip shorter than this is too short (0: no minimum)."""


DEFAULT_CHECK = AudioCheck()


@dataclass(frozen=True)
class DegenerateInput:
    """When a model's input clip is degenerate: it is still generated and scored, but its record
    is flagged `degenerate` (Response.flags), so the integrity counts show it."""

    min_seconds: float = 0.1
    """A clip shorter than this cannot hold a word (ASR models hallucinate on it)."""
    silence_rms_dbfs: float = -60.0
    """A clip whose RMS level (dB re full scale) is below this is silent."""


DEGENERATE_INPUT = DegenerateInput()
"""The thresholds every task uses for its input audio (documented in the README's integrity
section: too short < 0.1 s, silent RMS < -60 dBFS)."""


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dB re full scale (-inf for digital silence or an empty clip)."""
    if not samples.size:
        return float("-inf")
    flat = np.ravel(samples)
    rms = float(np.sqrt(float(np.dot(flat, flat)) / flat.size))  # no per-sample temporary
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def degenerate_reasons(
    samples: np.ndarray, rate: int, check: DegenerateInput = DEGENERATE_INPUT
) -> list[str]:
    """Why an input clip is degenerate (too short, silent); empty when it is not."""
    reasons = []
    seconds = samples.size / float(rate)
    if seconds < check.min_seconds:
        reasons.append(f"too short: {seconds:.3f} s (< {check.min_seconds:g} s)")
    level = rms_dbfs(samples)
    if level < check.silence_rms_dbfs:
        shown = "digital silence" if level == float("-inf") else f"RMS {level:.1f} dBFS"
        reasons.append(f"silent: {shown} (< {check.silence_rms_dbfs:g} dBFS)")
    return reasons


def peak_dbfs(samples: np.ndarray) -> float:
    """Peak level in dB re full scale (-inf for digital silence or an empty clip)."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return 20.0 * np.log10(peak) if peak > 0 else float("-inf")


def clipped_fraction(samples: np.ndarray, level: float = DEFAULT_CHECK.clip_level) -> float:
    """Fraction of samples whose magnitude is at or above `level`."""
    return float(np.mean(np.abs(samples) >= level)) if samples.size else 0.0


def audio_issues(samples: np.ndarray, rate: int, check: AudioCheck = DEFAULT_CHECK) -> list[str]:
    """Readable problems of one mono clip: too short, silent, clipped (empty list when fine)."""
    issues = []
    seconds = samples.size / float(rate)
    if seconds < check.min_seconds:
        issues.append(f"too short: {seconds:.3f} s (needs {check.min_seconds:g} s)")
    level = peak_dbfs(samples)
    if level < check.silence_dbfs:
        shown = "digital silence" if level == float("-inf") else f"peak {level:.1f} dBFS"
        issues.append(f"silent: {shown} (threshold {check.silence_dbfs:g} dBFS)")
    fraction = clipped_fraction(samples, check.clip_level)
    if fraction > check.clip_fraction:
        issues.append(
            f"clipped: {100 * fraction:.2f}% of samples at full scale (|x| >= {check.clip_level:g})"
        )
    return issues


def blocking_input_issues(samples: np.ndarray, rate: int, check: AudioCheck) -> list[str]:
    """The issues that make an input clip useless for a fidelity measurement (short, silent)."""
    return [i for i in audio_issues(samples, rate, check) if not i.startswith("clipped")]
