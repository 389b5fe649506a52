"""Caption metrics against pycocoevalcap's own tokenizer and scorers on a generated corpus.

Parity to 1e-9 (on pycocoevalcap's scale) for the corpus values and every per-image value; the
bootstrap's resampled values against pycocoevalcap run on the resampled corpora.
"""

from __future__ import annotations

import numpy as np
import pytest

from evals.registry import METRICS
from metrics.bootstrap import BootstrapSpec, resample_indices
from metrics.caption_corpus import EMPTY_POLICY
from tests.caption_data import caption_record, make_captions, records_for
from tests.coco_reference import coco_score, ptb_tokenize

N_IMAGES = 300
TOL = 1e-9


def coco_scores(hyps: list[str], refs: list[list[str]], names=None) -> dict:
    """COCOEvalCap's steps (PTB tokenizer, then each scorer) without SPICE."""
    gts, res = ptb_tokenize(hyps, refs)
    return {name: coco_score(name, gts, res) for name in names or PRESETS}


PRESETS = ("bleu-1@coco", "bleu-2@coco", "bleu-3@coco", "bleu-4@coco", "meteor@coco")
PRESETS += ("rouge-l@coco", "cider-d@coco")
CORE = ("cider-d@coco", "meteor@coco", "bleu-4@coco", "rouge-l@coco")


@pytest.fixture(scope="module")
def corpus():
    hyps, refs = make_captions(N_IMAGES, seed=3)
    hyps[5] = ""  # an empty caption
    hyps[17] = None  # a missing prediction
    records = records_for(hyps, refs)
    return [h or "" for h in hyps], refs, records


@pytest.fixture(scope="module")
def tokenized(corpus):
    hyps, refs, _ = corpus
    return ptb_tokenize(hyps, refs)


@pytest.fixture(scope="module")
def reference(tokenized):
    return {name: coco_score(name, *tokenized) for name in PRESETS}


@pytest.mark.parametrize("name", PRESETS)
def test_equals_pycocoevalcap(name, corpus, reference):
    _, _, records = corpus
    metric = METRICS.get(name)
    scores = metric.score(records)
    ours = metric.reduce(np.array([s.stat for s in scores])) / 100
    theirs, per_image = reference[name]
    assert abs(ours - theirs) <= TOL, (ours, theirs)
    values = np.array([s.value for s in scores]) / 100
    assert np.abs(values - per_image).max() <= TOL
    assert theirs > 0  # the corpus is not degenerate
    assert scores[17].policy == scores[5].policy == EMPTY_POLICY and scores[6].policy is None
    assert scores[17].value == 0.0 and scores[5].value == 0.0


@pytest.mark.parametrize("name", CORE)
def test_bootstrap_resamples_the_corpus(name, corpus, tokenized):
    """Each resampled value is the metric of the resampled corpus (CIDEr-D: idf recomputed)."""
    records = corpus[2]
    gts, res = tokenized
    metric = METRICS.get(name)
    stats = np.array([s.stat for s in metric.score(records)])
    indices = resample_indices(len(records), BootstrapSpec(resamples=3, seed=11))
    values = metric.reduce_resamples(stats, indices) / 100
    for b, idx in enumerate(indices):
        resampled = ({j: gts[i] for j, i in enumerate(idx)}, {j: res[i] for j, i in enumerate(idx)})
        theirs = coco_score(name, *resampled)[0]
        assert abs(values[b] - theirs) <= TOL, (b, values[b], theirs)
    assert len(set(np.round(values, 9))) == 3  # resamples differ


def test_cider_idf_is_recomputed_per_resample(corpus):
    """Scoring a resample with the full corpus's idf gives a different number (so the test above
    distinguishes recomputed from fixed document frequencies)."""
    records = corpus[2]
    metric = METRICS.get("cider-d@coco")
    stats = np.array([s.stat for s in metric.score(records)])
    idx = resample_indices(len(records), BootstrapSpec(resamples=1, seed=11))
    fixed_idf = stats[idx[0], 2].mean() / 100
    assert abs(metric.reduce_resamples(stats, idx)[0] / 100 - fixed_idf) > 1e-4


def test_leave_one_out_ground_truth(corpus):
    """A ground-truth row returns reference k; it is scored against the other references."""
    _, refs, _ = corpus
    refs = refs[:40]
    held = [i % 5 for i in range(len(refs))]
    records = [
        caption_record(str(i), r, r[k], info={"reference_index": k})
        for i, (r, k) in enumerate(zip(refs, held))
    ]
    hyps = [r[k] for r, k in zip(refs, held)]
    others = [r[:k] + r[k + 1 :] for r, k in zip(refs, held)]
    reference = coco_scores(hyps, others, CORE)
    for name in CORE:
        metric = METRICS.get(name)
        scores = metric.score(records)
        ours = metric.reduce(np.array([s.stat for s in scores])) / 100
        assert abs(ours - reference[name][0]) <= TOL, name
        assert scores[0].details["held_out_reference"] == 0


def test_empty_hypotheses_score_zero_not_dropped():
    records = records_for([None] * 6, make_captions(6, seed=1)[1])
    for name in PRESETS:
        metric = METRICS.get(name)
        scores = metric.score(records)
        assert len(scores) == 6 and all(s.policy == EMPTY_POLICY for s in scores)
        assert metric.reduce(np.array([s.stat for s in scores])) == 0.0


def test_spice_without_corenlp_is_unavailable(monkeypatch, tmp_path):
    from metrics import spice
    from metrics.base import MetricUnavailable

    monkeypatch.setattr(spice, "pycocoevalcap_dir", lambda: tmp_path)
    with pytest.raises(MetricUnavailable, match=r"stanford-corenlp-3\.6\.0"):
        spice.spice_folder()
    out = spice.parse_spice_output(
        [
            {"image_id": 1, "scores": {"All": {"f": 0.25, "pr": 0.5, "re": 0.2}}},
            {"image_id": 0, "scores": {"All": {"f": "NaN", "pr": 0, "re": 0}}},
        ],
        2,
    )
    assert out.tolist() == [0.0, 0.25]


def test_java_missing_says_how_to_install(monkeypatch):
    from metrics import ptb
    from metrics.base import MetricUnavailable

    monkeypatch.setattr(ptb.shutil, "which", lambda name: None)
    with pytest.raises(MetricUnavailable, match="apt-get install default-jre-headless"):
        ptb.tokenize(["a caption"])
