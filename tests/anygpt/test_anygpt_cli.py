"""`anybench run --model anygpt:... --suite anygpt-paper` on the tiny AnyGPT, through the real CLI:
all six evaluations of the paper, each component loaded from its release layout."""

from __future__ import annotations

import json

import pytest

from evals.cli.main import main
from metrics.clap_model import clap_scorer
from metrics.scorers import SCORERS_ENV, transcriber
from tests.anygpt.tiny_anygpt import spec
from tests.coco_data import write_coco
from tests.music_data import write_musiccaps
from tests.speech_data import make_librispeech, make_vctk
from tests.tiny_music import save_tiny_clap
from tests.tiny_vision import save_tiny_open_clip
from tests.tiny_whisper import save_tiny_whisper


@pytest.fixture
def world(tmp_path, monkeypatch):
    scorers = tmp_path / "scorers"
    for seed, hub_id in enumerate(("laion/clap-htsat-unfused", "laion/larger_clap_music")):
        save_tiny_clap(scorers / hub_id, seed=seed)
    save_tiny_open_clip(scorers / "timm" / "vit_large_patch14_clip_224.openai")
    coco = write_coco(tmp_path / "coco", {"test": 4, "val": 3})
    monkeypatch.setenv(SCORERS_ENV, str(scorers))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clap_scorer.cache_clear()
    transcriber.cache_clear()
    yield {
        "scorers": scorers,
        "data": {
            "librispeech-asr": make_librispeech(tmp_path / "LibriSpeech"),
            "vctk-tts-paper": make_vctk(tmp_path / "VCTK-Corpus"),
            "musiccaps-t2m": write_musiccaps(tmp_path / "MusicCaps", 4, missing=[2]),
            "musiccaps-caption": tmp_path / "MusicCaps",
            "coco-caption": coco.root,
            "coco-t2i": coco.root,
        },
    }
    clap_scorer.cache_clear()
    transcriber.cache_clear()


def run(tmp_path, model_spec, data, *which):
    args = [
        "run",
        "--model",
        model_spec,
        *(which or ("--suite", "anygpt-paper")),
        "--out",
        str(tmp_path / "runs"),
        "--run-id",
        "tiny",
        "--no-progress",
        "--bootstrap",
        "200",
    ]
    for task, path in data.items():
        args += ["--data", f"{task}={path}"]
    assert main(args) == 0
    return json.loads((tmp_path / "runs" / "tiny" / "results.json").read_text())


