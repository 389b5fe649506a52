"""Test helpers: tiny LibriSpeech and VCTK folders in their official layouts (tones for speech)."""

from __future__ import annotations

import soundfile as sf

from tests.fakes import tone


def make_librispeech(root, speakers=(("1089", "134686", 3), ("121", "121726", 2))):
    split = root / "test-clean"
    for spk, chap, n in speakers:
        d = split / spk / chap
        d.mkdir(parents=True)
        lines = []
        for i in range(n):
            utt = f"{spk}-{chap}-{i:04d}"
            sf.write(d / f"{utt}.flac", tone(0.3, 300 + i * 50), 16000)
            lines.append(f"{utt} WORDS OF UTTERANCE {i}")
        (d / f"{spk}-{chap}.trans.txt").write_text("\n".join(lines) + "\n")
    return split


def make_vctk(root, flac=True):
    for spk, n in (("p225", 3), ("p226", 2), ("p227", 1)):
        (root / "txt" / spk).mkdir(parents=True)
        adir = root / ("wav48_silence_trimmed" if flac else "wav48") / spk
        adir.mkdir(parents=True)
        for i in range(1, n + 1):
            stem = f"{spk}_{i:03d}"
            (root / "txt" / spk / f"{stem}.txt").write_text(f"Sentence {i} of {spk}.\n")
            name = f"{stem}_mic1.flac" if flac else f"{stem}.wav"
            sf.write(adir / name, tone(4.0, 200 + i * 40), 16000)
    return root
