"""AnyGPT output parsing: reference parity on decoded strings, token-level parsing of ids."""

from __future__ import annotations

import random

import pytest

from evals.adapters.anygpt.parsing import IssueKind, parse_output
from evals.adapters.anygpt.reference_postprocess import (
    content2rvq_codes,
    extract_text_between_tags,
    reference_postprocess,
)
from evals.adapters.anygpt.vocab import MODALITY_TOKENS
from evals.types import Modality

OUTPUT = {
    "image_to_text_caption": Modality.TEXT,
    "speech_to_text_asr": Modality.TEXT,
    "music_to_text_caption": Modality.TEXT,
    "text_to_image": Modality.IMAGE,
    "text_to_speech": Modality.SPEECH,
    "text_to_music": Modality.MUSIC,
}
CRASH_KEY = {
    Modality.IMAGE: "seed_decode",
    Modality.SPEECH: "soundstorm_generate_unprompted_steps3",
    Modality.MUSIC: "encodec_decode",
}


def test_extract_text_between_tags_unit_cases(parsing_golden):
    cases = parsing_golden["extract_text_between_tags_unit_cases"]
    assert len(cases) == 9
    for case in cases:
        assert extract_text_between_tags(case["text"], case["tag1"], case["tag2"]) == case["result"]


def test_content2rvq_codes_unit_cases(parsing_golden):
    for case in parsing_golden["content2rvq_codes_unit_cases"]:
        codes = content2rvq_codes(case["content"])
        assert [list(row) for row in codes] == case["codes"]
        assert [1, 1, len(codes), len(codes[0])] == case["codes_shape"]


def _check_reference(result, expected, output):
    if output is Modality.TEXT:
        assert result.text == expected["text"]
        return
    assert result.content == expected["content"]
    crash = expected[CRASH_KEY[output]]["crashes"]
    assert (result.error is not None) == crash, result.error
    if output is Modality.MUSIC:
        assert list(result.numbers) == expected["raw_ints"]
        assert [list(row) for row in result.codes] == expected["codes"]
        assert [1, 1, 4, len(result.codes[0])] == expected["codes_shape"]
    else:
        ids = expected["ids" if output is Modality.IMAGE else "semantic_ids"]
        assert list(result.numbers) == ids == list(result.codes[0])
        assert len(ids) == expected["num_ids"]


def test_reference_postprocess_reproduces_every_golden_case(parsing_golden):
    cases = parsing_golden["cases"]
    assert len(cases) == 28
    for case in cases:
        output = OUTPUT[case["task"]]
        for form, decoded in case["decoded"].items():
            result = reference_postprocess(decoded, output)
            assert result.modality is output
            _check_reference(result, case["expected"][form], output)


def test_reference_text_tag_depends_on_decode_spacing(parsing_golden):
    case = next(c for c in parsing_golden["cases"] if c["id"] == "text_normal")
    slow = reference_postprocess(case["decoded"]["slow_llama_tokenizer_4.34"], Modality.TEXT)
    lossless = reference_postprocess(case["decoded"]["lossless_concatenation"], Modality.TEXT)
    assert slow.text == "a cat sitting on a couch"
    assert lossless.text == case["decoded"]["lossless_concatenation"]  # prompt included


# Token-level expectations per golden case: (payload, usable, issue kinds). Text payloads are the
# answer; modality payloads are "golden" (the reference's codes) or an explicit value.
TOKEN_LEVEL = {
    "text_normal": ("a cat sitting on a couch", True, set()),
    "text_extra_after_eos": ("a cat sitting on a couch", True, set()),
    "text_missing_eos": ("a cat sitting on a couch and a dog", True, {IssueKind.MISSING_END}),
    "text_empty": ("", True, set()),
    "text_space_then_eos": ("", True, set()),
    "text_asr_normal": ("hello world, this is a test.", True, set()),
    "text_with_modality_tokens": ("", True, {IssueKind.STRAY_TOKENS}),
    "text_music_normal": ("A calm piano piece with soft strings.", True, set()),
    "image_normal": ("golden", True, set()),
    "image_missing_eoim": ("golden", True, {IssueKind.MISSING_END}),
    "image_missing_eoim_trailing_digits": (
        "golden[:32]",
        True,
        {IssueKind.MISSING_END},
    ),
    "image_31_tokens": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "image_33_tokens": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "image_1_token": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "image_empty": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "image_no_soim": ((), False, {IssueKind.NO_SPAN}),
    "image_text_only": ((), False, {IssueKind.NO_SPAN}),
    "image_extra_after_eoim": ("golden", True, set()),
    "speech_normal": ("golden", True, set()),
    "speech_missing_eosp": ("golden", True, {IssueKind.MISSING_END}),
    "speech_empty": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "speech_foreign_token_ge_1024": (((5,),), True, {IssueKind.STRAY_TOKENS}),
    "music_normal": ("golden", True, set()),
    "music_not_multiple_of_4": ("golden", True, {IssueKind.PARTIAL_FRAME}),
    "music_fewer_than_4": (
        "golden",
        False,
        {IssueKind.PARTIAL_FRAME, IssueKind.WRONG_LENGTH},
    ),
    "music_empty": ("golden", False, {IssueKind.WRONG_LENGTH}),
    "music_wrong_codebook_order": ("golden", True, {IssueKind.CODEBOOK_ORDER}),
    "music_missing_eomu": ("golden", True, {IssueKind.MISSING_END}),
}


