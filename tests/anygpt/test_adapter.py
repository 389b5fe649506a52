"""The `anygpt` adapter end to end on a tiny AnyGPT built in the released folder layouts."""

from __future__ import annotations

import numpy as np
import pytest

from evals.adapters.anygpt.vocab import AnyGPTVocab
from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.types import Audio, Decoding, Image, Modality, Request, Text
from tests.anygpt.tiny_anygpt import CODE_ANSWERS, TEXT_ANSWERS, spec
from tests.fakes import tone


@pytest.fixture(scope="session")
def adapter(tiny_anygpt):
    parsed = ModelSpec.parse(spec(tiny_anygpt))
    return MODELS.get("anygpt").from_spec(parsed)


def speech(seconds: float, freq: float, seed: int = 0) -> Audio:
    return Audio(samples=tone(seconds, freq, 16000, seed), sample_rate=16000)


def req(i, inputs, output, preset="anygpt-paper", seed=0, prompt=None, **overrides) -> Request:
    return Request(
        "t", f"s{i}", tuple(inputs), output, Decoding(preset, seed, overrides), voice_prompt=prompt
    )


def test_loads_released_layout_and_serves_configured_directions(adapter, tiny_anygpt):
    served = {(a.value, b.value) for a, b in adapter.capabilities}
    assert served == {(m, "text") for m in ("speech", "music", "image")} | {
        ("text", m) for m in ("speech", "music", "image")
    }
    no_unclip = {k: v for k, v in tiny_anygpt.items() if k != "unclip"}
    partial = MODELS.get("anygpt").from_spec(ModelSpec.parse(spec(no_unclip)))
    assert "unclip=<" in partial.unavailable_reason((Modality.TEXT, Modality.IMAGE))
    assert partial.unavailable_reason((Modality.IMAGE, Modality.TEXT)) is None
    d = adapter.describe()
    assert d["prompt_style"] == "base" and d["tokenizer_legacy"] is True and d["dtype"] == "float32"


def test_speech_to_text(adapter):
    (r,) = adapter.generate([req(0, [speech(1.0, 300)], Modality.TEXT, num_beams=1)])
    assert r.output == Text(TEXT_ANSWERS[Modality.SPEECH]) and r.malformed is None
    assert r.info["instruction"] == "Analyze the spoken words and transcribe them accurately."
    assert r.info["prompt_tokens"] > 50  # 50 speech tokens per second plus the template
    assert set(r.timings) >= {"tokenize_input", "generate"}


def test_text_to_speech_with_voice_prompt(adapter):
    prompt = speech(3.0, 220, seed=1)
    (r,) = adapter.generate([req(0, [Text("birds sing")], Modality.SPEECH, prompt=prompt)])
    assert r.malformed is None and r.error is None
    assert isinstance(r.output, Audio) and r.output.sample_rate == 16000
    assert r.output.samples.shape == (len(CODE_ANSWERS[Modality.SPEECH]) * 320,)
    assert np.isfinite(r.output.samples).all()


def test_soundstorm_is_seeded_per_sample(adapter):
    prompt = speech(3.0, 220, seed=1)
    a, b, c = (
        adapter.generate([req(0, [Text("birds sing")], Modality.SPEECH, seed=s, prompt=prompt)])[0]
        for s in (5, 5, 6)
    )
    np.testing.assert_array_equal(a.output.samples, b.output.samples)
    assert not np.array_equal(a.output.samples, c.output.samples)  # steps=3 samples: seed matters


def test_music_both_ways(adapter):
    (t2m,) = adapter.generate(
        [req(0, [Text("a dog runs in the park")], Modality.MUSIC, do_sample=False)]
    )
    assert t2m.output.kind is Modality.MUSIC and t2m.output.sample_rate == 32000
    assert t2m.output.samples.shape == (3 * 640,)  # 3 frames at 50 Hz
    clip = Audio(samples=tone(0.4, 440, 32000), sample_rate=32000, kind=Modality.MUSIC)  # 20 frames
    (m2t,) = adapter.generate([req(1, [clip], Modality.TEXT, num_beams=1)])
    assert m2t.output == Text(TEXT_ANSWERS[Modality.MUSIC])
    assert m2t.info["instruction"] == "Listen to the music and describe the mood it evokes."


@pytest.mark.parametrize("beams", [1, 5])
def test_batch_equals_singles_under_search(adapter, beams):
    clips = [speech(0.6 + 0.3 * i, 200 + 90 * i, seed=i) for i in range(3)]
    requests = [req(i, [c], Modality.TEXT, num_beams=beams) for i, c in enumerate(clips)]
    batched = adapter.generate(requests)
    singles = [adapter.generate([q])[0] for q in requests]
    assert [r.token_ids for r in batched] == [r.token_ids for r in singles]
    assert len({len(q.inputs[0].samples) for q in requests}) == 3  # prompts of different lengths


def test_truncated_and_empty_spans_are_counted_not_raised(adapter):
    cut, nothing = adapter.generate(
        [
            req(0, [Text("rain falls on the sea")], Modality.SPEECH, max_new_tokens=6),
            req(1, [Text("rain falls on the sea")], Modality.SPEECH, max_new_tokens=1),
        ]
    )
    assert "no <eosp>" in cut.malformed and cut.output.samples.shape == (5 * 320,)
    assert cut.status.value == "malformed"
    assert nothing.output is None and "nothing to decode" in nothing.malformed
    assert nothing.status.value == "malformed" and nothing.info["parse_issues"]


