"""The gate compares CIDEr-D runs in a fresh process (its statistics need their corpus rebuilt)."""

import json
import subprocess
import sys

from evals.cli.main import main
from tests.coco_data import write_coco


def test_gate_on_caption_runs_in_a_new_process(tmp_path):
    fx = write_coco(tmp_path / "coco", {"test": 20})
    ids = fx.ids["test"]
    for name, worse in (("base", False), ("cand", True)):
        # the candidate says "a photo" for every image: a real CIDEr-D regression
        preds = [{"image_id": i, "caption": "a photo" if worse else fx.captions[i][0]} for i in ids]
        (tmp_path / f"{name}.json").write_text(json.dumps(preds))
        assert (
            main(
                [
                    "run",
                    "--model",
                    f"predictions:path={tmp_path / name}.json",
                    "--tasks",
                    "coco-caption",
                    "--data",
                    f"coco-caption={fx.root}",
                    "--out",
                    str(tmp_path / "runs"),
                    "--run-id",
                    name,
                    "--no-progress",
                    "--metrics",
                    "cider-d@coco",
                    "--bootstrap",
                    "50",
                ]
            )
            == 0
        )
    gate = subprocess.run(
        [sys.executable, "-m", "evals.cli.main", "gate", "--baseline", str(tmp_path / "runs/base"),
         "--candidate", str(tmp_path / "runs/cand")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert gate.returncode == 1, gate.stdout + gate.stderr
    assert "coco-caption cider-d@coco: significant regression" in gate.stdout
    assert "Traceback" not in gate.stderr
