"""MusicCaps reader: CSV + clip folder, the segment/whole-video rule, incomplete copies; audio checks."""

import logging

import numpy as np
import pytest

from evals.audio_checks import AudioCheck, audio_issues, peak_dbfs
from evals.errors import SampleError
from evals.media import load_audio
from evals.registry import TASKS
from evals.task import DataNotFoundError
from evals.types import Audio, Decoding, Modality, Text
from tests.music_data import chord, write_musiccaps


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("mc") / "MusicCaps"
    return write_musiccaps(root, 7, missing=[2], full_video=[1], short=[3], corrupt=[4])


def samples(task, path, **kw):
    return list(TASKS.get(task).samples(path, **kw))


def test_rows_inputs_and_references(copy):
    t2m = samples("musiccaps-t2m", copy)
    assert [s.id for s in t2m] == [f"yt-{i:02d}_x" for i in range(7)]
    first = t2m[0]
    assert first.inputs == (Text("a calm piano melody with soft strings"),)
    caption, clip = first.references
    assert caption == first.inputs[0] and clip.kind is Modality.MUSIC
    assert (clip.offset, clip.duration) == (0.0, 5.0)
    assert first.metadata["aspects"] == ["calm", "piano"] and first.metadata["is_balanced_subset"]
    caption_task = samples("musiccaps-caption", copy)
    assert isinstance(caption_task[0].inputs[0], Audio)
    assert repr(caption_task[0].inputs[0]) == repr(clip)
    assert repr(caption_task[0].references) == repr(first.references)


def test_whole_video_files_are_read_from_start_s(copy):
    row = samples("musiccaps-t2m", copy)[1]
    assert row.metadata["clip_source"] == "full-video"
    assert row.metadata["start_s"] == 11.0 and row.references[1].offset == 11.0
    samples_, rate = load_audio(row.references[1])
    full = chord(30.0, 48000, 1)
    np.testing.assert_allclose(samples_, full[11 * rate : 16 * rate], atol=1e-6)


def test_missing_short_and_corrupt_clips_fail_as_input_errors(copy, caplog):
    with caplog.at_level(logging.WARNING, logger="anybench"):
        rows = {s.id: s for s in samples("musiccaps-caption", copy)}
    assert "1 of 7 clips missing" in caplog.text and "yt-02_x" in caplog.text
    problems = {k: s.metadata["problem"] for k, s in rows.items() if s.metadata["problem"]}
    assert set(problems) == {"yt-02_x", "yt-03_x", "yt-04_x"}
    assert "not found" in problems["yt-02_x"] and "(looked for yt-02_x.*)" in problems["yt-02_x"]
    assert "too short: 3.00 s" in problems["yt-03_x"]
    assert "not readable as audio" in problems["yt-04_x"]
    task = TASKS.get("musiccaps-caption")
    with pytest.raises(SampleError, match="not found"):
        task.request(rows["yt-02_x"], Decoding())
    assert task.request(rows["yt-00_x"], Decoding()).inputs == rows["yt-00_x"].inputs


def test_splits_csv_path_and_missing_data(copy, tmp_path):
    from evals.datasets.musiccaps import read_musiccaps

    evals_only = list(read_musiccaps(copy, split="audioset-eval"))
    assert [s.id for s in evals_only] == ["yt-00_x", "yt-03_x", "yt-06_x"]
    via_csv = list(read_musiccaps(copy / "musiccaps-public.csv"))
    assert len(via_csv) == 7
    with pytest.raises(DataNotFoundError, match=r"musiccaps-public\.csv"):
        list(read_musiccaps(tmp_path))
    with pytest.raises(DataNotFoundError, match="does not exist"):
        list(read_musiccaps(tmp_path / "nowhere"))
    (tmp_path / "bad.csv").write_text("ytid,caption\nabc,hello\n")
    with pytest.raises(DataNotFoundError, match="lacks column"):
        list(read_musiccaps(tmp_path / "bad.csv"))


def test_audio_checks_flag_silence_clipping_and_length():
    rate = 16000
    quiet = np.full(rate, 1e-4, np.float32)  # -80 dBFS
    assert peak_dbfs(quiet) == pytest.approx(-80.0)
    assert any(i.startswith("silent") for i in audio_issues(quiet, rate))
    assert "digital silence" in audio_issues(np.zeros(rate, np.float32), rate)[0]
    loud = np.clip(3 * np.sin(np.linspace(0, 200, rate)), -1, 1).astype(np.float32)
    (issue,) = audio_issues(loud, rate)
    assert issue.startswith("clipped:")
    fine = 0.5 * np.sin(np.linspace(0, 200, rate)).astype(np.float32)
    assert audio_issues(fine, rate) == []
    assert audio_issues(fine[:800], rate, AudioCheck(min_seconds=0.5))[0].startswith("too short")


def test_stereo_music_is_downmixed_and_stereo_speech_keeps_its_first_channel(tmp_path):
    import soundfile as sf

    left, right = chord(1.0, 48000, 1), chord(1.0, 48000, 2)
    sf.write(tmp_path / "st.wav", np.stack([left, right], axis=1), 48000, subtype="FLOAT")
    as_music, _ = load_audio(Audio(path=str(tmp_path / "st.wav"), kind=Modality.MUSIC))
    as_speech, _ = load_audio(Audio(path=str(tmp_path / "st.wav"), kind=Modality.SPEECH))
    np.testing.assert_allclose(as_music, (left + right) / 2, atol=1e-7)
    np.testing.assert_array_equal(as_speech, left)
