"""METEOR against pycocoevalcap's meteor-1.5.jar on corpora where captions equal a reference.

The jar's corpus aggregate adds no chunks for a segment matched in full in one chunk
(MeteorStats.addStats); a plain sum of statistics gives a fragmentation penalty instead.
"""

from __future__ import annotations

import numpy as np
import pytest

from evals.registry import METRICS
from metrics.bootstrap import BootstrapSpec, resample_indices
from tests.caption_data import make_captions, records_for
from tests.coco_reference import coco_score, ptb_tokenize

TOL = 1e-9


def jar_meteor(hyps: list[str], refs: list[list[str]]) -> tuple[float, np.ndarray]:
    return coco_score("meteor@coco", *ptb_tokenize(hyps, refs))


def ours(hyps: list[str], refs: list[list[str]]) -> tuple[float, np.ndarray, np.ndarray]:
    metric = METRICS.get("meteor@coco")
    scores = metric.score(records_for(hyps, refs))
    stats = np.array([s.stat for s in scores])
    return metric.reduce(stats) / 100, np.array([s.value for s in scores]) / 100, stats


def mixed_corpus(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    """Every third caption equals one of its references (reference-identical captions)."""
    hyps, refs = make_captions(n, seed=seed)
    for i in range(0, n, 3):
        hyps[i] = refs[i][i % 5]
    return hyps, refs


def test_two_reference_identical_captions():
    refs = [["a man riding a horse on a beach", "a person on a horse"], ["two dogs in the snow"]]
    hyps = [refs[0][0], refs[1][0]]
    theirs, per_image = jar_meteor(hyps, refs)
    value, values, _ = ours(hyps, refs)
    assert abs(value - theirs) <= TOL and theirs > 0.99, (value, theirs)
    assert np.abs(values - per_image).max() <= TOL


@pytest.mark.parametrize("seed", [4, 9])
def test_mixed_corpus_values_and_resamples(seed):
    hyps, refs = mixed_corpus(90, seed)
    theirs, per_image = jar_meteor(hyps, refs)
    value, values, stats = ours(hyps, refs)
    assert abs(value - theirs) <= TOL, (value, theirs)
    assert np.abs(values - per_image).max() <= TOL
    indices = resample_indices(len(hyps), BootstrapSpec(resamples=3, seed=seed))
    resampled = METRICS.get("meteor@coco").reduce_resamples(stats, indices) / 100
    for b, idx in enumerate(indices):
        expected = jar_meteor([hyps[i] for i in idx], [refs[i] for i in idx])[0]
        assert abs(resampled[b] - expected) <= TOL, (b, resampled[b], expected)


def test_disagreement_message_does_not_blame_the_jar_version(monkeypatch):
    from metrics import meteor

    monkeypatch.setattr(meteor, "meteor_from_stats", lambda s: np.zeros(np.shape(s)[:-1]))
    hyps, refs = make_captions(4, seed=2)
    with pytest.raises(RuntimeError) as err:
        ours(hyps, refs)
    assert "version" not in str(err.value) and "validated" not in str(err.value)
    assert "meteor-1.5.jar" in str(err.value)


@pytest.mark.e2e
def test_cli_scores_reference_identical_captions(tmp_path, capsys):
    """`anybench run` on a COCO folder whose captions equal a reference: every caption preset
    scores (METEOR used to abort the whole results.json), METEOR equal to the jar's."""
    import json

    from evals.cli.main import main
    from tests.coco_data import write_coco
    from tests.test_coco_caption_e2e import CORE, official_scores

    fixture = write_coco(tmp_path / "coco", {"test": 6, "val": 2})
    ann_file = fixture.root / "annotations" / "captions_val2014.json"
    anns = json.loads(ann_file.read_text())["annotations"]
    first = {}
    for a in anns:
        first.setdefault(a["image_id"], a["caption"])
    results = [{"image_id": i, "caption": first[i]} for i in fixture.ids["test"]]
    results[-1]["caption"] = "a caption of something else entirely"
    results_file = tmp_path / "captions_results.json"
    results_file.write_text(json.dumps(results))
    code = main(
        ["run", "--model", f"predictions:path={results_file}", "--tasks", "coco-caption",
         "--data", f"coco-caption={fixture.root}", "--out", str(tmp_path / "runs"),
         "--run-id", "r", "--no-progress", "--bootstrap", "50"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    task = json.loads((tmp_path / "runs" / "r" / "results.json").read_text())["tasks"]
    metrics = task["coco-caption"]["metrics"]
    expected = official_scores(ann_file, results, fixture.ids["test"])
    for name in CORE:
        assert abs(metrics[name]["value"] / 100 - expected[name]) <= TOL, name
    assert expected["meteor@coco"] > 0.5


def test_bad_captions_score_by_policy():
    """Punctuation-only, `\\r`, CJK and empty captions and references: nothing raises; a
    caption with no tokens left is counted under the empty-caption policy."""
    from metrics.caption_corpus import EMPTY_POLICY

    hyps, refs = make_captions(8, seed=1)
    hyps[0], hyps[1], hyps[2], hyps[3] = "...", "a dog\rruns\r\n", "猫が座っている", ""
    refs[4] = [*refs[4][:4], ""]
    refs[5] = ["!!!", "..."]
    for name in ("bleu-4@coco", "meteor@coco", "rouge-l@coco", "cider-d@coco"):
        metric = METRICS.get(name)
        scores = metric.score(records_for(hyps, refs))
        assert [s.policy == EMPTY_POLICY for s in scores] == [True, False, False, True] + [
            False
        ] * 4
        assert scores[0].value == scores[3].value == 0.0
        assert np.isfinite(metric.reduce(np.array([s.stat for s in scores])))
