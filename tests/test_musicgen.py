"""MusicGen adapter end to end on a tiny seeded checkpoint in the transformers layout."""

import numpy as np
import pytest

from evals.adapters.musicgen import MusicGenAdapter, MusicGenOptions
from evals.types import Decoding, Modality, Request, Status, Text
from tests.tiny_music import save_tiny_musicgen

CAPTIONS = ("a calm piano", "loud rock guitar song with drums", "the song", "the song")


@pytest.fixture(scope="module")
def musicgen(tmp_path_factory):
    folder = save_tiny_musicgen(tmp_path_factory.mktemp("musicgen"), seed=0)
    return MusicGenAdapter(MusicGenOptions(model=str(folder), duration=0.2, device="cpu"))


def requests(preset="default", seed=100, overrides=None, captions=CAPTIONS):
    return [
        Request(
            "t",
            f"s{i}",
            (Text(c),),
            Modality.MUSIC,
            Decoding(preset, seed + i, overrides or {}),
        )
        for i, c in enumerate(captions)
    ]


def audio(responses):
    return [r.output.samples for r in responses]


def test_duration_seeds_and_batch_independence(musicgen):
    out = musicgen.generate(requests())
    assert [r.status for r in out] == [Status.OK] * 4
    assert all(a.shape == (round(0.2 * 32000),) and a.dtype == np.float32 for a in audio(out))
    assert all(r.output.sample_rate == 32000 and r.output.kind is Modality.MUSIC for r in out)
    assert out[0].info["max_new_tokens"] == 10 + 3  # 0.2 s x 50 Hz + 3 delay steps
    info = musicgen.describe()
    assert (info["frame_rate"], info["codebooks"], info["sample_rate"]) == (50.0, 4, 32000)
    batch = audio(out)
    assert not np.allclose(batch[2], batch[3])  # the same caption with seeds 102 and 103
    alone = audio(musicgen.generate(requests()[1:2]))[0]  # seed 101, without its batch
    np.testing.assert_allclose(alone, batch[1], atol=1e-5)


def test_top_k_one_is_greedy_guided_decoding(musicgen):
    greedy = audio(musicgen.generate(requests("greedy")[:2]))
    also_greedy = audio(musicgen.generate(requests("greedy", seed=7)[:1]))[0]
    top1 = audio(musicgen.generate(requests(overrides={"top_k": 1})[:2]))
    np.testing.assert_allclose(greedy[0], also_greedy, atol=1e-5)  # greedy ignores the seed
    for g, t in zip(greedy, top1):
        np.testing.assert_allclose(g, t, atol=1e-5)


def test_bad_duration_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="duration must be > 0"):
        MusicGenAdapter(MusicGenOptions(model=str(tmp_path), duration=0))
