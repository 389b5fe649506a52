"""AnyGPT prompts: exact strings for every golden task, chat form, instruction pools, prompt ids."""

from __future__ import annotations

from pathlib import Path

import pytest
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2

from evals.adapters.anygpt.instructions import (
    DEFAULT_INSTRUCTIONS,
    POOL_FILES,
    Instruction,
    default_instruction,
    load_instruction_pools,
)
from evals.adapters.anygpt.prompt_ids import prompt_ids
from evals.adapters.anygpt.prompts import (
    BASE_TEXT_TO_X,
    BASE_X_TO_TEXT,
    CHAT_TASKS,
    SYSTEM_PROMPT,
    PromptStyle,
    build_prompt,
    chat_prompt,
)
from evals.adapters.anygpt.vocab import AnyGPTVocab, extend_tokenizer, modality_tokens
from evals.types import Modality
from tests.anygpt.tiny_tokenizer import llama_tokenizer_from_sentencepiece, tiny_sentencepiece_model

SHIPPED = Path(__file__).resolve().parents[2] / "evals" / "adapters" / "anygpt"


def _direction(task: dict) -> tuple[Modality, Modality]:
    return Modality(task["input_modality"]), Modality(task["output_modality"])


def _content(task: dict) -> str:
    source = Modality(task["input_modality"])
    if source is Modality.TEXT:
        return task["input_text"]
    return modality_tokens(source).to_string(task["modality_tokens_input"])


def test_templates_are_the_reference_ones(prompts_golden):
    assert prompts_golden["inference_templates"]["x_to_text"] == BASE_X_TO_TEXT
    assert prompts_golden["inference_templates"]["text_to_x"] == BASE_TEXT_TO_X


def test_every_golden_task_prompt_is_reproduced_exactly(prompts_golden):
    tasks = prompts_golden["tasks"]
    assert len(tasks) == 6
    for task in tasks:
        if task["input_modality"] != "text":
            assert _content(task) == task["modality_string"]
        prompt = build_prompt(_direction(task), _content(task))
        assert prompt.text == task["prompt"], task["task"]
        assert prompt.instruction == Instruction(task["instruction"], "default", 0)
        assert prompt.style is PromptStyle.BASE
        assert prompt.direction == _direction(task)


def test_prompts_split_into_the_golden_added_token_segments(prompts_golden, vocab):
    for task in prompts_golden["tasks"]:
        expected = [
            vocab.token_ids[s["added_token"]] if "added_token" in s else s["text"]
            for s in task["added_token_segments"]
        ]
        assert vocab.split(task["prompt"]) == expected, task["task"]


def test_default_instructions_are_the_first_pool_entries(prompts_golden):
    pools = prompts_golden["instruction_pools"]
    for (source, target), text in DEFAULT_INSTRUCTIONS.items():
        pool = (
            pools["other2text"][source.value]
            if target is Modality.TEXT
            else pools["text2other"][target.value]
        )
        assert text == pool[0]


def test_no_pool_is_shipped(prompts_golden):
    pools = prompts_golden["instruction_pools"]
    later = {
        s
        for side in ("other2text", "text2other")
        for pool in pools[side].values()
        for s in pool[1:]
    }
    later -= set(DEFAULT_INSTRUCTIONS.values())
    source = "\n".join(path.read_text(encoding="utf-8") for path in SHIPPED.glob("*.py"))
    assert len(later) > 900
    assert [s for s in later if s in source] == []


@pytest.fixture()
def checkout(tmp_path, prompts_golden) -> Path:
    """A fake AnyGPT checkout holding the golden pools in the reference's file layout."""
    pools = prompts_golden["instruction_pools"]
    for name, relative in POOL_FILES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        side = name.removesuffix("_instructions")
        path.write_text(f"# pools\n{name} = {pools[side]!r}\n", encoding="utf-8")
    return tmp_path