def _golden_codes(case, output):
    expected = case["expected"]["slow_llama_tokenizer_4.34"]
    if output is Modality.MUSIC:
        return tuple(tuple(row) for row in expected["codes"])
    return (tuple(expected["ids" if output is Modality.IMAGE else "semantic_ids"]),)


def test_token_level_parsing_of_every_golden_case(parsing_golden, tokenizer, vocab):
    def decode(ids):
        return tokenizer.decode(ids, skip_special_tokens=True)

    assert {c["id"] for c in parsing_golden["cases"]} == set(TOKEN_LEVEL)
    for case in parsing_golden["cases"]:
        output = OUTPUT[case["task"]]
        ids = tokenizer(case["model_continuation"], add_special_tokens=False).input_ids
        parsed = parse_output(ids, output, vocab, decode)
        payload, usable, kinds = TOKEN_LEVEL[case["id"]]
        assert {issue.kind for issue in parsed.issues} == kinds, (case["id"], parsed.issues)
        assert parsed.usable is usable, case["id"]
        assert (parsed.malformed is None) == (not kinds)
        if output is Modality.TEXT:
            assert parsed.text == payload and parsed.codes == ()
            continue
        assert parsed.text is None
        if payload == "golden":
            payload = _golden_codes(case, output)
        elif payload == "golden[:32]":
            payload = (_golden_codes(case, output)[0][:32],)
        assert parsed.codes == payload, case["id"]


def test_token_level_text_ignores_decode_spacing(parsing_golden, tokenizer, vocab):
    """The same ids give the same answer whichever way the reference would have decoded them."""
    case = next(c for c in parsing_golden["cases"] if c["id"] == "text_asr_normal")
    ids = tokenizer(case["prompt"] + case["model_continuation"], add_special_tokens=False).input_ids
    answer = ids[ids.index(vocab.assistant_id) + 2 :]  # after "[MMGPT]" and ":"
    parsed = parse_output(answer, Modality.TEXT, vocab, tokenizer.decode)
    assert parsed.text == case["expected"]["slow_llama_tokenizer_4.34"]["text"]
    assert parsed.issues == ()


def test_span_positions_and_stray_details(vocab):
    ids = [5, *vocab.codes_to_ids(Modality.IMAGE, list(range(32))), vocab.assistant_end_id]
    parsed = parse_output(ids, Modality.IMAGE, vocab)
    assert parsed.span == (2, 34)
    assert parsed.codes == (tuple(range(32)),)
    noisy = [vocab.start_id(Modality.SPEECH), vocab.code_ids[Modality.SPEECH][7], 10**6, -1, 300]
    noisy.append(vocab.end_id(Modality.SPEECH))
    parsed = parse_output(noisy, Modality.SPEECH, vocab)
    kinds = {issue.kind: issue.detail for issue in parsed.issues}
    assert parsed.codes == ((7,),) and parsed.usable
    assert "[1000000, -1]" in kinds[IssueKind.OUT_OF_RANGE]
    assert kinds[IssueKind.STRAY_TOKENS] == "1 stray tokens inside <sosp> dropped: id 300"


def test_music_spans_close_at_another_start_tag(vocab):
    music = vocab.codes_to_ids(Modality.MUSIC, [[1], [2], [3], [4]])[:-1]  # no <eomu>
    parsed = parse_output([*music, vocab.start_id(Modality.IMAGE)], Modality.MUSIC, vocab)
    assert parsed.codes == ((1,), (2,), (3,), (4,))
    assert parsed.malformed == "no <eomu>: span ended by <soim>"


def test_parsers_never_raise_on_model_output(vocab):
    rng = random.Random(0)
    interesting = [vocab.eos_id, vocab.assistant_end_id, -5, vocab.size, 10**9]
    interesting += [vocab.start_id(m) for m in MODALITY_TOKENS] + [
        vocab.end_id(m) for m in MODALITY_TOKENS
    ]
    for _ in range(300):
        ids = [
            rng.choice(interesting) if rng.random() < 0.3 else rng.randrange(vocab.size)
            for _ in range(rng.randrange(0, 60))
        ]
        for output in (Modality.TEXT, *MODALITY_TOKENS):
            parsed = parse_output(ids, output, vocab, lambda i: " ".join(map(str, i)))
            assert parsed.modality is output
            text = "".join(rng.choice("<>[]0123456789 abc🎶👀:soimeoh") for _ in range(40))
            assert reference_postprocess(text, output).modality is output


def test_parse_output_refuses_misuse(vocab):
    with pytest.raises(TypeError, match="decode_text"):
        parse_output([], Modality.TEXT, vocab)
    with pytest.raises(ValueError, match="not audio"):
        parse_output([], Modality.AUDIO, vocab)


def test_a_span_after_the_answer_ended_is_ignored(vocab):
    image = vocab.codes_to_ids(Modality.IMAGE, list(range(32)))
    parsed = parse_output([vocab.assistant_end_id, *image], Modality.IMAGE, vocab)
    assert not parsed.usable
    assert parsed.malformed == "no <soim> before the answer ended"
