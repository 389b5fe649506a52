"""CLIP formulas on fixed embeddings with negative cosines, against values computed here and
torchmetrics' own `clip_score` run on the same embeddings; CLIP-S / RefCLIP-S end to end on a
tiny seeded open_clip checkpoint against open_clip called directly."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.types import Decoding, Image, Modality, Response, Sample, Text
from metrics.base import stack
from metrics.clip_formulas import FORMULAS, ref_clip_s
from metrics.clip_s import NO_PAIR, ClipS, clip_s_presets
from tests.tiny_vision import draw, save_tiny_open_clip


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.fixture
def embeddings():
    """Images and texts whose cosines are mostly negative, with a positive mean of 100*cos
    over a subset, so clamp-then-mean and mean-then-clamp differ."""
    rng = np.random.default_rng(0)
    images = unit(rng.normal(size=(8, 16)))
    texts = unit(-images + rng.normal(scale=1.2, size=(8, 16)))
    texts[:3] = unit(images[:3] + rng.normal(scale=0.3, size=(3, 16)))
    cos = np.sum(images * texts, axis=1)
    assert (cos < 0).sum() >= 3 and (cos > 0).sum() >= 3
    return images, texts, cos


def torchmetrics_on(images: np.ndarray, texts: np.ndarray, monkeypatch) -> float:
    """torchmetrics.functional.multimodal.clip_score with its feature extractor replaced by the
    given embeddings (it normalizes, takes 100*cos, means, clamps)."""
    import torch
    from torchmetrics.functional.multimodal import clip_score

    import evals  # noqa: F401  (torchvision import hook)

    module = sys.modules["torchmetrics.functional.multimodal.clip_score"]
    feats = {"image": torch.tensor(images), "text": torch.tensor(texts)}
    monkeypatch.setattr(
        module, "_get_clip_model_and_processor", lambda name: (torch.nn.Linear(1, 1), None)
    )
    monkeypatch.setattr(module, "_get_features", lambda data, modality, *a, **k: feats[modality])
    pixels = [torch.zeros(3, 4, 4) for _ in images]
    return float(clip_score(pixels, ["caption"] * len(texts), "unused"))


def test_torchmetrics_clamps_the_mean(embeddings, monkeypatch):
    images, texts, cos = embeddings
    formula = FORMULAS["torchmetrics"]
    for subset in (slice(None), slice(0, 5), slice(3, None)):
        ours = float(formula.reduce(formula.value(cos[subset])))
        theirs = torchmetrics_on(images[subset], texts[subset], monkeypatch)
        assert ours == pytest.approx(theirs, abs=1e-4)
        assert ours == pytest.approx(max(np.mean(100 * cos[subset]), 0.0), abs=1e-9)
    per_sample_clamp = np.mean(100 * np.maximum(cos[:5], 0))
    assert abs(float(formula.reduce(formula.value(cos[:5]))) - per_sample_clamp) > 1.0


def test_clip_s_and_ref_clip_s_by_hand(embeddings):
    _, _, cos = embeddings
    clip_s = FORMULAS["clip-s"].value(cos)
    expected = [2.5 * c if c > 0 else 0.0 for c in cos]
    assert np.allclose(clip_s, expected, atol=1e-12)
    assert float(FORMULAS["clip-s"].reduce(clip_s)) == pytest.approx(np.mean(expected))
    best = np.array([0.8, -0.2, 0.5, 0.0, 0.3, 0.9, -0.7, 0.4])
    for a, b, h in zip(clip_s, best, ref_clip_s(clip_s, best)):
        want = 0.0 if a <= 0 or b <= 0 else 2 * a * b / (a + b)
        assert h == pytest.approx(want, abs=1e-12)


def caption_record(i: int, image, caption: str | None, refs: list[str]) -> PredictionRecord:
    sample = Sample(str(i), (Image(path=str(image)),), tuple(Text(r) for r in refs))
    response = (
        Response(str(i), Text(caption), text=caption)
        if caption is not None
        else Response(str(i), error="failed", error_stage="generate")
    )
    return PredictionRecord("coco-caption", sample, Modality.TEXT, Decoding(), response)


CAPTIONS = ["a red bus on a street", "two cats on a sofa", None, "a bowl of oranges", ""]
REFS = [["a bus", "a red bus"], ["cats sleeping"], ["food"], ["oranges in a bowl", "fruit"], ["x"]]


def test_clip_s_presets_end_to_end(tmp_path, monkeypatch):
    import open_clip
    import torch
    from PIL import Image as PILImage

    folder = tmp_path / "scorers" / "test" / "tiny-clip"
    save_tiny_open_clip(folder)
    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path / "scorers"))
    images = [draw(tmp_path / f"{i}.png", seed=i) for i in range(len(CAPTIONS))]
    records = [caption_record(i, *args) for i, args in enumerate(zip(images, CAPTIONS, REFS))]
    clip_s, ref_s = (
        ClipS(p) for p in clip_s_presets("test/tiny-clip", "tiny", "none", "tiny", True)
    )
    s_scores, r_scores = clip_s.score(records), ref_s.score(records)

    model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{folder}")
    tokenizer = open_clip.get_tokenizer(f"local-dir:{folder}")
    model.eval()
    with torch.no_grad():

        def text(t: list[str]) -> np.ndarray:
            return unit(model.encode_text(tokenizer(t)).numpy().astype(np.float64))

        for k, caption in enumerate(CAPTIONS):
            if not caption:
                assert s_scores[k].policy == r_scores[k].policy == NO_PAIR
                assert s_scores[k].value == r_scores[k].value == 0.0
                continue
            x = preprocess(PILImage.open(images[k]).convert("RGB"))[None]
            img = unit(model.encode_image(x).numpy().astype(np.float64))[0]
            cand = text(["A photo depicts " + caption])[0]
            want_s = 2.5 * max(float(img @ cand), 0.0)
            assert r_scores[k].details["cosine"] == pytest.approx(float(img @ cand), abs=1e-5)
            best_raw = float(np.max(text(REFS[k]) @ cand))
            assert r_scores[k].details["best_reference_cosine"] == pytest.approx(best_raw, abs=1e-5)
            best = max(0.0, best_raw)
            want_r = 0.0 if want_s == 0 or best == 0 else 2 * want_s * best / (want_s + best)
            assert s_scores[k].value == pytest.approx(want_s, abs=1e-5)
            assert r_scores[k].value == pytest.approx(want_r, abs=1e-5)
    assert clip_s.reduce(stack(s_scores)) == pytest.approx(np.mean([s.value for s in s_scores]))


class FixedScorer:
    """A scorer whose embeddings are given: images by path, texts by string."""

    def __init__(self, images: dict, texts: dict):
        self.images, self.texts, self.spec = images, texts, None

    def embed_images(self, pils):
        return np.array([self.images[im.info["key"]] for im in pils])

    def embed_texts(self, texts):
        return np.array([self.texts[t] for t in texts])


def test_ref_clip_s_wiring_with_positive_and_negative_cosines(tmp_path, monkeypatch, embeddings):
    """ClipS on fixed embeddings: the prefix goes on the candidate only, the best reference wins,
    and the clamps fall where the formulas put them."""
    from metrics import clip_s as module

    images, texts, cos = embeddings
    paths = [draw(tmp_path / f"{i}.png", seed=i) for i in range(4)]
    captions = [f"caption {i}" for i in range(4)]
    refs = [[f"ref {i} a", f"ref {i} b"] for i in range(4)]
    text_emb = {"A photo depicts " + c: texts[i] for i, c in enumerate(captions)}
    rng = np.random.default_rng(1)
    for i in range(4):
        text_emb[refs[i][0]] = unit(texts[i] + rng.normal(scale=0.5, size=16))
        text_emb[refs[i][1]] = -texts[i] if i == 2 else unit(rng.normal(size=16))
    keys = {str(p): i for i, p in enumerate(paths)}
    monkeypatch.setattr(
        module, "embed_images", lambda scorer, ims: [images[keys[im.path]] for im in ims]
    )
    monkeypatch.setattr(module, "clip_scorer", lambda spec, device: FixedScorer({}, text_emb))
    records = [caption_record(i, paths[i], captions[i], refs[i]) for i in range(4)]
    clip_s, ref_s = (ClipS(p) for p in clip_s_presets("x", "tiny", "none", "tiny", True))
    for k, (s_score, r_score) in enumerate(zip(clip_s.score(records), ref_s.score(records))):
        want_s = 2.5 * max(cos[k], 0.0)
        best = max(float(text_emb[r] @ texts[k]) for r in refs[k])
        want_r = 0.0 if want_s == 0 or best <= 0 else 2 * want_s * best / (want_s + best)
        assert s_score.value == pytest.approx(want_s, abs=1e-12)
        assert r_score.value == pytest.approx(want_r, abs=1e-12)
    assert any(cos[:4] > 0) and any(cos[:4] < 0)
