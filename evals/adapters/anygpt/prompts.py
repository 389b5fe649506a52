"""AnyGPT prompt strings: the base model's two templates and the chat model's conversation form.

Base model (what `cli_infer_base_model.py` feeds the tokenizer; exactly one space before
`[MMGPT]`, none after its colon):

    x -> text:  [Human]: {instruction} {modality string}<eoh> [MMGPT]:
    text -> x:  [Human]: {instruction} This is input: {text}<eoh> [MMGPT]:

Chat model (the `MMGPT` conversation template of `cli_infer_chat_model.py`): a system line, then
`[Human]: {message}<eoh>` and `[MMGPT]: {answer}<eos>` turns joined by newlines, ending in
`[MMGPT]:`. The user message is the SFT task prompt of the direction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evals.adapters.anygpt.instructions import Direction, Instruction, default_instruction
from evals.adapters.anygpt.vocab import ASSISTANT, ASSISTANT_END, USER, USER_END, modality_tokens
from evals.types import Modality

BASE_X_TO_TEXT = f"{USER}: {{instruction}} {{modality_string}}{USER_END} {ASSISTANT}:"
BASE_TEXT_TO_X = f"{USER}: {{instruction}} This is input: {{text}}{USER_END} {ASSISTANT}:"

SYSTEM_PROMPT = (
    "You are an AI assistant named MMGPT who can understand and generate multimodal content, "
    "including text, speech, images and audio."
)


class PromptStyle(str, enum.Enum):
    """Which AnyGPT model the prompt is for."""

    BASE = "base"
    CHAT = "chat"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ChatTask:
    """An SFT task prompt: the user message the chat model was trained on for one direction."""

    name: str
    """The task's name in the reference's `task_prompts`."""
    template: str
    """The message, with one `{field}` where the input goes."""
    field: str
    """The placeholder's name."""
    end_with_punctuation: bool = False
    """Append '.' to input text not ending in . ! or ? (the reference does so for text-to-image)."""

    def message(self, content: str) -> str:
        if self.end_with_punctuation and content and content[-1] not in ".!?":
            content += "."
        return self.template.format_map({self.field: content}).strip()


CHAT_TASKS: Mapping[Direction, ChatTask] = {
    (Modality.IMAGE, Modality.TEXT): ChatTask(
        "Image-to-Text Caption", "{image} Please describe the picture briefly.", "image"
    ),
    (Modality.SPEECH, Modality.TEXT): ChatTask(
        "Speech-to-Text", "{speech} Please transcribe the given speech.", "speech"
    ),
    (Modality.MUSIC, Modality.TEXT): ChatTask(
        "Music-to-Text",
        "{music} Please interpret the given music and provide a textual description.",
        "music",
    ),
    (Modality.TEXT, Modality.IMAGE): ChatTask(
        "Text-to-Image Generation",
        "{caption} Please generation an image.",
        "caption",
        end_with_punctuation=True,
    ),
    (Modality.TEXT, Modality.SPEECH): ChatTask(
        "Text-to-Speech", "{caption} Please read the given text.", "caption"
    ),
    (Modality.TEXT, Modality.MUSIC): ChatTask(
        "Text-to-Music", "{caption} Please compose a piece of music from the given text.", "caption"
    ),
}
"""The reference's task prompts for the six base directions (typos kept: the model saw them)."""


@dataclass(frozen=True)
class Prompt:
    """A prompt string and how it was made."""

    text: str
    """Exactly what the reference passes to the tokenizer (no `<s>`; the tokenizer adds it)."""
    direction: Direction
    """(input modality, output modality)."""
    style: PromptStyle
    """Base-model template or chat conversation."""
    instruction: Instruction
    """The instruction (base) or SFT task prompt (chat) used."""


def build_prompt(
    direction: Direction,
    content: str,
    *,
    style: PromptStyle = PromptStyle.BASE,
    instruction: Instruction | None = None,
) -> Prompt:
    """The prompt for one request. `content` is the input's modality string for x->text (see
    `ModalityTokens.to_string`) and the input text, used verbatim, for text->x. `instruction`
    overrides the default (base style only)."""
    source, target = direction
    if (source is Modality.TEXT) == (target is Modality.TEXT):
        raise ValueError(f"AnyGPT prompts go from or to text, not {source}->{target}")
    if source is not Modality.TEXT:
        modality_tokens(source).parse_string(content)
    text, used = _RENDERERS[style](direction, content, instruction)
    return Prompt(text, direction, style, used)


def chat_prompt(
    message: str, history: Sequence[tuple[str, str]] = (), *, system: str = SYSTEM_PROMPT
) -> str:
    """The chat model's conversation string: earlier (user, answer) turns, then `message`."""
    turns = [
        f"{USER}: {user}{USER_END}\n{ASSISTANT}: {answer}{ASSISTANT_END}"
        for user, answer in history
    ]
    return "\n".join([system, *turns, f"{USER}: {message}{USER_END}", f"{ASSISTANT}:"])


def _base(
    direction: Direction, content: str, instruction: Instruction | None
) -> tuple[str, Instruction]:
    used = instruction or default_instruction(direction)
    if direction[1] is Modality.TEXT:
        return BASE_X_TO_TEXT.format(instruction=used.text, modality_string=content), used
    return BASE_TEXT_TO_X.format(instruction=used.text, text=content), used


def _chat(
    direction: Direction, content: str, instruction: Instruction | None
) -> tuple[str, Instruction]:
    if instruction is not None:
        raise ValueError(
            "chat prompts use the direction's SFT task prompt; instruction= is for base prompts"
        )
    task = CHAT_TASKS.get(direction)
    if task is None:
        raise ValueError(f"AnyGPT has no chat task prompt for {direction[0]}->{direction[1]}")
    return chat_prompt(task.message(content)), Instruction(task.template, task.name, None)


_RENDERERS: Mapping[
    PromptStyle, Callable[[Direction, str, Instruction | None], tuple[str, Instruction]]
] = {PromptStyle.BASE: _base, PromptStyle.CHAT: _chat}
