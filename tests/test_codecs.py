"""Codec round-trip adapters against their libraries called directly, on seeded checkpoints in
their official layouts; input checks; checkpoint errors that name the file."""

import hashlib

import numpy as np
import pytest
import torch

from evals.adapters.roundtrip.encodec_hf import EncodecHFOptions, EncodecHFRoundTrip
from evals.adapters.roundtrip.encodec_pkg import (
    CHECKPOINTS,
    CheckpointError,
    EncodecOptions,
    EncodecRoundTrip,
)
from evals.adapters.roundtrip.speech_codec import SpeechCodecOptions, SpeechCodecRoundTrip
from evals.types import Audio, Decoding, Modality, Request, Status
from tests.anygpt.tiny_speech import save_tiny_speech_modules
from tests.music_data import chord
from tests.tiny_music import save_tiny_encodec_32khz


def request(i, samples, rate, kind=Modality.MUSIC, seed=0, prompt=None):
    clip = Audio(samples=np.asarray(samples, np.float32), sample_rate=rate, kind=kind)
    return Request("t", f"s{i}", (clip,), kind, Decoding(seed=seed), voice_prompt=prompt)


@pytest.fixture(scope="module")
def encodec_hf(tmp_path_factory):
    folder = save_tiny_encodec_32khz(tmp_path_factory.mktemp("encodec32"), seed=0)
    return folder, EncodecHFRoundTrip(EncodecHFOptions(model=str(folder), device="cpu"))


def test_encodec_32khz_matches_transformers_encode_decode(encodec_hf):
    from transformers import EncodecModel

    folder, adapter = encodec_hf
    clip = chord(0.5, 32000, seed=1)
    (out,) = adapter.generate([request(0, clip, 32000)])
    model = EncodecModel.from_pretrained(folder).eval()
    with torch.no_grad():
        enc = model.encode(torch.from_numpy(clip)[None, None], bandwidth=2.2)
        ref = model.decode(enc.audio_codes, enc.audio_scales).audio_values[0, 0].numpy()
    assert enc.audio_codes.shape == (1, 1, 4, 25)  # 4 codebooks at 50 Hz
    assert int(enc.audio_codes.max()) < 2048
    np.testing.assert_allclose(out.output.samples, ref[: clip.size], atol=1e-5)
    info = adapter.describe()
    assert (info["codebooks"], info["bandwidth_kbps"], info["frame_rate"]) == (4, 2.2, 50.0)


def test_round_trip_input_checks_and_batching(encodec_hf):
    _, adapter = encodec_hf
    clip = chord(0.6, 32000, seed=2)
    loud = np.clip(chord(0.6, 32000, seed=3) * 8, -1, 1)
    reqs = [
        request(0, clip, 32000),
        request(1, np.zeros(32000, np.float32), 32000),
        request(2, clip[:3200], 32000),
        request(3, loud, 32000),
        request(4, chord(0.9, 32000, seed=4), 32000),
    ]
    out = adapter.generate(reqs)
    assert [r.status for r in out][:3] == [Status.OK, Status.INPUT_ERROR, Status.INPUT_ERROR]
    assert "silent" in out[1].error and "too short" in out[2].error
    assert out[3].info["input_issues"][0].startswith("clipped")
    (alone,) = adapter.generate([reqs[4]])  # batched only with equal lengths: same result alone
    np.testing.assert_array_equal(alone.output.samples, out[4].output.samples)
    with pytest.raises(ValueError, match=r"bandwidth 6\.0 not offered"):
        EncodecHFRoundTrip(EncodecHFOptions(model=adapter.options.model, bandwidth=6.0))


def test_encodec_hf_encodes_at_the_chosen_bandwidth(tmp_path):
    from transformers import EncodecModel

    folder = save_tiny_encodec_32khz(tmp_path / "two-bandwidths", target_bandwidths=[1.1, 2.2])
    model = EncodecModel.from_pretrained(folder).eval()
    clip = chord(0.5, 32000, seed=1)
    for bandwidth, codebooks in ((None, 2), (2.2, 4)):
        adapter = EncodecHFRoundTrip(
            EncodecHFOptions(model=str(folder), device="cpu", bandwidth=bandwidth)
        )
        assert adapter.describe()["codebooks"] == codebooks
        (out,) = adapter.generate([request(0, clip, 32000)])
        with torch.no_grad():
            enc = model.encode(torch.from_numpy(clip)[None, None], bandwidth=bandwidth or 1.1)
            ref = model.decode(enc.audio_codes, enc.audio_scales).audio_values[0, 0].numpy()
        assert enc.audio_codes.shape[2] == codebooks
        np.testing.assert_allclose(out.output.samples, ref[: clip.size], atol=1e-5)


@pytest.fixture(scope="module")
def encodec_24k(tmp_path_factory):
    from encodec import EncodecModel

    folder = tmp_path_factory.mktemp("encodec24")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = EncodecModel.encodec_model_24khz(pretrained=False)
    torch.save(model.state_dict(), folder / "random.th")
    return folder, model.eval()


