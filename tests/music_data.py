"""A small MusicCaps copy in the distributed layout (CSV + clip folder), built from synthetic music."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

HEADER = (
    "ytid",
    "start_s",
    "end_s",
    "audioset_positive_labels",
    "aspect_list",
    "caption",
    "author_id",
    "is_balanced_subset",
    "is_audioset_eval",
)
CAPTIONS = (
    "a calm piano melody with soft strings",
    "loud rock guitar riff with heavy drums",
    "an upbeat electronic dance track with a deep bass",
    "a slow acoustic guitar ballad sung by a male voice",
    "jazz trio with brushed drums and walking bass",
    "orchestral film score with brass and timpani",
)


def chord(seconds: float, rate: int, seed: int) -> np.ndarray:
    """A few decaying partials plus a little noise: music-like, different per seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros_like(t)
    for f in rng.uniform(110, 880, size=3):
        out += np.sin(2 * np.pi * f * t) * np.exp(-((t * 2) % 1.0))
    out = 0.25 * out / 3 + 0.01 * rng.standard_normal(t.size)
    return out.astype(np.float32)


def write_musiccaps(
    root: Path,
    n: int,
    rate: int = 48000,
    missing: Sequence[int] = (),
    full_video: Sequence[int] = (),
    short: Sequence[int] = (),
    corrupt: Sequence[int] = (),
    silent: Sequence[int] = (),
) -> Path:
    """root/musiccaps-public.csv + root/audio/<ytid>.wav for rows 0..n-1; the index lists choose
    rows whose clip is absent, stored as a 30 s 'whole video', cut to 3 s, not audio, or silent."""
    audio = root / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        ytid = f"yt-{i:02d}_x"
        start = 10.0 + i
        rows.append(
            {
                "ytid": ytid,
                "start_s": f"{start:g}",
                "end_s": f"{start + 10:g}",
                "audioset_positive_labels": "/m/04rlf",
                "aspect_list": "['calm', 'piano']",
                "caption": CAPTIONS[i % len(CAPTIONS)],
                "author_id": "4",
                "is_balanced_subset": str(i % 2 == 0),
                "is_audioset_eval": str(i % 3 == 0),
            }
        )
        path = audio / f"{ytid}.wav"
        if i in missing:
            continue
        if i in corrupt:
            path.write_bytes(b"this is not audio")
            continue
        seconds = 30.0 if i in full_video else 3.0 if i in short else 10.0
        samples = (
            np.zeros(int(seconds * rate), np.float32) if i in silent else chord(seconds, rate, i)
        )
        sf.write(path, samples, rate, subtype="FLOAT")
    with open(root / "musiccaps-public.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return root
