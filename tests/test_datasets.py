import json

import pytest
import soundfile as sf

from evals.datasets.librispeech import read_librispeech
from evals.datasets.manifest import ManifestError, read_asr_manifest, read_tts_manifest
from evals.datasets.vctk import read_vctk_tts
from evals.datasets.voice_prompts import voice_prompt_of
from evals.task import DataNotFoundError
from evals.types import Audio, Text
from tests.fakes import tone
from tests.speech_data import make_librispeech, make_vctk


def test_librispeech_layout(tmp_path):
    split = make_librispeech(tmp_path)
    samples = list(read_librispeech(split))
    assert [s.id for s in samples] == [
        "1089-134686-0000",
        "1089-134686-0001",
        "1089-134686-0002",
        "121-121726-0000",
        "121-121726-0001",
    ]
    s = samples[0]
    assert isinstance(s.inputs[0], Audio) and s.inputs[0].path.endswith("1089-134686-0000.flac")
    assert s.references == (Text("WORDS OF UTTERANCE 0"),)
    assert s.metadata["speaker"] == "1089"


def test_librispeech_missing_and_root_hint(tmp_path):
    with pytest.raises(DataNotFoundError) as err:
        list(read_librispeech(tmp_path / "nope"))
    assert str(tmp_path / "nope") in str(err.value) and "trans.txt" in str(err.value)
    make_librispeech(tmp_path)
    with pytest.raises(DataNotFoundError, match="point at one split"):
        list(read_librispeech(tmp_path))


@pytest.mark.parametrize("flac", [True, False])
def test_vctk_voice_prompt_rule(tmp_path, flac):
    root = make_vctk(tmp_path / "VCTK-Corpus", flac)
    samples = {s.id: s for s in read_vctk_tts(root, prompt_seconds=3.0)}
    assert set(samples) == {"p225_001", "p225_002", "p225_003", "p226_001", "p226_002", "p227_001"}
    # prompt: the speaker's first utterance; the first utterance is prompted by the second
    assert samples["p225_002"].metadata["prompt_id"] == "p225_001"
    assert samples["p225_003"].metadata["prompt_id"] == "p225_001"
    assert samples["p225_001"].metadata["prompt_id"] == "p225_002"
    assert samples["p226_001"].metadata["prompt_id"] == "p226_002"
    prompt = voice_prompt_of(samples["p225_003"])
    assert prompt.duration == 3.0 and "p225_001" in prompt.path
    assert voice_prompt_of(samples["p227_001"]) is None  # only one utterance: no valid prompt
    s = samples["p225_002"]
    assert s.inputs == (Text("Sentence 2 of p225."),)
    assert isinstance(s.references[1], Audio)


def test_vctk_missing_audio_folder(tmp_path):
    (tmp_path / "txt").mkdir()
    with pytest.raises(DataNotFoundError, match="wav48"):
        list(read_vctk_tts(tmp_path))


def write_manifest(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_manifest_asr_relative_paths_and_errors(tmp_path):
    sf.write(tmp_path / "a.wav", tone(0.2, 300), 16000)
    m = write_manifest(
        tmp_path / "m.jsonl",
        [{"id": 1, "audio": "a.wav", "text": "hi", "speaker": "x", "lang": "en"}],
    )
    (s,) = read_asr_manifest(m)
    assert s.id == "1" and s.inputs[0].path == str(tmp_path / "a.wav")
    assert s.metadata["lang"] == "en"
    with pytest.raises(DataNotFoundError, match=r"manifest\.jsonl does not exist"):
        list(read_asr_manifest(tmp_path))  # a folder is read as <folder>/manifest.jsonl
    bad = write_manifest(tmp_path / "bad.jsonl", [{"id": 1, "audio": "a.wav"}])
    with pytest.raises(ManifestError, match=r"bad\.jsonl:1: missing field\(s\) text"):
        list(read_asr_manifest(bad))
    dup = write_manifest(tmp_path / "dup.jsonl", [{"id": 1, "audio": "a", "text": "x"}] * 2)
    with pytest.raises(ManifestError, match="duplicate id"):
        list(read_asr_manifest(dup))


def test_manifest_tts_explicit_and_speaker_prompts(tmp_path):
    rows = [
        {"id": "a1", "audio": "a1.wav", "text": "one", "speaker": "A"},
        {"id": "a2", "audio": "a2.wav", "text": "two", "speaker": "A"},
        {"id": "b1", "audio": "b1.wav", "text": "three", "speaker": "B", "prompt_audio": "p.wav"},
    ]
    m = write_manifest(tmp_path / "manifest.jsonl", rows)
    samples = {s.id: s for s in read_tts_manifest(tmp_path, prompt_seconds=2.0)}
    assert samples["a1"].metadata["prompt_id"] == "a2"
    assert samples["a2"].metadata["prompt_id"] == "a1"
    assert samples["b1"].metadata["prompt_audio"] == str(tmp_path / "p.wav")
    assert voice_prompt_of(samples["b1"]).duration == 2.0
    assert m.exists()


def test_sample_audio_is_not_read_while_listing(tmp_path):
    """Readers stream paths; a corrupt file is only found when its sample is run."""
    (tmp_path / "bad.wav").write_bytes(b"junk")
    m = write_manifest(tmp_path / "m.jsonl", [{"id": "x", "audio": "bad.wav", "text": "t"}])
    (s,) = read_asr_manifest(m)
    assert s.inputs[0].path.endswith("bad.wav")
