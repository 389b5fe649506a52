"""COCO readers (Karpathy captioning split, seeded text-to-image draw), JSON streaming, manifests."""

from __future__ import annotations

import json
import os
import random

import pytest

from evals.datasets import json_stream
from evals.datasets.coco import read_coco_captions, read_coco_t2i
from evals.datasets.image_manifest import read_caption_manifest, read_t2i_manifest
from evals.datasets.manifest import ManifestError
from evals.registry import TASKS
from evals.task import DataNotFoundError
from evals.types import Image, Text
from tests.coco_data import write_coco


@pytest.fixture(scope="module")
def coco(tmp_path_factory):
    return write_coco(tmp_path_factory.mktemp("coco"))


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_iter_array_streams_any_chunking(tmp_path, monkeypatch, chunk):
    data = {
        "info": {"nested": [1, 2, {"x": "y]"}]},
        "images": [{"id": i, "caption": f'a "quoted" {i}, [with] brackets'} for i in range(50)]
        + [123456789, -1.5e-3, "tail"],
        "after": 1,
    }
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data, indent=1))
    monkeypatch.setattr(json_stream, "CHUNK", chunk)
    assert list(json_stream.iter_array(path, "images")) == data["images"]
    with pytest.raises(json_stream.JSONLayoutError, match="no top-level 'missing' array"):
        list(json_stream.iter_array(path, "missing"))
    path.write_text('{"images": [{"id": 1}, {"id": ')
    with pytest.raises(json_stream.JSONLayoutError, match="not valid JSON"):
        list(json_stream.iter_array(path, "images"))


def test_karpathy_test_split_with_annotation_captions(coco):
    samples = list(read_coco_captions(coco.root))
    assert [s.id for s in samples] == [str(i) for i in coco.ids["test"]]
    first = samples[1]
    assert [p.text for p in first.references] == coco.captions[coco.ids["test"][1]]
    assert len(first.references) == 6  # the image with a sixth caption keeps it
    assert isinstance(first.inputs[0], Image)
    assert first.metadata["references_from"] == "captions_val2014.json"
    assert all(os.path.isfile(s.inputs[0].path) for s in samples)
    val = list(read_coco_captions(coco.root, split="val"))
    assert [s.id for s in val] == [str(i) for i in coco.ids["val"]]


def test_karpathy_sentences_when_annotations_absent(tmp_path):
    fixture = write_coco(tmp_path / "coco", {"test": 3})
    (fixture.root / "annotations" / "captions_val2014.json").unlink()
    samples = list(read_coco_captions(fixture.root))
    assert samples[0].metadata["references_from"] == "dataset_coco.json"
    assert [p.text for p in samples[0].references] == [
        c.strip() for c in fixture.captions[fixture.ids["test"][0]]
    ]


def test_missing_data_names_path_and_layout(tmp_path):
    with pytest.raises(DataNotFoundError, match="does not exist") as err:
        list(read_coco_captions(tmp_path / "nowhere"))
    assert "captions_val2014.json" in str(err.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataNotFoundError, match="no Karpathy split file") as err:
        list(read_coco_captions(tmp_path / "empty"))
    assert str(tmp_path / "empty" / "dataset_coco.json") in str(err.value)
    with pytest.raises(DataNotFoundError, match=r"captions_val2014\.json does not exist"):
        list(read_coco_t2i(tmp_path / "empty"))


def test_t2i_draw_is_seeded_recorded_and_order_free(coco, tmp_path):
    drawn = list(read_coco_t2i(coco.root, n=6, seed=3))
    assert len(drawn) == 6 and [s.id for s in drawn] == sorted(s.id for s in drawn)
    for s in drawn:
        caption = s.inputs[0].text
        assert caption in [c.strip() for c in coco.captions[int(s.id)]]
        assert s.references[0] == Text(caption) and isinstance(s.references[1], Image)
        assert s.metadata["draw"] == {"n": 6, "seed": 3, "drawn": 6, "rule": "sha256 min-key"}
        assert isinstance(s.metadata["annotation_id"], int)
    again = list(read_coco_t2i(coco.root, n=6, seed=3))
    assert [(s.id, s.inputs[0].text) for s in again] == [(s.id, s.inputs[0].text) for s in drawn]
    other_seed = list(read_coco_t2i(coco.root, n=6, seed=4))
    assert [(s.id, s.inputs) for s in other_seed] != [(s.id, s.inputs) for s in drawn]
    # the same files in another order give the same draw
    data = json.loads((coco.root / "annotations" / "captions_val2014.json").read_text())
    random.Random(0).shuffle(data["images"])
    random.Random(1).shuffle(data["annotations"])
    shuffled = tmp_path / "shuffled"
    (shuffled / "annotations").mkdir(parents=True)
    (shuffled / "annotations" / "captions_val2014.json").write_text(json.dumps(data))
    moved = list(read_coco_t2i(shuffled, n=6, seed=3))
    assert [(s.id, s.inputs[0].text) for s in moved] == [(s.id, s.inputs[0].text) for s in drawn]
    assert len(list(read_coco_t2i(coco.root, n=1000))) == sum(len(v) for v in coco.ids.values())


def test_limit_draws_the_same_subset(coco):
    task = TASKS.get("coco-caption")
    first = [s.id for s in task.samples(coco.root, limit=5, seed=0)]
    assert first == [s.id for s in task.samples(coco.root, limit=5, seed=0)]
    assert len(first) == 5 and set(first) <= {str(i) for i in coco.ids["test"]}


def test_image_manifests(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"")
    rows = [
        {"id": "1", "image": "a.jpg", "captions": ["a cat", "a small cat"], "source": "x"},
        {"id": "2", "image": "a.jpg", "text": "one caption"},
    ]
    path = tmp_path / "cap.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    samples = list(read_caption_manifest(path))
    assert [len(s.references) for s in samples] == [2, 1]
    assert samples[0].inputs[0].path == str((tmp_path / "a.jpg").resolve())
    assert samples[0].metadata["source"] == "x"
    path.write_text(json.dumps({"id": "3", "image": "a.jpg", "captions": []}) + "\n")
    with pytest.raises(ManifestError, match="needs `captions`"):
        list(read_caption_manifest(path))
    t2i = tmp_path / "t2i.jsonl"
    t2i.write_text(
        json.dumps({"id": "1", "text": "a red bus"}) + "\n"
        + json.dumps({"id": "2", "text": "a dog", "image": "a.jpg"}) + "\n"
    )  # fmt: skip
    samples = list(read_t2i_manifest(t2i))
    assert [len(s.references) for s in samples] == [1, 2]
    assert samples[0].inputs == (Text("a red bus"),)
