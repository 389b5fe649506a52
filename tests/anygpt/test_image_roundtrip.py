"""The image tokenizer round trip (SEED-2 + Stable unCLIP) through the CLI, on tiny release layouts."""

from __future__ import annotations

import json

import pytest

from evals.cli.main import main
from metrics.scorers import SCORERS_ENV
from tests.coco_data import write_coco
from tests.tiny_vision import save_tiny_open_clip


@pytest.fixture
def coco_world(tmp_path, monkeypatch):
    save_tiny_open_clip(tmp_path / "scorers" / "timm" / "vit_large_patch14_clip_224.openai")
    monkeypatch.setenv(SCORERS_ENV, str(tmp_path / "scorers"))
    return write_coco(tmp_path / "coco", {"test": 4, "val": 2})


def run(tmp_path, model, run_id, coco):
    args = [
        "run",
        "--model",
        model,
        "--tasks",
        "image-roundtrip",
        "--data",
        f"image-roundtrip={coco.root}",
        "--out",
        str(tmp_path / "runs"),
        "--run-id",
        run_id,
        "--no-progress",
        "--bootstrap",
        "100",
    ]
    assert main(args) == 0
    return json.loads((tmp_path / "runs" / run_id / "results.json").read_text())["tasks"][
        "image-roundtrip"
    ]


def test_seed_unclip_round_trip_scored_by_clip_i(tmp_path, tiny_anygpt_parts, coco_world):
    parts = tiny_anygpt_parts
    model = f"seed-unclip:seed={parts['image']},unclip={parts['unclip']},device=cpu"
    task = run(tmp_path, model, "seed", coco_world)
    assert task["integrity"]["ok"] == task["integrity"]["expected"] == 4  # Karpathy test images
    clip_i = task["metrics"]["clip_i@openai-vit-l-14"]
    assert clip_i["unavailable"] is None and -1 <= clip_i["value"] < 0.999
    lines = (tmp_path / "runs/seed/predictions/image-roundtrip.jsonl").read_text().splitlines()
    assert all(len(json.loads(x)["response"]["token_ids"]) == 32 for x in lines)

    truth = run(tmp_path, "reference", "truth", coco_world)
    # the ground-truth row returns the input image itself: its CLIP-I is 1 by construction
    assert truth["metrics"]["clip_i@openai-vit-l-14"]["value"] == pytest.approx(1.0, abs=1e-5)


def test_seed_unclip_needs_its_tokenizer(capsys, tmp_path):
    # the data are checked first (before any model loads), so give it data to get to the model
    coco = write_coco(tmp_path / "coco", {"test": 2})
    args = ["run", "--model", "seed-unclip", "--tasks", "image-roundtrip", "--no-progress"]
    assert main([*args, "--data", f"image-roundtrip={coco.root}", "--out", str(tmp_path)]) == 2
    assert "needs seed=<SEED-2 tokenizer folder>" in capsys.readouterr().err