def test_prompt_ids_carry_the_speech_tokens_in_order(adapter, tiny_anygpt):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_anygpt["llm"])
    vocab = AnyGPTVocab.from_tokenizer(tok)
    clip = speech(0.5, 330)
    semantic = adapter.parts.get("speech_tokenizer").semantic_ids(clip.samples)
    prepared = adapter.prepare(req(0, [clip], Modality.TEXT))
    ids = prepared.prompt_ids
    start = ids.index(vocab.start_id(Modality.SPEECH))
    span = ids[start + 1 : ids.index(vocab.end_id(Modality.SPEECH))]
    assert span == [vocab.code_ids[Modality.SPEECH][v] for v in semantic]
    assert ids[0] == vocab.bos_id and vocab.assistant_id in ids[-3:]  # ... <eoh> [MMGPT]:


def test_missing_component_folder_fails_only_its_requests(tmp_path, tiny_anygpt):
    bad = ModelSpec.parse(spec({**tiny_anygpt, "speech": tmp_path / "nowhere"}))
    model = MODELS.get("anygpt").from_spec(bad)  # nothing but the LLM loads here
    asr, tts, caption = model.generate(
        [
            req(0, [speech(0.5, 300)], Modality.TEXT, num_beams=1),
            req(1, [Text("rain")], Modality.SPEECH),
            req(2, [picture(1)], Modality.TEXT, num_beams=1),
        ]
    )
    for r in (asr, tts):
        assert r.status.value == "failed" and r.error.startswith(
            "AnyGPT SpeechTokenizer could not be loaded: "
        )
        assert "nowhere" in r.error and "\n" not in r.error
    assert caption.output == Text(TEXT_ANSWERS[Modality.IMAGE])
    assert model.report()["components_loaded"] == ["seed"]
    assert model.parts.load_counts == {"speech_tokenizer": 1, "seed": 1}  # a failure is kept


def test_a_hub_id_offline_fails_in_one_line_at_once(tiny_anygpt, monkeypatch):
    import time

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("ANYBENCH_SCORERS", raising=False)
    model = MODELS.get("anygpt").from_spec(
        ModelSpec.parse(spec({**tiny_anygpt, "music": "nobody/no-such-encodec"}))
    )
    t0 = time.perf_counter()
    (r,) = model.generate([req(0, [Text("a calm song")], Modality.MUSIC)])
    assert time.perf_counter() - t0 < 10
    assert r.error.startswith("Encodec 32 kHz music codec could not be loaded: ")
    assert "HF_HUB_OFFLINE" in r.error and "nobody/no-such-encodec" in r.error


def picture(seed: int) -> Image:
    rng = np.random.default_rng(seed)
    return Image(array=(rng.random((40 + seed, 56, 3)) * 255).astype(np.uint8))


def test_image_to_text_through_seed(adapter):
    (r,) = adapter.generate([req(0, [picture(1)], Modality.TEXT, num_beams=1)])
    assert r.output == Text(TEXT_ANSWERS[Modality.IMAGE]) and r.malformed is None
    assert r.info["instruction"] == "Describe the scene in this picture."
    assert r.info["prompt_tokens"] > 32


def test_text_to_image_through_unclip_is_seeded(adapter):
    a, b, c = (
        adapter.generate([req(0, [Text("two red boats")], Modality.IMAGE, seed=s)])[0]
        for s in (1, 1, 2)
    )
    assert a.malformed is None and isinstance(a.output, Image)
    assert a.output.array.dtype == np.uint8 and a.output.array.shape[2] == 3
    np.testing.assert_array_equal(a.output.array, b.output.array)
    assert not np.array_equal(a.output.array, c.output.array)
    assert "detokenize" in a.timings


def test_image_id_count_policy(tiny_anygpt, adapter):
    short = req(0, [Text("two red boats")], Modality.IMAGE, max_new_tokens=10)  # <soim> + 9 ids
    (strict,) = adapter.generate([short])
    assert strict.output is None and "9 codes (expected 32)" in strict.malformed
    fit = MODELS.get("anygpt").from_spec(ModelSpec.parse(spec(tiny_anygpt, image_ids="fit")))
    (fitted,) = fit.generate([short])
    assert isinstance(fitted.output, Image) and fitted.status.value == "malformed"
    assert fitted.info["image_ids_fitted_from"] == 9


def test_chat_checkpoint_gets_the_chat_prompt(tmp_path, tiny_anygpt_parts):
    """A tokenizer with the SFT tokens (<-Res->, <-Ins->) is the chat model: chat template, SFT task prompt."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from tests.anygpt.tiny_tokenizer import tiny_anygpt_tokenizer

    tok = tiny_anygpt_tokenizer(chat=True)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(tmp_path / "chat")
    tok.save_pretrained(tmp_path / "chat")
    chat = MODELS.get("anygpt").from_spec(
        ModelSpec.parse(spec({"llm": tmp_path / "chat", "speech": tiny_anygpt_parts["speech"]}))
    )
    assert chat.describe()["prompt_style"] == "chat"
    prepared = chat.prepare(req(0, [speech(0.4, 300)], Modality.TEXT))
    text = chat.llm.tokenizer.decode(prepared.prompt_ids)
    assert "You are an AI assistant named MMGPT" in text
    assert (
        "Please transcribe the given speech." in text
        and prepared.instruction.source == "Speech-to-Text"
    )
    (r,) = chat.generate([req(0, [speech(0.4, 300)], Modality.TEXT, max_new_tokens=5, num_beams=1)])
    assert r.status.value in (
        "ok",
        "malformed",
        "empty",
    )  # an untrained model: parsed, never raised
