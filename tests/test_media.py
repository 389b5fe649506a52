import numpy as np
import pytest
import soundfile as sf

from evals.media import MediaError, load_audio, load_image, resample
from evals.types import Audio, Image
from tests.fakes import tone


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, tone(1.0, 440, 8000), 8000, subtype="PCM_16")
    return path


def test_segment_and_resample(wav):
    samples, rate = load_audio(Audio(path=str(wav), offset=0.25, duration=0.5), 16000)
    assert rate == 16000
    assert abs(len(samples) - 8000) <= 1
    full, _ = load_audio(Audio(path=str(wav)))
    seg, _ = load_audio(Audio(path=str(wav), offset=0.25, duration=0.5))
    np.testing.assert_array_equal(seg, full[2000:6000])


def test_first_channel_of_stereo(tmp_path):
    path = tmp_path / "st.flac"
    data = np.stack([tone(0.2, 300), tone(0.2, 500)], axis=1)
    sf.write(path, data, 16000)
    samples, _ = load_audio(Audio(path=str(path)))
    np.testing.assert_allclose(samples, data[:, 0], atol=1e-4)


def test_resample_roundtrip_keeps_a_tone():
    x = tone(1.0, 440, 16000)
    y = resample(resample(x, 16000, 24000), 24000, 16000)
    assert np.abs(x[100:-100] - y[100:-100]).max() < 1e-2


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"this is not audio at all" * 10), "not readable as audio"),
        (lambda p: None, "not found"),
    ],
)
def test_bad_audio_files_name_file_and_reason(tmp_path, make, reason):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(MediaError) as err:
        load_audio(Audio(path=str(path)))
    assert str(path) in str(err.value) and reason in str(err.value)


def test_truncated_wav_is_detected(tmp_path, wav):
    data = wav.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match=r"truncated|not readable"):
        load_audio(Audio(path=str(cut)))


def test_truncated_flac_is_detected(tmp_path):
    path = tmp_path / "x.flac"
    sf.write(path, tone(2.0, 300), 16000)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(MediaError):
        load_audio(Audio(path=str(cut)))


def test_zero_length_and_nan_audio(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, np.float32), 16000)
    with pytest.raises(MediaError, match="no audio samples"):
        load_audio(Audio(path=str(path)))
    with pytest.raises(MediaError, match="NaN"):
        load_audio(Audio(samples=np.array([0.1, np.nan], np.float32), sample_rate=16000))


def test_images(tmp_path):
    from PIL import Image as PILImage

    path = tmp_path / "x.png"
    PILImage.fromarray(np.full((4, 5, 3), 7, np.uint8)).save(path)
    assert load_image(Image(path=str(path))).shape == (4, 5, 3)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 broken")
    with pytest.raises(MediaError, match="not readable as an image"):
        load_image(Image(path=str(bad)))
