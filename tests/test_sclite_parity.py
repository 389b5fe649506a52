"""Our WER against NIST sclite (Debian sctk) on real Whisper tiny.en transcripts and edge cases.

sclite aligns with weighted costs (substitution 4, insertion and deletion 3); our presets align
with unit costs (jiwer). Both give the same number of errors on every real transcript here; the
split between substitutions and deletion+insertion pairs may differ where alignments tie. One
constructed case shows where the conventions give different totals.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from evals.records import PredictionRecord
from evals.registry import METRICS
from evals.types import Decoding, Modality, Response, Sample, Text
from metrics.text_norm import get_normalizer

TRANSCRIPTS = Path(__file__).parent / "data" / "whisper_transcripts.json"
EDGE = [
    ("empty-hyp", "the boy was there when the sun rose", ""),
    ("insertions-only", "", "hello there general"),
    ("repeated", "the cat sat", "the the the cat cat sat sat"),
    ("repeated-ref", "no no no no", "no"),
]
WEIGHTED_DIFFERS = ("no no no yes yes", "yes yes maybe maybe no")  # 5 errors here, 6 in sclite


def sclite_counts(pairs: list[tuple[str, str, str]], tmp: Path) -> dict[str, tuple[int, ...]]:
    """(correct, sub, del, ins) per utterance id from sclite's `pra` report."""
    sctk = shutil.which("sctk")
    assert sctk, "NIST sclite is missing: install the Debian package sctk (scripts/setup_env.sh)"
    (tmp / "ref.trn").write_text("".join(f"{r} ({i})\n" for i, r, _ in pairs))
    (tmp / "hyp.trn").write_text("".join(f"{h} ({i})\n" for i, _, h in pairs))
    out = subprocess.run(
        [
            sctk,
            "sclite",
            "-r",
            str(tmp / "ref.trn"),
            "trn",
            "-h",
            str(tmp / "hyp.trn"),
            "trn",
            "-i",
            "rm",
            "-o",
            "pra",
            "stdout",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = re.findall(r"^id: \((.+?)\)$", out, re.M)
    scores = re.findall(r"^Scores: \(#C #S #D #I\) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    assert len(ids) == len(scores) == len(pairs)
    return {i: tuple(map(int, s)) for i, s in zip(ids, scores)}


def ours(pairs: list[tuple[str, str, str]]):
    metric = METRICS.get("wer@whisper-norm")
    records = [
        PredictionRecord(
            "asr",
            Sample(i, (), (Text(r),)),
            Modality.TEXT,
            Decoding(),
            Response(i, Text(h), text=h),
        )
        for i, r, h in pairs
    ]
    return metric, metric.score(records)


def test_error_counts_equal_sclite(tmp_path):
    rows = json.loads(TRANSCRIPTS.read_text())
    raw = [(r["id"], r["reference"], r["hypothesis"]) for r in rows] + EDGE
    norm = get_normalizer("whisper-english")
    pairs = [(i, norm(r), norm(h)) for i, r, h in raw]
    theirs = sclite_counts(pairs, tmp_path)
    metric, scores = ours(raw)
    assert sum(s.stat[0] > 0 for s in scores) >= 20, "the transcripts carry real errors"
    for (i, _, _), s in zip(pairs, scores):
        c, sub, dele, ins = theirs[i]
        assert s.stat[0] == sub + dele + ins, (i, s.details, theirs[i])
        assert s.stat[1] == c + sub + dele, i
    stats = np.array([s.stat for s in scores])
    total = np.array([theirs[i] for i, _, _ in pairs]).sum(axis=0)
    sclite_wer = 100 * total[1:].sum() / total[:3].sum()
    assert metric.reduce(stats) == sclite_wer


def test_weighted_alignment_differs_on_a_constructed_case(tmp_path):
    ref, hyp = WEIGHTED_DIFFERS
    (_, sub, dele, ins) = sclite_counts([("w", ref, hyp)], tmp_path)["w"]
    _, (score,) = ours([("w", ref, hyp)])
    assert (sub, dele, ins) == (0, 3, 3) and score.stat[0] == 5  # sclite: 6 errors; ours: 5
