"""Real recorded speech: the LibriVox clips of Debian's pocketsphinx-testdata, read by the
`librivox-asr` task and transcribed by two real, different engines (Whisper tiny.en, PocketSphinx)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from evals.adapters.pocketsphinx_asr import int16_pcm
from evals.cli.main import main
from evals.datasets.manifest import ManifestError
from evals.datasets.sphinx_testdata import CORRECTIONS, DEBIAN_DIR, read_sphinx_testdata
from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.task import DataNotFoundError
from evals.types import Audio, Modality, Request
from metrics.text_norm import get_normalizer

TYPO = "sense_and_sensibility_01_austen_64kb-0920"


def test_reader_corrects_the_known_upstream_typo_and_keeps_the_original():
    samples = {s.id: s for s in read_sphinx_testdata(Path(DEBIAN_DIR))}
    assert len(samples) == 5
    fixed = samples[TYPO]
    assert fixed.references[0].text.startswith("had he married a more amiable woman")
    assert fixed.metadata["upstream_text"].startswith("had he married a more a amiable woman")
    assert all("upstream_text" not in s.metadata for k, s in samples.items() if k != TYPO)
    as_shipped = {
        s.id: s.references[0].text for s in read_sphinx_testdata(Path(DEBIAN_DIR), "upstream")
    }
    assert as_shipped[TYPO] == CORRECTIONS[TYPO][0]


def copy_testdata(tmp_path):
    folder = tmp_path / "librivox"
    shutil.copytree(DEBIAN_DIR, folder)
    return folder


def test_correction_applies_only_to_the_exact_upstream_line(tmp_path):
    folder = copy_testdata(tmp_path)
    t = folder / "transcription"
    t.write_text(t.read_text().replace("a more a amiable", "a more amiable"))  # fixed upstream
    (s,) = [s for s in read_sphinx_testdata(folder) if s.id == TYPO]
    assert s.references[0].text == CORRECTIONS[TYPO][1] and "upstream_text" not in s.metadata


def test_bad_testdata_is_named_with_file_and_line(tmp_path):
    folder = copy_testdata(tmp_path)
    (folder / "transcription").write_text("<s> hello </s> (a)\nno id on this line\n")
    with pytest.raises(ManifestError, match=r"transcription:2: expected"):
        list(read_sphinx_testdata(folder))
    (folder / "transcription").write_text("<s> hello </s> (a)\n")
    with pytest.raises(ManifestError, match=r"fileids:1: 'sense_and.*' has no line"):
        list(read_sphinx_testdata(folder))
    with pytest.raises(DataNotFoundError, match="apt-get install pocketsphinx-testdata"):
        list(read_sphinx_testdata(tmp_path / "absent"))


def test_missing_testdata_is_a_one_line_cli_error(tmp_path, capsys):
    data = f"librivox-asr={tmp_path / 'absent'}"
    args = ["run", "--model", "reference", "--tasks", "librivox-asr", "--out", str(tmp_path)]
    code = main([*args, "--data", data, "--no-progress"])
    assert code == 2 and "pocketsphinx-testdata" in capsys.readouterr().err


def pocketsphinx():
    return MODELS.get("pocketsphinx").from_spec(ModelSpec.parse("pocketsphinx"))


def test_pocketsphinx_batches_and_takes_any_level():
    model = pocketsphinx()
    quiet = Audio(samples=np.zeros(16000, dtype=np.float32), sample_rate=16000)
    loud = Audio(samples=np.full(8000, 3.0, dtype=np.float32), sample_rate=16000)
    reqs = [Request("t", f"s{i}", (a,), Modality.TEXT) for i, a in enumerate((quiet, loud))]
    out = model.generate(reqs)
    assert [r.sample_id for r in out] == ["s0", "s1"] and all(r.error is None for r in out)
    assert model.describe()["engine"] == "pocketsphinx" and model.describe()["version"] == "5.1.1"
    pcm = np.frombuffer(int16_pcm(np.array([3.0, -3.0, 0.5, -0.25])), dtype="<i2")
    assert pcm.tolist() == [32767, -32767, round(0.5 * 32767), round(-0.25 * 32767)]


def run_asr(tmp_path, spec: str, run_id: str) -> dict:
    args = ["run", "--model", spec, "--tasks", "librivox-asr", "--out", str(tmp_path)]
    assert main([*args, "--run-id", run_id, "--no-progress"]) == 0
    return json.loads((tmp_path / run_id / "results.json").read_text())["tasks"]["librivox-asr"]


def test_whisper_and_pocketsphinx_side_by_side_on_real_recordings(tmp_path):
    whisper = run_asr(tmp_path, "faster-whisper:model=tiny.en", "whisper")
    sphinx = run_asr(tmp_path, "pocketsphinx", "sphinx")
    for task in (whisper, sphinx):
        assert task["integrity"]["ok"] == task["integrity"]["expected"] == 5
    w = whisper["metrics"]["wer@whisper-norm"]["value"]
    p = sphinx["metrics"]["wer@whisper-norm"]["value"]
    # measured: Whisper tiny.en 2.9%, PocketSphinx 25.7% (69 reference words)
    assert w < 10 and 15 < p < 40, (w, p)
    # Whisper hears the corrected sentence word for word; against the upstream typo it would not
    norm = get_normalizer("whisper-english")
    (hyp,) = [
        json.loads(line)
        for line in (tmp_path / "whisper" / "predictions" / "librivox-asr.jsonl").open()
        if json.loads(line)["sample_id"] == TYPO
    ]
    heard = norm(hyp["response"]["text"])
    assert heard == norm(CORRECTIONS[TYPO][1]) != norm(CORRECTIONS[TYPO][0])
