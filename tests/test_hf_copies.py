"""Hugging Face copies (parquet, save_to_disk folders) read into the original readers' samples.

Each copy is made here from a small dataset in its original layout, in the published column
layout, so the two readers can be compared sample by sample.
"""

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import soundfile as sf

from evals.datasets.coco import read_coco_captions
from evals.datasets.librispeech import read_librispeech
from evals.datasets.musiccaps import read_musiccaps
from evals.datasets.vctk import read_vctk_tts
from evals.media import load_audio
from evals.progress import expected_total
from evals.task import DataNotFoundError
from evals.types import Audio
from tests.coco_data import write_coco
from tests.music_data import write_musiccaps
from tests.speech_data import make_librispeech, make_vctk


@pytest.fixture(autouse=True)
def media_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ANYBENCH_CACHE", str(tmp_path / "cache"))


def feature(path: str) -> dict:
    """An `Audio`/`Image` feature value as `datasets` stores it: the file's bytes and name."""
    return {"bytes": Path(path).read_bytes(), "path": Path(path).name}


def write_parquet(folder: Path, rows: list[dict]) -> Path:
    """The hub layout: data/<split>-0000n-of-00002.parquet, two shards."""
    (folder / "data").mkdir(parents=True)
    half = len(rows) // 2
    for i, part in enumerate((rows[:half], rows[half:])):
        pq.write_table(
            pa.Table.from_pylist(part), folder / "data" / f"test-0000{i}-of-00002.parquet"
        )
    return folder


