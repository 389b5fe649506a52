"""SPICE through pycocoevalcap's spice-1.0.jar, only where Stanford CoreNLP 3.6.0 is installed.

pycocoevalcap downloads CoreNLP from nlp.stanford.edu the first time SPICE runs; nothing here
downloads. Without the two jars in `pycocoevalcap/spice/lib/` the preset is reported
unavailable, with the command that installs them on a machine with network access. The jar's
input, cache and output files go to a temporary folder and a user cache folder, not into
site-packages.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from metrics.base import MetricUnavailable
from metrics.ptb import java, pycocoevalcap_dir

CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")
CACHE_ENV = "ANYBENCH_SPICE_CACHE"


def spice_folder() -> Path:
    """pycocoevalcap's spice folder, or MetricUnavailable naming the missing CoreNLP jars."""
    folder = pycocoevalcap_dir() / "spice"
    missing = [j for j in CORENLP_JARS if not (folder / "lib" / j).is_file()]
    if missing:
        raise MetricUnavailable(
            f"SPICE needs Stanford CoreNLP 3.6.0 ({', '.join(missing)} missing in {folder / 'lib'}); "
            'on a machine with network access run `python -c "from pycocoevalcap.spice.'
            'get_stanford_models import get_stanford_models; get_stanford_models()"` and copy '
            "the jars there"
        )
    return folder


def parse_spice_output(results: list[dict], n: int) -> np.ndarray:
    """Per-image F-score ("All") from the jar's JSON output, in input order (image_id = index).

    An image without a finite score (the jar's NaN for an empty parse) scores 0.
    """
    values = np.zeros(n)
    for item in results:
        f = item["scores"]["All"]["f"]
        try:
            f = float(f)
        except (TypeError, ValueError):
            f = math.nan
        values[int(item["image_id"])] = f if math.isfinite(f) else 0.0
    return values


def spice_scores(hyps: Sequence[str], refs: Sequence[Sequence[str]]) -> np.ndarray:
    """Per-image SPICE F-scores of tokenized captions."""
    folder = spice_folder()
    cache = Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "anybench" / "spice"))
    cache.mkdir(parents=True, exist_ok=True)
    payload = [
        {"image_id": i, "test": h, "refs": list(r)} for i, (h, r) in enumerate(zip(hyps, refs))
    ]
    with tempfile.TemporaryDirectory(prefix="anybench-spice-") as tmp:
        src, dst = Path(tmp) / "input.json", Path(tmp) / "output.json"
        src.write_text(json.dumps(payload))
        cmd = [java(), "-jar", "-Xmx8G", "spice-1.0.jar", str(src), "-cache", str(cache)]
        proc = subprocess.run(
            [*cmd, "-out", str(dst), "-subset", "-silent"],
            cwd=folder,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0 or not dst.is_file():
            raise RuntimeError(
                f"spice-1.0.jar failed (exit {proc.returncode}): "
                f"{proc.stderr.decode(errors='replace')[-800:]}"
            )
        return parse_spice_output(json.loads(dst.read_text()), len(hyps))
