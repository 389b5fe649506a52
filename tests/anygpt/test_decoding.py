"""AnyGPT decoding presets: repo configs, paper settings, GenerationConfig kwargs and stop ids."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from transformers import GenerationConfig

from evals.adapters.anygpt.decoding import (
    PRESETS,
    ModalityDecoding,
    generation_plan,
    get_preset,
    resolve,
    stop_token_ids,
)
from evals.adapters.seeded_sampling import SeededSampler
from evals.types import Modality

CONFIG_FILE = {
    Modality.TEXT: "text_generate_config.json",
    Modality.IMAGE: "image_generate_config.json",
    Modality.SPEECH: "speech_generate_config.json",
    Modality.MUSIC: "music_generate_config.json",
}
GENERATION_CONFIG_434_DEFAULTS = {"top_k": 50, "num_beams": 1, "repetition_penalty": 1.0}


def _as_repo_config(settings: ModalityDecoding, json_config: dict) -> dict:
    """The preset's settings restricted to the keys of a config file."""
    return {key: getattr(settings, key) for key in json_config if key != "vc_steps"}


def test_repo_preset_is_the_released_configs(prompts_golden):
    configs = prompts_golden["generation_configs"]
    preset = get_preset("anygpt-repo")
    assert set(preset.by_output) == set(CONFIG_FILE)
    for output, name in CONFIG_FILE.items():
        settings = preset.by_output[output]
        released = {k: v for k, v in configs[name].items() if k != "vc_steps"}
        assert _as_repo_config(settings, released) == released
        for key, default in GENERATION_CONFIG_434_DEFAULTS.items():
            if key not in released:
                assert getattr(settings, key) == default
    assert preset.soundstorm_steps == configs["generate_config.json"]["vc_steps"] == 3
    assert configs["speech_generate_config.json"]["vc_steps"] == 4  # never read by the CLI
    assert not preset.stop_at_end_tag and not preset.enforce_min_new_tokens


def test_repo_chat_preset_uses_generate_config_for_text(prompts_golden):
    released = dict(prompts_golden["generation_configs"]["generate_config.json"])
    released.pop("vc_steps")
    chat = get_preset("anygpt-repo-chat")
    assert _as_repo_config(chat.by_output[Modality.TEXT], released) == released
    assert chat.by_output[Modality.MUSIC] == get_preset("anygpt-repo").by_output[Modality.MUSIC]


def test_paper_preset_is_table_9():
    paper = get_preset("anygpt-paper").by_output
    assert (paper[Modality.TEXT].do_sample, paper[Modality.TEXT].num_beams) == (False, 5)
    for output in (Modality.IMAGE, Modality.SPEECH):
        assert (paper[output].do_sample, paper[output].top_p) == (True, 0.7)
        assert paper[output].repetition_penalty == 1.0
    music = paper[Modality.MUSIC]
    assert (music.do_sample, music.top_p, music.repetition_penalty) == (True, 1.0, 1.15)
    repo = get_preset("anygpt-repo").by_output
    for output in (Modality.IMAGE, Modality.SPEECH, Modality.MUSIC):
        assert paper[output].max_new_tokens == repo[output].max_new_tokens
    # text: room for the longest LibriSpeech test-clean transcript (~100 words) twice over
    assert paper[Modality.TEXT].max_new_tokens >= 2 * 1.5 * 100 > repo[Modality.TEXT].max_new_tokens


def test_paper_music_top_k_is_the_released_configs(prompts_golden):
    """Table 9 names no top-k for music: the released music config's value, said in the source."""
    released = prompts_golden["generation_configs"]["music_generate_config.json"]["top_k"]
    paper = get_preset("anygpt-paper")
    assert paper.by_output[Modality.MUSIC].top_k == released == 200
    assert "music top-k 200" in paper.source


def test_plan_kwargs_are_complete_and_valid(vocab):
    for preset in PRESETS.values():
        for output in preset.by_output:
            plan = generation_plan(preset, output, vocab)
            config = GenerationConfig(**plan.config_kwargs)
            config.validate(strict=True)
            settings = preset.by_output[output]
            assert config.eos_token_id == [vocab.eos_id] == [2] == list(plan.stop_ids)
            assert config.min_new_tokens == 0  # the reference never enforced min_new_tokens
            assert plan.max_new_tokens == settings.max_new_tokens
            # sampling is drawn by the per-request seeded sampler; transformers only takes argmax
            assert (
                config.do_sample
                == plan.beam_sampling
                == (settings.num_beams > 1 and settings.do_sample)
            )
            if settings.do_sample and settings.num_beams == 1:
                assert plan.sampler.top_k == settings.top_k and config.top_k is None
                assert plan.sampler.top_p == settings.top_p
            else:
                assert plan.sampler is None and config.num_beams == settings.num_beams
            assert (config.pad_token_id, config.bos_token_id) == (vocab.pad_id, vocab.bos_id)


def test_stopping_at_the_end_tag_uses_ids_from_the_vocab(vocab):
    preset = dataclasses.replace(get_preset("anygpt-repo"), stop_at_end_tag=True)
    base = vocab.user_id
    assert stop_token_ids(preset, Modality.TEXT, vocab) == [2, base + 3]
    assert stop_token_ids(preset, Modality.IMAGE, vocab) == [2, base + 8197, base + 3]
    assert stop_token_ids(preset, Modality.MUSIC, vocab) == [
        2,
        vocab.end_id(Modality.MUSIC),
        base + 3,
    ]
    assert vocab.end_id(Modality.MUSIC) != 32000 + 17417


def test_min_new_tokens_only_when_enforced(vocab):
    preset = dataclasses.replace(get_preset("anygpt-repo"), enforce_min_new_tokens=True)
    assert generation_plan(preset, Modality.SPEECH, vocab).config_kwargs["min_new_tokens"] == 10


def test_overrides_and_errors(vocab):
    preset = get_preset("anygpt-paper")
    assert resolve(preset, Modality.TEXT, {"num_beams": 3}).num_beams == 3
    plan = generation_plan(preset, Modality.MUSIC, vocab, {"max_new_tokens": 40})
    assert plan.config_kwargs["max_new_tokens"] == 40
    with pytest.raises(ValueError, match="unknown decoding overrides"):
        resolve(preset, Modality.TEXT, {"beams": 3})
    with pytest.raises(ValueError, match="no settings for audio"):
        resolve(preset, Modality.AUDIO)
    with pytest.raises(KeyError, match=r"did you mean.*anygpt-paper"):
        get_preset("anygpt-papr")


def _llama_classes():
    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except (ImportError, RuntimeError) as err:  # transformers imports torchvision on the way
        pytest.skip(f"transformers' Llama model cannot be imported here: {err.__cause__ or err}")
    return LlamaConfig, LlamaForCausalLM


def test_plan_drives_generate_on_a_tiny_model(tokenizer, vocab):
    LlamaConfig, LlamaForCausalLM = _llama_classes()
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    model = LlamaForCausalLM(config).eval()
    prompt = torch.tensor([[vocab.bos_id, vocab.user_id, vocab.user_end_id, vocab.assistant_id]])
    for name in ("anygpt-repo", "anygpt-paper"):
        plan = generation_plan(get_preset(name), Modality.MUSIC, vocab, {"max_new_tokens": 6})
        first, again = (
            model.generate(
                prompt,
                generation_config=GenerationConfig(**plan.config_kwargs),
                logits_processor=[SeededSampler([5], 1, "cpu", top_p=plan.sampler.top_p)],
            )
            for _ in range(2)
        )
        assert first.shape[1] <= prompt.shape[1] + 6
        assert torch.equal(first, again)
