"""Captioner (BLIP, LLaVA-style) and diffusers text-to-image adapters, end to end on tiny seeded
checkpoints saved in their official layouts and loaded back by path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evals.cli.main import main
from evals.media import materialize_image
from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.types import Decoding, Image, Modality, Request, Text
from tests.tiny_generators import save_tiny_blip, save_tiny_llava, save_tiny_stable_diffusion
from tests.tiny_vision import draw

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("imgs")
    return [draw(root / f"{i}.png", seed=i) for i in range(3)]


def caption_requests(images, overrides=None):
    return [
        Request("t", str(i), (materialize_image(Image(path=str(p))),), Modality.TEXT,
                Decoding("default", i, overrides or {}))
        for i, p in enumerate(images)
    ]  # fmt: skip


def adapter(spec: str):
    return MODELS.get(ModelSpec.parse(spec).name).from_spec(ModelSpec.parse(spec))


def test_blip_captions_equal_direct_generate_and_run_end_to_end(tmp_path, images, capsys):
    import torch
    from PIL import Image as PILImage
    from transformers import BlipForConditionalGeneration, BlipProcessor

    folder = save_tiny_blip(tmp_path / "blip")
    model = adapter(f"hf-captioner:model={folder},device=cpu")
    batched = [r.output.text for r in model.generate(caption_requests(images))]
    single = [model.generate([r])[0].output.text for r in caption_requests(images)]
    assert batched == single and len(set(batched)) == 3 and all(batched)

    direct_model = BlipForConditionalGeneration.from_pretrained(folder).eval()
    processor = BlipProcessor.from_pretrained(folder)
    pixels = [PILImage.open(p).convert("RGB") for p in images]
    with torch.no_grad():
        out = direct_model.generate(
            **processor(images=pixels, return_tensors="pt"), num_beams=3, max_new_tokens=30
        )
    assert batched == [t.strip() for t in processor.batch_decode(out, skip_special_tokens=True)]

    prompted = adapter(f"hf-captioner:model={folder},device=cpu,prompt=a picture of")
    captions = [r.output.text for r in prompted.generate(caption_requests(images))]
    assert all(c and not c.startswith("a picture of") for c in captions)
    assert prompted.describe()["class"] == "BlipForConditionalGeneration"

    # through the CLI on a captioning manifest, scored
    manifest = tmp_path / "caps.jsonl"
    rows = [
        {"id": str(i), "image": str(p), "captions": ["a dog on a table", "a red bus"]}
        for i, p in enumerate(images)
    ]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code = main(
        ["run", "--model", f"hf-captioner:model={folder},device=cpu", "--tasks", "manifest-caption",
         "--data", f"manifest-caption={manifest}", "--out", str(tmp_path / "runs"), "--run-id", "b",
         "--no-progress", "--batch-size", "2", "--metrics", "cider-d@coco,bleu-4@coco", "--bootstrap", "20"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    result = json.loads((tmp_path / "runs" / "b" / "results.json").read_text())
    task = result["tasks"]["manifest-caption"]
    assert task["integrity"]["ok"] == 3 and task["metrics"]["cider-d@coco"]["value"] is not None
    logged = [
        json.loads(x)["response"]["text"]
        for x in (tmp_path / "runs" / "b" / "predictions" / "manifest-caption.jsonl").open()
    ]
    assert sorted(logged) == sorted(batched)


def test_llava_style_chat_template_and_left_padding(tmp_path, images):
    folder = save_tiny_llava(tmp_path / "llava")
    model = adapter(f"hf-captioner:model={folder},device=cpu,prompt=describe the image.")
    assert model.text.startswith("USER: <image>") and model.text.endswith("ASSISTANT:")
    requests = caption_requests(images, {"min_new_tokens": 4, "num_beams": 1})
    batched = [r.output.text for r in model.generate(requests)]
    single = [model.generate([r])[0].output.text for r in requests]
    assert batched == single
    assert all(c and "USER" not in c and "describe" not in c for c in batched)


def test_diffusers_pipeline_seeded_per_sample(tmp_path, capsys):
    folder = save_tiny_stable_diffusion(tmp_path / "sd")
    spec = f"diffusers-t2i:model={folder},device=cpu,steps=2,height=16,width=16"
    model = adapter(spec)
    prompts = ["a red bus on a street", "two cats", "a bowl of oranges on a table"]
    requests = [
        Request("t", str(i), (Text(p),), Modality.IMAGE, Decoding("default", 100 + i))
        for i, p in enumerate(prompts)
    ]
    batched = [r.output.array for r in model.generate(requests)]
    single = [model.generate([r])[0].output.array for r in requests]
    for a, b in zip(batched, single):
        assert a.shape == (16, 16, 3) and a.dtype == np.uint8
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1  # batch-independent
    reseeded = model.generate(
        [Request("t", "0", (Text(prompts[0]),), Modality.IMAGE, Decoding("default", 7))]
    )
    assert np.abs(reseeded[0].output.array.astype(int) - batched[0].astype(int)).max() > 10
    assert model.describe()["pipeline"] == "StableDiffusionPipeline"

    manifest = tmp_path / "t2i.jsonl"
    manifest.write_text(
        "".join(json.dumps({"id": str(i), "text": p}) + "\n" for i, p in enumerate(prompts[:2]))
    )
    code = main(
        ["run", "--model", spec, "--tasks", "manifest-t2i", "--data", f"manifest-t2i={manifest}",
         "--out", str(tmp_path / "runs"), "--run-id", "sd", "--no-progress", "--no-score"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    lines = [
        json.loads(x)
        for x in (tmp_path / "runs" / "sd" / "predictions" / "manifest-t2i.jsonl").open()
    ]
    assert all(x["response"]["status"] == "ok" for x in lines)
    for x in lines:
        artifact = tmp_path / "runs" / "sd" / "artifacts" / x["response"]["output"]["artifact"]
        assert artifact.suffix == ".png" and artifact.is_file()