def test_paper_suite_on_tiny_anygpt(tmp_path, tiny_anygpt, world):
    # the tiny LLM learned music prompts of at most 30 frames: cap music input at 0.4 s (20 frames)
    res = run(tmp_path, spec(tiny_anygpt, music_seconds="0.4"), world["data"])
    assert set(res["tasks"]) == {
        "librispeech-asr",
        "vctk-tts-paper",
        "musiccaps-t2m",
        "musiccaps-caption",
        "coco-caption",
        "coco-t2i",
    }

    asr = res["tasks"]["librispeech-asr"]
    assert asr["integrity"]["ok"] == asr["integrity"]["expected"] == 5
    # the tiny model answers "hello world" to every utterance: all 4 reference words are wrong
    assert asr["metrics"]["wer@whisper-norm"]["value"] == pytest.approx(100.0)

    tts = res["tasks"]["vctk-tts-paper"]
    # the paper's selection: one target per speaker (p225, p226); p227 has a single utterance,
    # so no voice prompt: an input error, counted, excluded
    assert tts["integrity"]["input_errors"] == 1 and tts["integrity"]["ok"] == 2
    medium = tts["metrics"]["wer-tts@whisper-medium"]
    assert medium["value"] is None and "ANYBENCH_SCORERS" in medium["unavailable"]
    sim = tts["metrics"]["sim@resemblyzer"]
    assert sim["n"] == 2 and sim["n_excluded"] == 1
    if sim["n_policy"] == sim["n"]:  # no speech in any output: n/a, never a policy value
        assert sim["value"] is None and "failure policy" in sim["unavailable"]
    else:
        assert -1 <= sim["value"] <= 1

    t2m = res["tasks"]["musiccaps-t2m"]
    assert t2m["integrity"]["input_errors"] == 1  # clip 2 is missing
    # music samples its whole distribution (top-p 1.0): a tiny model may stray, counted malformed
    assert (
        t2m["integrity"]["ok"] + t2m["integrity"]["malformed"] == 3 and t2m["integrity"]["ok"] >= 1
    )
    clap = t2m["metrics"]["clap@630k-audioset"]
    assert clap["unavailable"] is None and -1 <= clap["value"] <= 1
    caption = res["tasks"]["musiccaps-caption"]
    assert caption["integrity"]["ok"] == 3

    records = [
        json.loads(x)
        for x in (tmp_path / "runs/tiny/predictions/vctk-tts-paper.jsonl").read_text().splitlines()
    ]
    made = [r for r in records if r["response"]["status"] == "ok"]
    assert all(r["response"]["output"]["artifact"].endswith(".wav") for r in made)
    assert all(r["request"]["voice_prompt"]["duration"] == 3.0 for r in made)
    music = [
        json.loads(x)
        for x in (tmp_path / "runs/tiny/predictions/musiccaps-caption.jsonl")
        .read_text()
        .splitlines()
    ]
    assert {r["response"]["output"]["text"] for r in music if r["response"]["status"] == "ok"} == {
        "calm piano"
    }
    assert (
        res["model"]["describe"]["engine"] == "AnyGPT pipeline"
        and res["decoding"] == "anygpt-paper"
    )


def test_scorer_weights_are_found_under_anybench_scorers(tmp_path, tiny_anygpt, world):
    """A local folder named after the hub id makes the paper's Whisper-medium scorer available."""
    save_tiny_whisper(world["scorers"] / "openai" / "whisper-medium")
    data = {"vctk-tts-paper": world["data"]["vctk-tts-paper"]}
    res = run(tmp_path, spec(tiny_anygpt), data, "--tasks", "vctk-tts-paper", "--limit", "3")
    medium = res["tasks"]["vctk-tts-paper"]["metrics"]["wer-tts@whisper-medium"]
    assert medium["unavailable"] is None and medium["value"] is not None
    assert medium["scorer"]["model"] == str(world["scorers"] / "openai" / "whisper-medium")


