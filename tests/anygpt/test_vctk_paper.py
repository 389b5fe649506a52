"""`vctk-tts-paper` selects as the paper: per speaker a seeded random 3 s speech clip as the
voice prompt and another utterance as the target; `vctk-tts` keeps every utterance."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from evals.datasets.vctk import read_vctk_tts_paper
from evals.datasets.voice_prompts import speech_region
from evals.registry import TASKS

RATE = 16000
LEAD = 1.5  # seconds of leading silence in every recording


@pytest.fixture(scope="module")
def vctk(tmp_path_factory):
    root = tmp_path_factory.mktemp("VCTK-Corpus")
    rng = np.random.default_rng(0)
    for s, n in enumerate((6, 5, 4, 1)):
        spk = f"p{225 + s}"
        (root / "txt" / spk).mkdir(parents=True)
        (root / "wav48" / spk).mkdir(parents=True)
        for i in range(1, n + 1):
            stem = f"{spk}_{i:03d}"
            (root / "txt" / spk / f"{stem}.txt").write_text(f"Sentence {i} of {spk}.\n")
            speech = 0.3 * rng.standard_normal(int((4.0 + i) * RATE)).astype(np.float32)
            silence = 1e-4 * rng.standard_normal(int(LEAD * RATE)).astype(np.float32)
            sf.write(
                root / "wav48" / spk / f"{stem}.wav",
                np.concatenate([silence, speech, silence]),
                RATE,
            )
    return root


def selection(root, **options):
    return [
        (s.id, s.metadata.get("prompt_id"), s.metadata.get("prompt_offset"))
        for s in read_vctk_tts_paper(root, **options)
    ]


def test_selection_is_seeded_reproducible_and_never_self_prompted(vctk):
    first = selection(vctk)
    assert first == selection(vctk)  # same seed, same prompts, clips and targets
    assert any(selection(vctk, selection_seed=s) != first for s in (1, 2, 3))
    by_speaker = {}
    for sid, prompt, _ in first:
        by_speaker.setdefault(sid[:4], []).append((sid, prompt))
    # one target per speaker (the paper's "a separate text"); the one-utterance speaker has no prompt
    assert {k: len(v) for k, v in by_speaker.items()} == {
        "p225": 1,
        "p226": 1,
        "p227": 1,
        "p228": 1,
    }
    assert by_speaker["p228"] == [("p228_001", None)]
    for seed in range(6):
        for sid, prompt, _ in selection(vctk, selection_seed=seed, targets_per_speaker=3):
            assert prompt is None or (prompt != sid and prompt[:4] == sid[:4])


def test_prompt_clip_lies_in_the_speech_region(vctk):
    offsets = set()
    for seed in range(5):
        for s in read_vctk_tts_paper(vctk, selection_seed=seed):
            if "prompt_id" not in s.metadata:
                continue
            offset = s.metadata["prompt_offset"]
            start, end = s.metadata["prompt_speech"]
            assert start == pytest.approx(LEAD, abs=0.03)  # not the leading silence
            assert start - 1e-9 <= offset and offset + 3.0 <= end + 0.01
            offsets.add(offset)
    assert len(offsets) > 5  # a random clip, not always the start of the speech


def test_targets_per_speaker_option(vctk):
    three = selection(vctk, targets_per_speaker=3)
    counts = {}
    for sid, *_ in three:
        counts[sid[:4]] = counts.get(sid[:4], 0) + 1
    assert counts == {"p225": 3, "p226": 3, "p227": 3, "p228": 1}
    everyone = selection(vctk, targets_per_speaker=0)
    assert len(everyone) == (6 - 1) + (5 - 1) + (4 - 1) + 1


def test_paper_task_uses_the_selection_and_vctk_tts_every_utterance(vctk):
    paper = list(TASKS.get("vctk-tts-paper").samples(vctk))
    assert len(paper) == 4 and all("prompt_selection" in s.metadata for s in paper[:3])
    assert len(list(TASKS.get("vctk-tts").samples(vctk))) == 6 + 5 + 4 + 1


def test_speech_region_of_silence_is_the_whole_clip():
    assert speech_region(np.zeros(RATE, dtype=np.float32), RATE) == (0.0, 1.0)