def test_pools_are_read_from_a_checkout(checkout, prompts_golden):
    pools = load_instruction_pools(checkout)
    golden = prompts_golden["instruction_pools"]
    assert pools.pools[(Modality.SPEECH, Modality.TEXT)] == tuple(golden["other2text"]["speech"])
    assert pools.pools[(Modality.TEXT, Modality.MUSIC)] == tuple(golden["text2other"]["music"])
    sizes = {f"{a}->{b}": len(pool) for (a, b), pool in pools.pools.items()}
    assert sizes["speech->text"] == golden["sizes"]["other2text"]["speech"] == 236
    assert sizes["text->audio"] == golden["sizes"]["text2other"]["audio"] == 58
    assert pools.sources[(Modality.IMAGE, Modality.TEXT)].endswith(
        POOL_FILES["other2text_instructions"]
    )


def test_pool_choice_is_seeded_and_recorded(checkout):
    pools = load_instruction_pools(checkout)
    direction = (Modality.SPEECH, Modality.TEXT)
    first = pools.choose(direction, seed=7)
    assert first == pools.choose(direction, seed=7)
    assert first.text == pools.pools[direction][first.index]
    assert first.source == pools.sources[direction]
    drawn = {pools.choose(direction, seed=s).index for s in range(50)}
    assert len(drawn) > 20
    prompt = build_prompt(
        (Modality.TEXT, Modality.SPEECH),
        "hi",
        instruction=pools.choose((Modality.TEXT, Modality.SPEECH), 3),
    )
    assert prompt.text.startswith(f"[Human]: {prompt.instruction.text} This is input: hi<eoh>")


def test_missing_pools_name_the_expected_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"other2text_instructions\.py"):
        load_instruction_pools(tmp_path)


def test_chat_template_matches_golden(prompts_golden):
    example = prompts_golden["chat_model_mmgpt_template_example"]
    assert SYSTEM_PROMPT == prompts_golden["system_prompt_prompter"] == example["system_message"]
    assert chat_prompt("hello") == example["one_user_turn_hello"]
    assert (
        chat_prompt("b", [("a", "x")])
        == f"{SYSTEM_PROMPT}\n[Human]: a<eoh>\n[MMGPT]: x<eos>\n[Human]: b<eoh>\n[MMGPT]:"
    )


def test_chat_tasks_are_the_sft_task_prompts(prompts_golden):
    for task in CHAT_TASKS.values():
        assert prompts_golden["task_prompts_sft"][task.name] == task.template


def test_chat_prompts(prompts_golden):
    speech = prompts_golden["tasks"][1]
    prompt = build_prompt(_direction(speech), _content(speech), style=PromptStyle.CHAT)
    assert prompt.text == chat_prompt(
        f"{speech['modality_string']} Please transcribe the given speech."
    )
    assert prompt.instruction == Instruction(
        "{speech} Please transcribe the given speech.", "Speech-to-Text", None
    )
    image = build_prompt((Modality.TEXT, Modality.IMAGE), "a dog", style=PromptStyle.CHAT)
    assert image.text.endswith("[Human]: a dog. Please generation an image.<eoh>\n[MMGPT]:")


def test_bad_prompt_requests_are_refused():
    with pytest.raises(ValueError, match="from or to text"):
        build_prompt((Modality.TEXT, Modality.TEXT), "hi")
    with pytest.raises(ValueError, match="well-formed image string"):
        build_prompt((Modality.IMAGE, Modality.TEXT), "a caption")
    with pytest.raises(ValueError, match="instruction= is for base prompts"):
        build_prompt(
            (Modality.TEXT, Modality.IMAGE),
            "x",
            style=PromptStyle.CHAT,
            instruction=default_instruction((Modality.TEXT, Modality.IMAGE)),
        )
    with pytest.raises(ValueError, match="no chat task prompt for text->audio"):
        build_prompt((Modality.TEXT, Modality.AUDIO), "x", style=PromptStyle.CHAT)
    with pytest.raises(ValueError, match="no instruction for audio->text"):
        default_instruction((Modality.AUDIO, Modality.TEXT))


def _pieces(tokenizer, ids: list[int]) -> list[str]:
    return tokenizer.convert_ids_to_tokens(ids)