def records(run_dir, task) -> dict[str, dict]:
    """Prediction records of `task` by sample id, across every shard's log."""
    out = {}
    for path in sorted((run_dir / "predictions").glob(f"{task}*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            out[r["sample_id"]] = r["response"]
    return out


def test_asr_only_run_loads_only_the_speech_tokenizer(tmp_path, tiny_anygpt, world, monkeypatch):
    from evals.adapters.anygpt import image_codec, speech_modules

    def refuse(*args, **kwargs):
        raise AssertionError("an ASR-only run must not load this component")

    for module, name in (
        (image_codec, "load_seed"),
        (image_codec, "load_unclip"),
        (speech_modules, "load_soundstorm_from"),
    ):
        monkeypatch.setattr(module, name, refuse)
    data = {"librispeech-asr": world["data"]["librispeech-asr"]}
    res = run(tmp_path, spec(tiny_anygpt), data, "--tasks", "librispeech-asr")
    assert res["tasks"]["librispeech-asr"]["integrity"]["ok"] == 5
    model = json.loads((tmp_path / "runs/tiny/model.json").read_text())
    report = json.dumps(model)
    assert '"components_loaded": ["speech_tokenizer"]' in report


def test_broken_seed_folder_fails_only_the_image_tasks(tmp_path, tiny_anygpt, world):
    import shutil

    import torch

    from evals.adapters.anygpt.seed2 import QUANTIZER_FILENAME

    broken = tmp_path / "seed-broken"
    shutil.copytree(tiny_anygpt["image"], broken)
    state = torch.load(broken / QUANTIZER_FILENAME, weights_only=True)
    del state["query_tokens"]
    torch.save(state, broken / QUANTIZER_FILENAME)
    tasks = ("librispeech-asr", "coco-caption", "coco-t2i")
    data = {t: world["data"][t] for t in tasks}
    res = run(tmp_path, spec({**tiny_anygpt, "image": broken}), data, "--tasks", ",".join(tasks))
    asr = res["tasks"]["librispeech-asr"]
    assert asr["integrity"]["ok"] == 5 and asr["metrics"]["wer@whisper-norm"]["value"] is not None
    for task in ("coco-caption", "coco-t2i"):
        responses = records(tmp_path / "runs/tiny", task)
        assert responses and all(r["status"] == "failed" for r in responses.values())
        errors = {r["error"] for r in responses.values()}
        assert len(errors) == 1  # loaded (and failed) once, the same one-line reason for each
        (error,) = errors
        assert error.startswith("SEED-2 image tokenizer could not be loaded: ")
        assert QUANTIZER_FILENAME in error and "query_tokens" in error and "\n" not in error
        assert res["tasks"][task]["integrity"]["ok"] == 0


@pytest.mark.parametrize("task", ["vctk-tts", "coco-t2i"])
def test_two_ranks_give_the_tokens_of_one(tmp_path, tiny_anygpt, world, task, monkeypatch):
    import dataclasses

    from evals import runner
    from evals.adapters.anygpt import decoding
    from evals.registry import MODELS
    from evals.spec import ModelSpec

    # hot sampling, so that the tiny model's tokens depend on each sample's seed
    paper = decoding.PRESETS["anygpt-paper"]
    hot = {
        m: dataclasses.replace(d, temperature=3.0, top_p=1.0, top_k=50, max_new_tokens=20)
        for m, d in paper.by_output.items()
    }
    monkeypatch.setitem(decoding.PRESETS, "anygpt-paper", dataclasses.replace(paper, by_output=hot))

    model = ModelSpec.parse(spec(tiny_anygpt))
    adapter = MODELS.get("anygpt").from_spec(model)
    data = {task: str(world["data"]["vctk-tts-paper" if task == "vctk-tts" else task])}

    def generate(out, shard, batch):
        options = runner.RunOptions(batch_size=batch, progress=False, shard=shard)
        runner.run(model, [task], out, data=data, options=options, adapter=adapter)
        return records(out, task)

    one = generate(tmp_path / "one", runner.Shard(0, 1), 8)
    two: dict = {}
    for i in range(2):
        two.update(generate(tmp_path / "two", runner.Shard(i, 2), 1))
    made = {k: r["token_ids"] for k, r in one.items() if r["token_ids"]}
    assert len(made) >= 3 and len({tuple(t) for t in made.values()}) == len(made)
    assert {k: r["token_ids"] for k, r in two.items() if r["token_ids"]} == made


def test_generations_cut_at_the_token_budget_are_counted_truncated(
    tmp_path, tiny_anygpt, world, monkeypatch
):
    import dataclasses

    from evals import runner
    from evals.adapters.anygpt import decoding
    from evals.spec import ModelSpec
    from evals.types import Modality

    paper = decoding.PRESETS["anygpt-paper"]
    short = {**paper.by_output}
    short[Modality.SPEECH] = dataclasses.replace(short[Modality.SPEECH], max_new_tokens=6)
    monkeypatch.setitem(
        decoding.PRESETS, "anygpt-paper", dataclasses.replace(paper, by_output=short)
    )
    out = tmp_path / "cut"
    data = {"vctk-tts": str(world["data"]["vctk-tts-paper"])}
    runner.run(
        ModelSpec.parse(spec(tiny_anygpt)),
        ["vctk-tts"],
        out,
        data=data,
        options=runner.RunOptions(progress=False),
    )
    assert main(["score", str(out), "--bootstrap", "50"]) == 0
    integrity = json.loads((out / "results.json").read_text())["tasks"]["vctk-tts"]["integrity"]
    made = integrity["expected"] - integrity["input_errors"]
    assert made == 5 and integrity["truncated"] == made