def write_save_to_disk(folder: Path, rows: list[dict]) -> Path:
    """What `Dataset.save_to_disk` writes: arrow IPC stream files, state.json, dataset_info.json."""
    folder.mkdir(parents=True)
    table = pa.Table.from_pylist(rows)
    name = "data-00000-of-00001.arrow"
    with pa.OSFile(str(folder / name), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
        for batch in table.to_batches(max_chunksize=2):
            w.write_batch(batch)
    (folder / "state.json").write_text(
        json.dumps({"_data_files": [{"filename": name}], "_split": "test"})
    )
    (folder / "dataset_info.json").write_text(json.dumps({"features": {}}))
    return folder


WRITERS = {
    "parquet-folder": write_parquet,
    "parquet-file": lambda folder, rows: (
        write_parquet(folder, rows) / "data" / "test-00001-of-00002.parquet"
    ),
    "save_to_disk": write_save_to_disk,
}


def same_audio(a: str, b: str) -> bool:
    return np.array_equal(sf.read(a, dtype="float32")[0], sf.read(b, dtype="float32")[0])


@pytest.mark.parametrize("layout", ["parquet-folder", "save_to_disk"])
def test_librispeech_copy_reads_like_the_original(layout, tmp_path):
    original = list(read_librispeech(make_librispeech(tmp_path / "orig")))
    rows = [
        {
            "file": s.metadata["audio"],
            "audio": feature(s.metadata["audio"]),
            "text": s.references[0].text,
            "speaker_id": int(s.metadata["speaker"]),
            "chapter_id": int(s.metadata["chapter"]),
            "id": s.id,
        }
        for s in original
    ]
    folder = WRITERS[layout](tmp_path / "hf", rows)
    copy = list(read_librispeech(folder))
    assert [s.id for s in copy] == [s.id for s in original]
    assert expected_total(read_librispeech, str(folder), None) == len(rows)  # progress total
    for a, b in zip(original, copy):
        assert a.references == b.references
        assert {**a.metadata, "audio": None} == {**b.metadata, "audio": None}
        assert same_audio(a.inputs[0].path, b.inputs[0].path)


def test_one_parquet_file(tmp_path):
    original = list(read_librispeech(make_librispeech(tmp_path / "orig")))
    rows = [{"id": s.id, "audio": feature(s.metadata["audio"]), "text": "x"} for s in original]
    copy = list(read_librispeech(WRITERS["parquet-file"](tmp_path / "hf", rows)))
    assert [s.id for s in copy] == [s.id for s in original[len(original) // 2 :]]
    # no speaker/chapter columns: taken from the id
    assert all(s.metadata["speaker"] == s.id.split("-")[0] for s in copy)
    assert all(s.metadata["chapter"] == s.id.split("-")[1] for s in copy)


@pytest.mark.parametrize("layout", ["parquet-folder", "save_to_disk"])
def test_vctk_copy_keeps_the_voice_prompt_rule(layout, tmp_path):
    original = list(read_vctk_tts(make_vctk(tmp_path / "orig")))
    rows = []
    for s in original:
        speaker, text_id = s.id.split("_")
        rows.append(
            {
                "speaker_id": speaker,
                "audio": feature(s.metadata["audio"]),
                "file": Path(s.metadata["audio"]).name,
                "text": s.inputs[0].text,
                "text_id": text_id,
            }
        )
    rows.insert(1, {**rows[0], "file": rows[0]["file"].replace("mic1", "mic2")})  # skipped
    copy = list(read_vctk_tts(WRITERS[layout](tmp_path / "hf", rows)))
    assert [s.id for s in copy] == [s.id for s in original]
    for a, b in zip(original, copy):
        assert a.inputs == b.inputs and a.metadata.get("prompt_id") == b.metadata.get("prompt_id")
        if "prompt_audio" in a.metadata:
            assert same_audio(a.metadata["prompt_audio"], b.metadata["prompt_audio"])


@pytest.mark.parametrize("layout", ["parquet-folder", "save_to_disk"])
def test_coco_karpathy_copy_with_image_bytes(layout, tmp_path):
    fixture = write_coco(tmp_path / "orig")
    original = list(read_coco_captions(fixture.root))
    rows = [
        {
            "cocoid": s.metadata["image_id"],
            "sentences": [r.text for r in s.references],
            "image": feature(s.metadata["image"]),
            "split": "test",
        }
        for s in original
    ]
    rows.append({**rows[0], "cocoid": 999999, "split": "train"})
    copy = list(read_coco_captions(WRITERS[layout](tmp_path / "hf", rows)))
    assert [s.id for s in copy] == [s.id for s in original]
    for a, b in zip(original, copy):
        assert a.references == b.references
        assert Path(a.inputs[0].path).read_bytes() == Path(b.inputs[0].path).read_bytes()


@pytest.mark.parametrize("layout", ["parquet-folder", "save_to_disk"])
def test_musiccaps_copy_with_and_without_clips(layout, tmp_path):
    root = write_musiccaps(tmp_path / "orig", 4, rate=8000, missing=[2])
    original = list(read_musiccaps(root, input="music"))
    with open(root / "musiccaps-public.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        clip = root / "audio" / f"{row['ytid']}.wav"
        row.update(
            start_s=float(row["start_s"]),
            end_s=float(row["end_s"]),
            aspect_list=["calm", "piano"],
            is_balanced_subset=row["is_balanced_subset"] == "True",
            is_audioset_eval=row["is_audioset_eval"] == "True",
            audio=feature(str(clip)) if clip.is_file() else None,
        )
    copy = list(read_musiccaps(WRITERS[layout](tmp_path / "hf", rows), input="music"))
    assert [s.id for s in copy] == [s.id for s in original]
    for a, b in zip(original, copy):
        keep = ("aspects", "start_s", "is_audioset_eval", "clip_source", "clip_offset")
        assert {k: a.metadata[k] for k in keep} == {k: b.metadata[k] for k in keep}
        assert (a.metadata["problem"] is None) == (b.metadata["problem"] is None)
        if a.metadata["problem"] is None:
            assert same_audio(a.metadata["audio"], b.metadata["audio"])
    assert "not found" in copy[2].metadata["problem"]


def test_missing_column_names_the_file_and_the_columns(tmp_path):
    rows = [{"id": "1-2-3", "audio": {"bytes": b"RIFF", "path": "a.wav"}}]
    folder = write_parquet(tmp_path / "hf", rows * 2)
    with pytest.raises(DataNotFoundError) as err:
        list(read_librispeech(folder))
    message = str(err.value)
    assert "lacks column(s) text" in message and "test-00000-of-00002.parquet" in message
    assert "it has: id, audio" in message


def test_a_dataset_dict_folder_asks_for_one_split(tmp_path):
    write_save_to_disk(tmp_path / "dd" / "test", [{"id": "a", "text": "b"}])
    (tmp_path / "dd" / "dataset_dict.json").write_text('{"splits": ["test"]}')
    with pytest.raises(DataNotFoundError, match=r"point at one split folder \(test\)"):
        list(read_librispeech(tmp_path / "dd"))


def test_cli_run_over_a_parquet_copy(tmp_path, capsys):
    from evals.cli.main import main
    from tests.fakes import words_for

    split = make_librispeech(tmp_path / "orig")
    rows = []
    for s in read_librispeech(split):
        samples = load_audio(Audio(path=s.metadata["audio"]), 16000)[0]
        rows.append({"id": s.id, "audio": feature(s.metadata["audio"]), "text": words_for(samples)})
    copy = write_parquet(tmp_path / "hf", rows)
    run = ["run", "--model", "test-echo", "--tasks", "librispeech-asr", "--bootstrap", "20"]
    out = ["--out", str(tmp_path / "runs"), "--run-id", "r", "--metrics", "wer@basic"]
    code = main([*run, *out, "--data", f"librispeech-asr={copy}"])
    assert code == 0, capsys.readouterr().err
    res = json.loads((tmp_path / "runs" / "r" / "results.json").read_text())["tasks"][
        "librispeech-asr"
    ]
    assert res["integrity"]["ok"] == len(rows) and res["metrics"]["wer@basic"]["value"] == 0.0
