"""AnyGPT vocabulary: token scheme, added-token order, ids read from a tokenizer, round trips."""

from __future__ import annotations

import pytest

from evals.adapters.anygpt.vocab import (
    MODALITY_TOKENS,
    AnyGPTVocab,
    TokenKind,
    added_token_entries,
    added_tokens,
    extend_tokenizer,
    modality_tokens,
)
from evals.types import Modality
from tests.anygpt.tiny_tokenizer import tiny_anygpt_tokenizer, tiny_llama_tokenizer

REFERENCE_BASE = 32000
"""Llama-2's vocabulary size, which the golden ids assume."""


@pytest.fixture(scope="module")
def base_size() -> int:
    return len(tiny_llama_tokenizer())


def test_added_tokens_are_the_reference_list_in_order(prompts_golden):
    golden = prompts_golden["added_tokens"]
    assert added_tokens() == golden["stage1_tokens"]
    assert len(added_tokens()) == golden["stage1_count"] == 17418
    assert added_tokens(chat=True)[17418:] == golden["stage2_sft_extra_tokens_appended"]
    assert added_tokens(chat=True)[17418:] == ["<-Res->", "<-Ins->"]


def test_added_token_entries_describe_each_token():
    entries = added_token_entries()
    assert (
        entries[4].text == "<👀0>" and entries[4].kind is TokenKind.CODE and entries[4].value == 0
    )
    assert entries[8196].text == "<soim>" and entries[8196].kind is TokenKind.START
    assert entries[9221].text == "<🗣️1023>" and entries[9221].modality is Modality.SPEECH
    assert entries[17417].text == "<eomu>" and entries[17417].kind is TokenKind.END
    assert [e.kind for e in entries[:4]] == [TokenKind.ROLE] * 4


@pytest.mark.parametrize("name", ["image", "speech", "music"])
def test_modality_scheme_matches_golden(prompts_golden, name):
    golden = prompts_golden["modalities"][name]
    scheme = MODALITY_TOKENS[Modality(name)]
    assert scheme.prefix == golden["prefix"]
    assert [f"U+{ord(c):04X}" for c in scheme.prefix] == golden["prefix_codepoints"]
    assert scheme.prefix.encode().hex() == golden["prefix_utf8_hex"]
    assert (scheme.start, scheme.end, scheme.size) == (
        golden["sos"],
        golden["eos"],
        golden["vocab_size"],
    )
    assert scheme.token(77) == golden["token_format"].format(k=77)


def test_speech_prefix_has_the_variation_selector():
    assert MODALITY_TOKENS[Modality.SPEECH].token(5) == "<\U0001f5e3\ufe0f5>"
    assert MODALITY_TOKENS[Modality.MUSIC].codebook_size == 2048


def test_ids_are_read_from_the_tokenizer(vocab, base_size):
    assert base_size != REFERENCE_BASE
    for position, token in enumerate(added_tokens()):
        assert vocab.token_ids[token] == base_size + position
    assert vocab.user_id == base_size
    assert vocab.assistant_end_id == base_size + 3
    assert vocab.start_id(Modality.IMAGE) == base_size + 8196
    assert vocab.code_ids[Modality.MUSIC][8191] == base_size + 17415
    assert (vocab.bos_id, vocab.eos_id, vocab.pad_id) == (1, 2, 0)
    assert vocab.assistant_end_id != vocab.eos_id
    assert vocab.size == base_size + 17418


def test_golden_ids_map_to_ours_by_position(prompts_golden, vocab, base_size):
    for task in prompts_golden["tasks"]:
        for segment in task["added_token_segments"]:
            if "added_token" in segment:
                ours = vocab.token_ids[segment["added_token"]]
                assert ours - base_size == segment["id_if_base_vocab_32000"] - REFERENCE_BASE


def test_a_plain_llama_tokenizer_is_rejected_with_the_missing_token_named():
    with pytest.raises(ValueError, match=r"17418 of the 17418 AnyGPT tokens.*\[Human\]"):
        AnyGPTVocab.from_tokenizer(tiny_llama_tokenizer())


