"""`anybench run` on a COCO-layout folder: an official-format results file is scored exactly as
pycocoevalcap's COCOEvalCap steps score it (pycocotools loading, PTB tokenizer, each scorer)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.cli.main import main
from tests.caption_data import make_captions
from tests.coco_data import write_coco
from tests.coco_reference import coco_score, ptb_tokenize

pytestmark = pytest.mark.e2e
CORE = ("bleu-1@coco", "bleu-2@coco", "bleu-3@coco", "bleu-4@coco", "meteor@coco")
CORE += ("rouge-l@coco", "cider-d@coco")


def official_scores(ann_file, results, image_ids) -> dict:
    """COCOEvalCap.evaluate's steps on the files (without SPICE, which would download)."""
    from pycocotools.coco import COCO

    coco = COCO(str(ann_file))
    coco_res = coco.loadRes(results)
    refs = [[a["caption"] for a in coco.imgToAnns[i]] for i in image_ids]
    hyps = [coco_res.imgToAnns[i][0]["caption"] for i in image_ids]
    gts, res = ptb_tokenize(hyps, refs)
    return {name: coco_score(name, gts, res)[0] for name in CORE}


def test_coco_results_file_reproduces_pycocoevalcap(tmp_path, capsys):
    fixture = write_coco(tmp_path / "coco", {"test": 14, "val": 3})
    test_ids = fixture.ids["test"]
    hyps, _ = make_captions(len(test_ids), seed=9)
    missing = test_ids[4]
    results = [{"image_id": i, "caption": h} for i, h in zip(test_ids, hyps) if i != missing] + [
        {"image_id": 999999, "caption": "an image that is not in the annotations"}
    ]
    results_file = tmp_path / "captions_results.json"
    results_file.write_text(json.dumps(results))

    code = main(
        ["run", "--model", f"predictions:path={results_file}", "--tasks", "coco-caption",
         "--data", f"coco-caption={fixture.root}", "--out", str(tmp_path / "runs"),
         "--run-id", "r", "--no-progress", "--bootstrap", "200"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = tmp_path / "runs" / "r"
    task = json.loads((run / "results.json").read_text())["tasks"]["coco-caption"]

    # the official computation, with the missing prediction as the empty caption (our policy)
    known = [r for r in results if r["image_id"] in set(test_ids)]
    known.append({"image_id": missing, "caption": ""})
    expected = official_scores(
        fixture.root / "annotations" / "captions_val2014.json", known, test_ids
    )
    for name in CORE:
        got = task["metrics"][name]
        assert abs(got["value"] / 100 - expected[name]) <= 1e-9, name
        assert got["ci_low"] <= got["value"] <= got["ci_high"] and got["ci_low"] < got["ci_high"]
        assert got["n"] == len(test_ids) and got["n_policy"] == 1
    assert next(iter(task["metrics"])) == "cider-d@coco"
    assert task["metrics"]["spice@coco"]["value"] is None
    assert "stanford-corenlp-3.6.0" in task["metrics"]["spice@coco"]["unavailable"]
    assert task["integrity"]["failed"] == 1
    assert task["integrity"]["examples"][0]["sample_id"] == str(missing)
    report = json.loads((run / "model.json").read_text())["report"]
    assert "999999" in report["unmatched_prediction_ids"]["coco-caption"]["examples"]
    assert report["missing_prediction_ids"]["coco-caption"]["examples"] == [str(missing)]


def test_ground_truth_row_and_corrupt_image(tmp_path, capsys):
    """The reference model scores a held-out human caption against the others; a corrupt image
    fails its own sample only (an input error: counted, left out of every metric)."""
    fixture = write_coco(tmp_path / "coco", {"test": 8})
    broken = fixture.ids["test"][2]
    (fixture.root / "val2014" / f"COCO_val2014_{broken:012d}.jpg").write_bytes(b"not a jpeg")
    code = main(
        ["run", "--model", "reference:index=1", "--tasks", "coco-caption",
         "--data", f"coco-caption={fixture.root}", "--out", str(tmp_path / "runs"),
         "--run-id", "gt", "--no-progress", "--bootstrap", "50",
         "--metrics", "cider-d@coco,bleu-4@coco"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    task = json.loads((tmp_path / "runs" / "gt" / "results.json").read_text())["tasks"]
    task = task["coco-caption"]
    assert task["integrity"]["input_errors"] == 1
    assert task["integrity"]["examples"][0]["sample_id"] == str(broken)
    ids = [i for i in fixture.ids["test"] if i != broken]
    hyps = [fixture.captions[i][1] for i in ids]
    others = [fixture.captions[i][:1] + fixture.captions[i][2:] for i in ids]
    gts, res = ptb_tokenize(hyps, others)
    for name in ("cider-d@coco", "bleu-4@coco"):
        assert abs(task["metrics"][name]["value"] / 100 - coco_score(name, gts, res)[0]) <= 1e-9
        assert task["metrics"][name]["n_excluded"] == 1 and task["metrics"][name]["n"] == len(ids)
    scores = [
        json.loads(line)
        for line in (tmp_path / "runs" / "gt" / "scores" / "coco-caption.jsonl").open()
    ]
    held = [
        s["metrics"].get("cider-d@coco", {}).get("details", {}).get("held_out_reference")
        for s in scores
    ]
    assert held.count(1) == len(ids)
    assert [s["sample_id"] for s in scores if "excluded" in s] == [str(broken)]
    assert np.isfinite(task["metrics"]["cider-d@coco"]["value"])
