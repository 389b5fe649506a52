"""The written policy for silent and clipped audio in the media metrics (SIM, DNSMOS).

Silent audio (peak under -80 dBFS, digital silence included) has no speaker and no quality to
measure: it scores the preset's failure value, with the policy `SILENT` (counted in n_policy).
Samples are clipped to [-1, 1] (what a player would output) and then measured. Audio whose peak
exceeds `CLIPPED_PEAK` was beyond full scale before it reached us: such a sample has
`clipped: true` in its details and the metric reports `n_clipped`. (Full-scale audio resampled to
the scorer's rate overshoots 1.0 by a few percent, e.g. Piper's 22.05 kHz speech peaks at 1.012
at 16 kHz; that is not counted.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from metrics.base import SampleScore

SILENCE_PEAK = 1e-4
"""Peak amplitude (-80 dBFS) under which audio counts as silent."""
CLIPPED_PEAK = 1.1
"""Peak amplitude (+0.8 dBFS) above which audio counts as clipped."""
SILENT = "silent audio (peak under -80 dBFS): failure value"


@dataclass(frozen=True)
class Level:
    """Audio after the level policy."""

    samples: np.ndarray | None
    """float32 samples clipped to [-1, 1]; None when the audio is silent."""
    clipped: bool
    """True when the peak was above CLIPPED_PEAK."""


def level(samples: np.ndarray) -> Level:
    """Apply the policy: None for silence, clipping to [-1, 1] otherwise."""
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak < SILENCE_PEAK:
        return Level(None, False)
    return Level(np.clip(samples, -1.0, 1.0).astype(np.float32), peak > CLIPPED_PEAK)


def n_clipped(scores: Sequence[SampleScore]) -> dict[str, float]:
    """The count of measured samples that were clipped first, for a metric's summary."""
    return {"n_clipped": float(sum(bool(s.details.get("clipped")) for s in scores))}