def test_chat_tokens_are_required_only_for_chat(tokenizer, base_size):
    with pytest.raises(ValueError, match="<-Res->"):
        AnyGPTVocab.from_tokenizer(tokenizer, chat=True)
    chat_vocab = AnyGPTVocab.from_tokenizer(tiny_anygpt_tokenizer(chat=True), chat=True)
    assert chat_vocab.token_ids["<-Res->"] == base_size + 17418
    assert chat_vocab.token_ids["<-Ins->"] == base_size + 17419


def test_extending_twice_adds_nothing():
    tokenizer = tiny_anygpt_tokenizer()
    assert extend_tokenizer(tokenizer) == 0
    assert extend_tokenizer(tokenizer, chat=True) == 2


def test_added_tokens_are_not_special(tokenizer, vocab):
    assert (
        tokenizer.decode([vocab.user_id, vocab.assistant_end_id], skip_special_tokens=True)
        == "[Human]<eos>"
    )


def test_modality_strings_match_golden_cases(prompts_golden, vocab, tokenizer):
    for case in prompts_golden["modality_tokens_to_string_cases"]:
        modality = Modality(case["modality"])
        scheme = modality_tokens(modality)
        assert scheme.to_string(case["tokens"]) == case["string"]
        assert scheme.parse_string(case["string"]) == scheme.flatten(case["tokens"])
        ids = vocab.codes_to_ids(modality, case["tokens"])
        assert ids == vocab.string_to_ids(case["string"])
        assert ids == tokenizer(case["string"], add_special_tokens=False).input_ids
        assert vocab.ids_to_string(ids) == case["string"]


def test_music_is_frame_major_with_codebook_offsets():
    scheme = MODALITY_TOKENS[Modality.MUSIC]
    codes = [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert scheme.flatten(codes) == [1, 2051, 4101, 6151, 2, 2052, 4102, 6152]
    assert scheme.split_codebooks(scheme.flatten(codes)) == ((1, 2), (3, 4), (5, 6), (7, 8))
    assert scheme.split_codebooks([1, 2051, 4101]) == ((), (), (), ())


def test_pretraining_data_round_trips(data_golden):
    for sample in (s for f in data_golden["files"].values() for s in f["samples"]):
        (name,) = set(sample["raw"]) - {"text"}
        scheme = modality_tokens(Modality(name))
        values = scheme.parse_string(sample["raw"][name])
        assert values == sample["token_values_flat"]
        assert len(values) == sample["num_tokens"]
        if scheme.codebooks > 1:
            codes = scheme.split_codebooks(values)
            assert [list(row) for row in codes] == sample["codes_4xT"]
            assert len(codes[0]) == sample["num_frames"]
            assert scheme.flatten(sample["codes_4xT"]) == values
            assert scheme.to_string(sample["codes_4xT"]) == sample["raw"][name]
        else:
            assert scheme.to_string(values) == sample["raw"][name]


def test_bad_inputs_are_rejected_with_reasons(vocab):
    image = MODALITY_TOKENS[Modality.IMAGE]
    with pytest.raises(ValueError, match=r"\[0, 8192\)"):
        image.flatten([8192])
    with pytest.raises(ValueError, match="4 equally long rows"):
        MODALITY_TOKENS[Modality.MUSIC].flatten([[1, 2], [3]])
    with pytest.raises(ValueError, match="not a well-formed image string"):
        image.parse_string("<soim><👀1>")
    with pytest.raises(ValueError, match="audio"):
        modality_tokens(Modality.AUDIO)
    with pytest.raises(ValueError, match="not made of AnyGPT tokens"):
        vocab.string_to_ids("<sosp><\U0001f5e31><eosp>")  # speech prefix without U+FE0F
    with pytest.raises(ValueError, match="not an AnyGPT added token"):
        vocab.ids_to_string([5])


def test_split_finds_tokens_the_way_added_token_matching_does(vocab):
    soim, eoim = vocab.start_id(Modality.IMAGE), vocab.end_id(Modality.IMAGE)
    assert vocab.split("[<soim>]") == ["[", soim, "]"]
    assert vocab.split("<<soim> a <b><eoim>x") == ["<", soim, " a <b>", eoim, "x"]
    assert vocab.split("[Human]") == [vocab.user_id]
    assert vocab.split("") == []