def test_encodec_package_checkpoints_are_local_checked_and_match_the_package(encodec_24k, tmp_path):
    folder, model = encodec_24k
    with pytest.raises(CheckpointError, match=r"encodec_24khz-d7cc33bc\.th") as err:
        EncodecRoundTrip(EncodecOptions(weights=str(tmp_path)))
    assert str(tmp_path) in str(err.value)
    official = tmp_path / CHECKPOINTS["24khz"]
    official.write_bytes((folder / "random.th").read_bytes())  # the name, not the content
    with pytest.raises(CheckpointError, match="does not match the d7cc33bc"):
        EncodecRoundTrip(EncodecOptions(weights=str(tmp_path)))
    with pytest.raises(ValueError, match=r"bandwidth 2\.2 not offered"):
        EncodecRoundTrip(EncodecOptions(checkpoint=str(folder / "random.th"), bandwidth=2.2))
    digest = hashlib.sha256(official.read_bytes()).hexdigest()[:8]
    hashed = official.rename(tmp_path / f"tiny_24khz-{digest}.th")
    adapter = EncodecRoundTrip(EncodecOptions(checkpoint=str(hashed), bandwidth=3.0, device="cpu"))
    assert adapter.describe()["checkpoint_sha256"].startswith(digest)

    clip = chord(0.5, 24000, seed=5)
    (out,) = adapter.generate([request(0, clip, 24000, kind=Modality.SPEECH)])
    model.set_target_bandwidth(3.0)
    with torch.no_grad():
        frames = model.encode(torch.from_numpy(clip)[None, None])
        ref = model.decode(frames)[0, 0, : clip.size].numpy()
    assert frames[0][0].shape[1] == 4  # 3 kbps at 75 Hz = 4 codebooks of 1024
    assert out.output.kind is Modality.SPEECH and out.output.sample_rate == 24000
    np.testing.assert_allclose(out.output.samples, ref, atol=1e-5)


def test_encodec_package_48khz_runs_mono_through_its_stereo_model(tmp_path):
    from encodec import EncodecModel

    torch.manual_seed(1)
    torch.save(EncodecModel.encodec_model_48khz(pretrained=False).state_dict(), tmp_path / "m.th")
    adapter = EncodecRoundTrip(
        EncodecOptions(model="48khz", checkpoint=str(tmp_path / "m.th"), device="cpu")
    )
    clip = chord(0.5, 48000, seed=6)
    (out,) = adapter.generate([request(0, clip, 48000)])
    assert out.error is None and out.output.samples.shape == clip.shape
    assert adapter.describe()["channels"] == 2


@pytest.fixture(scope="module")
def speech_modules(tmp_path_factory):
    root = save_tiny_speech_modules(tmp_path_factory.mktemp("speech-modules"), seed=0)
    # the `soundstorm_config` option must be the only source of the tiny size: move the
    # builder's soundstorm/config.json (which the loader would read by itself) out of the layout
    config = (root / "soundstorm" / "config.json").rename(root / "soundstorm-config.json")
    return root, config


def speech(seconds, seed):
    return chord(seconds, 16000, seed) * 1.5


def test_speechtokenizer_levels_match_the_codec(speech_modules):
    from evals.adapters.anygpt.speech_tokenizer import load_speech_tokenizer

    root, _ = speech_modules
    clip = speech(0.5, 7)
    codec = load_speech_tokenizer(root / "speechtokenizer")
    outputs = {}
    for levels in (8, 1):
        adapter = SpeechCodecRoundTrip(SpeechCodecOptions(modules=str(root), levels=levels))
        (out,) = adapter.generate([request(0, clip, 16000, kind=Modality.SPEECH)])
        ref = codec.decode(codec.encode(clip)[:levels])[0].numpy()[: clip.size]
        np.testing.assert_allclose(out.output.samples, ref, atol=1e-5)
        outputs[levels] = out.output.samples
    assert not np.allclose(outputs[8], outputs[1])


def test_speechtokenizer_rvq1_soundstorm_is_seeded_and_prompted(speech_modules):
    root, config = speech_modules
    adapter = SpeechCodecRoundTrip(
        SpeechCodecOptions(
            modules=str(root), levels=1, soundstorm=True, soundstorm_config=str(config)
        )
    )
    clip, voice = speech(0.5, 8), speech(0.3, 9)
    prompt = Audio(samples=voice, sample_rate=16000)
    runs = [
        adapter.generate([request(0, clip, 16000, Modality.SPEECH, seed, p)])[0].output.samples
        for seed, p in ((1, prompt), (1, prompt), (2, prompt), (1, None))
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2]) and not np.array_equal(runs[0], runs[3])
    assert adapter.describe()["soundstorm_steps"] == 3
    with pytest.raises(ValueError, match="set levels=1"):
        SpeechCodecRoundTrip(SpeechCodecOptions(modules=str(root), soundstorm=True))
    with pytest.raises(ValueError, match="set modules="):
        SpeechCodecRoundTrip(SpeechCodecOptions())
