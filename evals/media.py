"""Reading, validating, resampling and encoding media (soundfile + soxr for audio, Pillow for images).

Every reader raises `MediaError` naming the file and the reason, so a bad file fails only its
own sample.
"""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path

import numpy as np

from evals.errors import SampleError
from evals.types import Audio, Image, Modality


class MediaError(SampleError):
    """A media file or array that cannot be used; the message names the file and the reason."""


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """High-quality resampling (soxr 'HQ'); a no-op when the rates match."""
    if source_rate == target_rate:
        return samples
    import soxr

    return soxr.resample(samples, source_rate, target_rate, quality="HQ").astype(np.float32)


def wav_shortfall(path: str) -> int:
    """Bytes missing from a RIFF/WAVE file's data chunk (0 if whole or not a WAV).

    libsndfile silently shortens a truncated WAV to what is there; the header still says how long
    the data chunk should be, which is how a cut-off file is told from a short one.
    """
    import struct

    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        size = Path(path).stat().st_size
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return 0
            cid, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"data":
                if length in (0, 0xFFFFFFFF):  # streamed WAVs leave the size unset
                    return 0
                return max(length - (size - f.tell()), 0)
            f.seek(length + (length & 1), 1)


def _read_audio_file(
    path: str, offset: float, duration: float | None, mix: bool = False
) -> tuple[np.ndarray, int]:
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise MediaError(f"{path}: audio file not found")
    if p.stat().st_size == 0:
        raise MediaError(f"{path}: empty file (0 bytes)")
    missing = wav_shortfall(path)
    if missing:
        raise MediaError(
            f"{path}: truncated: the WAV header promises {missing} more bytes of audio"
        )
    try:
        with sf.SoundFile(path) as f:
            rate = f.samplerate
            total = f.frames
            start = round(offset * rate)
            if start >= total > 0:
                raise MediaError(
                    f"{path}: offset {offset:.2f}s is past the end ({total / rate:.2f}s)"
                )
            want = total - start if duration is None else min(round(duration * rate), total - start)
            f.seek(start)
            data = f.read(want, dtype="float32", always_2d=True)
    except MediaError:
        raise
    except Exception as exc:  # libsndfile's errors: not audio, unsupported, corrupt
        raise MediaError(f"{path}: not readable as audio ({exc})") from exc
    if data.shape[0] < want:
        raise MediaError(
            f"{path}: truncated: header promises {want} frames, file holds {data.shape[0]}"
        )
    if mix:  # music and general audio: the channel mean (AnyGPT's music input, CLAP, audiocraft)
        return data.mean(axis=1, dtype=np.float32), rate
    return data[:, 0].copy(), rate  # speech: first channel, as AnyGPT's speech input does


def load_audio(audio: Audio, target_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Mono float32 samples of `audio` (its segment), resampled if asked.

    Multi-channel files give their first channel for speech and their channel mean for music and
    general audio, as the reference pipelines read each."""
    if audio.samples is not None:
        samples = np.asarray(audio.samples, dtype=np.float32)
        if samples.ndim != 1:
            raise MediaError(f"in-memory audio must be 1-D, got shape {samples.shape}")
        rate = int(audio.sample_rate or 0)
        start = round(audio.offset * rate)
        stop = None if audio.duration is None else start + round(audio.duration * rate)
        samples = samples[start:stop]
        where = "in-memory audio"
    else:
        mix = audio.kind in (Modality.MUSIC, Modality.AUDIO)
        samples, rate = _read_audio_file(str(audio.path), audio.offset, audio.duration, mix)
        where = str(audio.path)
    if samples.size == 0:
        raise MediaError(f"{where}: no audio samples")
    if not np.isfinite(samples).all():
        raise MediaError(f"{where}: contains NaN or infinite samples")
    if target_rate is not None:
        samples, rate = resample(samples, rate, target_rate), target_rate
    return samples, rate


def materialize_audio(audio: Audio, target_rate: int | None = None) -> Audio:
    """The same clip with its samples loaded (validated), keeping the kind."""
    samples, rate = load_audio(audio, target_rate)
    return Audio(samples=samples, sample_rate=rate, kind=audio.kind)


def load_image(image: Image) -> np.ndarray:
    """H x W x 3 uint8 RGB pixels of `image`."""
    if image.array is not None:
        arr = np.asarray(image.array)
        if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
            raise MediaError(f"in-memory image must be HxWx3 uint8, got {arr.shape} {arr.dtype}")
        return arr
    from PIL import Image as PILImage

    path = str(image.path)
    if not Path(path).is_file():
        raise MediaError(f"{path}: image file not found")
    try:
        with PILImage.open(path) as im:
            im.load()
            return np.asarray(im.convert("RGB"))
    except Exception as exc:
        raise MediaError(f"{path}: not readable as an image ({exc})") from exc


def materialize_image(image: Image) -> Image:
    return Image(array=load_image(image))


_WAVE_FORMAT_IEEE_FLOAT = 3


def audio_to_wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono 32-bit float WAV bytes: lossless for what models produce, and a function of the
    samples alone (the same audio gives the same bytes, so the same artifact name).

    Written here rather than through libsndfile, whose float WAVs carry a PEAK chunk stamped with
    the time of writing."""
    data = np.ascontiguousarray(samples, dtype="<f4").reshape(-1)
    payload = data.tobytes()
    fmt = struct.pack("<HHIIHH", _WAVE_FORMAT_IEEE_FLOAT, 1, sample_rate, 4 * sample_rate, 4, 32)
    chunks = [
        b"fmt " + struct.pack("<I", len(fmt)) + fmt,
        b"fact" + struct.pack("<II", 4, data.size),  # frame count, required for float formats
        b"data" + struct.pack("<I", len(payload)) + payload,
    ]
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def image_to_png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def audio_duration(audio: Audio) -> float:
    """Seconds of the clip, from the header for files (no decoding)."""
    if audio.samples is not None:
        return len(audio.samples) / float(audio.sample_rate or 1) - audio.offset
    if audio.duration is not None:
        return audio.duration
    import soundfile as sf

    try:
        info = sf.info(str(audio.path))
    except Exception as exc:
        raise MediaError(f"{audio.path}: not readable as audio ({exc})") from exc
    return max(info.duration - audio.offset, 0.0)