def test_prompt_ids_follow_the_legacy_flag(prompts_golden, tokenizer, vocab):
    text = prompts_golden["tasks"][3]["prompt"]  # text -> image
    legacy = _pieces(tokenizer, prompt_ids(text, tokenizer, vocab, legacy=True))
    modern = _pieces(tokenizer, prompt_ids(text, tokenizer, vocab, legacy=False))
    assert legacy[:4] == ["<s>", "[Human]", "▁", ":"]  # every chunk gets the dummy prefix
    assert modern[:4] == ["<s>", "▁", "[Human]", ":"]  # only the start of the string does
    assert legacy[-4:] == ["▁▁", "[MMGPT]", "▁", ":"]
    assert modern[-3:] == ["▁", "[MMGPT]", ":"]
    each_chunk = "".join(
        " " + part if isinstance(part, str) else vocab.entries[part].text
        for part in vocab.split(text)
    )
    assert "".join(legacy[1:]).replace("▁", " ") == each_chunk
    assert "".join(modern[1:]).replace("▁", " ") == " " + text


def test_prompt_ids_keep_modality_codes_exact(prompts_golden, tokenizer, vocab):
    task = prompts_golden["tasks"][0]  # image -> text
    ids = prompt_ids(task["prompt"], tokenizer, vocab, legacy=True)
    span = vocab.codes_to_ids(Modality.IMAGE, task["modality_tokens_input"])
    start = ids.index(span[0])
    assert ids[start : start + len(span)] == span
    assert [i for i in ids if i in vocab.entries] == [
        vocab.token_ids[t]
        for t in [s["added_token"] for s in task["added_token_segments"] if "added_token" in s]
    ]


def test_plain_tokenization_matches_neither_legacy_mode(prompts_golden, tokenizer, vocab):
    text = prompts_golden["tasks"][3]["prompt"]
    plain = tokenizer(text).input_ids
    assert plain != prompt_ids(text, tokenizer, vocab, legacy=True)
    assert plain != prompt_ids(text, tokenizer, vocab, legacy=False)


def _slow_llama_ids(text: str, model: bytes, vocab: AnyGPTVocab, *, legacy: bool) -> list[int]:
    """Oracle: what transformers 4.34.1's slow LlamaTokenizer does, on SentencePiece itself.

    The string is split at added tokens and each chunk encoded alone; legacy=True keeps
    SentencePiece's dummy prefix, legacy=False removes it, prefixes '▁' to the whole string and
    encodes chunks starting with a space behind '<unk>' (then drops the '<unk>' pieces)."""
    with_prefix = spm.SentencePieceProcessor(model_proto=model)
    proto = sentencepiece_model_pb2.ModelProto.FromString(model)
    proto.normalizer_spec.add_dummy_prefix = False
    plain = spm.SentencePieceProcessor(model_proto=proto.SerializeToString())
    unk_length = len(plain.encode("<unk>"))
    ids = [with_prefix.bos_id()]
    for part in vocab.split(text if legacy else "▁" + text):
        if isinstance(part, int):
            ids.append(part)
        elif legacy:
            ids += with_prefix.encode(part)
        elif part.startswith(("▁", " ")):
            ids += plain.encode("<unk>" + part)[unk_length:]
        else:
            ids += plain.encode(part)
    return ids


@pytest.mark.parametrize("legacy", [True, False])
def test_prompt_ids_match_sentencepiece_as_the_slow_tokenizer_uses_it(prompts_golden, legacy):
    model = tiny_sentencepiece_model()
    tokenizer = llama_tokenizer_from_sentencepiece(model)
    extend_tokenizer(tokenizer)
    vocab = AnyGPTVocab.from_tokenizer(tokenizer)
    for task in prompts_golden["tasks"]:
        expected = _slow_llama_ids(task["prompt"], model, vocab, legacy=legacy)
        assert prompt_ids(task["prompt"], tokenizer, vocab, legacy=legacy) == expected, task["task"]
