"""COCO caption results files read by the predictions adapter (chosen by file shape)."""

from __future__ import annotations

import json

import pytest

from evals.adapters.coco_results import CocoResultsError
from evals.adapters.predictions import PredictionsAdapter, PredictionsOptions
from evals.types import Decoding, Image, Modality, Request, Text


def requests(ids, task="coco-caption"):
    return [Request(task, i, (Image(path="/x.jpg"),), Modality.TEXT, Decoding()) for i in ids]


def test_results_array_is_read_by_image_id(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps([{"image_id": 42, "caption": "a dog"}, {"image_id": 7, "caption": ""}])
    )
    adapter = PredictionsAdapter(PredictionsOptions(path=str(path)))
    out = adapter.generate(requests(["42", "7", "5"]))
    assert out[0].output == Text("a dog") and out[1].output == Text("")
    assert out[2].error == "no prediction for this sample id"
    report = adapter.report()
    assert report["missing_prediction_ids"]["coco-caption"] == {"count": 1, "examples": ["5"]}
    assert report["unmatched_prediction_ids"] == {}


def test_folder_with_task_json(tmp_path):
    (tmp_path / "coco-caption.json").write_text(json.dumps([{"image_id": "9", "caption": "x"}]))
    adapter = PredictionsAdapter(PredictionsOptions(path=str(tmp_path)))
    assert adapter.generate(requests(["9"]))[0].output == Text("x")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([{"image_id": 1}], "entry 0 is not"),
        ([{"caption": "a"}], "entry 0 is not"),
        (
            [{"image_id": 1, "caption": "a"}, {"image_id": 1, "caption": "b"}],
            "more than one caption",
        ),
    ],
)
def test_bad_results_files_name_the_entry(tmp_path, content, message):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(content))
    with pytest.raises(CocoResultsError, match=message) as err:  # read when the model loads
        PredictionsAdapter(PredictionsOptions(path=str(path)))
    assert str(path) in str(err.value)
