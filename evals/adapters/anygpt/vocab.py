"""AnyGPT's vocabulary: the tokens it adds to Llama-2, and their ids in a given tokenizer.

Stage-1 training adds 17418 ordinary (non-special) tokens to the Llama-2 tokenizer: four role
tokens, then for image, speech and music every `<{prefix}{k}>` code token followed by the
modality's start and end tags. The chat (SFT) model appends `<-Res->` and `<-Ins->`. Ids are
always read from the tokenizer and checked, never assumed to start at 32000.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.types import Modality

USER = "[Human]"
ASSISTANT = "[MMGPT]"
USER_END = "<eoh>"
ASSISTANT_END = "<eos>"
"""AnyGPT's end of an answer: an ordinary added token, distinct from Llama's `</s>`."""
RESPONSE_SEP = "<-Res->"
INSTRUCTION_SEP = "<-Ins->"

ROLE_TOKENS = (USER, ASSISTANT, USER_END, ASSISTANT_END)
CHAT_TOKENS = (RESPONSE_SEP, INSTRUCTION_SEP)
"""Appended by the SFT stage, in this order, after the stage-1 tokens."""


@dataclass(frozen=True)
class ModalityTokens:
    """How one modality's discrete codes are written as tokens."""

    modality: Modality
    """The modality these tokens carry."""
    prefix: str
    """Emoji inside every code token; speech's is two code points (U+1F5E3 U+FE0F)."""
    start: str
    """Tag opening a span of codes."""
    end: str
    """Tag closing a span of codes."""
    codebook_size: int
    """Values per codebook."""
    codebooks: int = 1
    """Codebooks interleaved frame-major; codebook k's value v is written as v + k * codebook_size."""
    fixed_length: int | None = None
    """Number of code tokens a well-formed span has (image: 32), None if any length is valid."""

    @property
    def size(self) -> int:
        """Number of code tokens in the vocabulary."""
        return self.codebook_size * self.codebooks

    def token(self, value: int) -> str:
        """The token string for one token value."""
        return f"<{self.prefix}{value}>"

    def flatten(self, codes: Sequence[int] | Sequence[Sequence[int]]) -> list[int]:
        """Token values for codes: a flat list, or [codebook][frame] when there are several
        codebooks (then frame-major, codebook k offset by k * codebook_size)."""
        if self.codebooks == 1:
            values = [int(v) for v in codes]
            self._check_range(values, self.codebook_size)
            return values
        rows = [[int(v) for v in row] for row in codes]
        if len(rows) != self.codebooks or len({len(row) for row in rows}) > 1:
            raise ValueError(
                f"{self.modality} codes must be {self.codebooks} equally long rows "
                f"([codebook][frame]); got rows of lengths {[len(row) for row in rows]}"
            )
        for row in rows:
            self._check_range(row, self.codebook_size)
        frames = len(rows[0])
        return [
            rows[k][t] + k * self.codebook_size
            for t in range(frames)
            for k in range(self.codebooks)
        ]

    def split_codebooks(self, values: Sequence[int]) -> tuple[tuple[int, ...], ...]:
        """[codebook][frame] codes from flat token values: each value modulo codebook_size and
        a trailing partial frame dropped, as the reference's music decoder does."""
        frames = len(values) // self.codebooks
        return tuple(
            tuple(values[t * self.codebooks + k] % self.codebook_size for t in range(frames))
            for k in range(self.codebooks)
        )

    def to_string(self, codes: Sequence[int] | Sequence[Sequence[int]]) -> str:
        """The modality string the reference puts into prompts and training data."""
        return self.start + "".join(self.token(v) for v in self.flatten(codes)) + self.end

    def parse_string(self, text: str) -> list[int]:
        """Token values of a well-formed modality string (start tag, code tokens, end tag)."""
        body = (
            re.escape(self.start) + f"((?:<{re.escape(self.prefix)}[0-9]+>)*)" + re.escape(self.end)
        )
        match = re.fullmatch(body, text)
        if match is None:
            raise ValueError(
                f"not a well-formed {self.modality} string ({self.start}, <{self.prefix}k> tokens, {self.end}): "
                f"{text[:80]!r}"
            )
        values = [int(v) for v in re.findall(f"<{re.escape(self.prefix)}([0-9]+)>", match[1])]
        self._check_range(values, self.size)
        return values

    def _check_range(self, values: Sequence[int], limit: int) -> None:
        bad = [v for v in values if not 0 <= v < limit]
        if bad:
            raise ValueError(f"{self.modality} values must lie in [0, {limit}); got {bad[:5]}")


MODALITY_TOKENS: Mapping[Modality, ModalityTokens] = {
    Modality.IMAGE: ModalityTokens(
        Modality.IMAGE, "\U0001f440", "<soim>", "<eoim>", 8192, fixed_length=32
    ),
    Modality.SPEECH: ModalityTokens(Modality.SPEECH, "\U0001f5e3\ufe0f", "<sosp>", "<eosp>", 1024),
    Modality.MUSIC: ModalityTokens(Modality.MUSIC, "\U0001f3b6", "<somu>", "<eomu>", 2048, 4),
}
"""In the order stage-1 training adds them."""


def modality_tokens(modality: Modality) -> ModalityTokens:
    """The token scheme of a modality AnyGPT generates or reads as tokens."""
    try:
        return MODALITY_TOKENS[modality]
    except KeyError:
        raise ValueError(
            f"AnyGPT has no vocabulary tokens for {modality!s}; token modalities are "
            f"{', '.join(map(str, MODALITY_TOKENS))} (the reference lists 'audio' but never adds "
            "its tokens)"
        ) from None


class TokenKind(str, enum.Enum):
    """What an AnyGPT added token is."""

    ROLE = "role"
    CODE = "code"
    START = "start"
    END = "end"


@dataclass(frozen=True)
class AddedToken:
    """One token AnyGPT adds to the base tokenizer."""

    text: str
    """The token string."""
    kind: TokenKind
    """Role token, code token, or a modality's start or end tag."""
    modality: Modality | None = None
    """The modality of code tokens and tags; None for role tokens."""
    value: int | None = None
    """The k of a code token `<{prefix}{k}>`; None otherwise."""


@functools.cache
def added_token_entries(*, chat: bool = False) -> tuple[AddedToken, ...]:
    """Every added token in the order training adds them (stage 1, then SFT when `chat`)."""
    entries = [AddedToken(t, TokenKind.ROLE) for t in ROLE_TOKENS]
    for scheme in MODALITY_TOKENS.values():
        entries += [
            AddedToken(scheme.token(k), TokenKind.CODE, scheme.modality, k)
            for k in range(scheme.size)
        ]
        entries.append(AddedToken(scheme.start, TokenKind.START, scheme.modality))
        entries.append(AddedToken(scheme.end, TokenKind.END, scheme.modality))
    if chat:
        entries += [AddedToken(t, TokenKind.ROLE) for t in CHAT_TOKENS]
    return tuple(entries)


def added_tokens(*, chat: bool = False) -> list[str]:
    """The added token strings in training order (17418 for stage 1, 17420 with `chat`)."""
    return [entry.text for entry in added_token_entries(chat=chat)]


def extend_tokenizer(tokenizer: Any, *, chat: bool = False) -> int:
    """Add AnyGPT's tokens to a base Llama tokenizer as ordinary (non-special) tokens, in the
    reference order, skipping any it already has; returns how many were added."""
    have = tokenizer.get_vocab()
    return tokenizer.add_tokens([t for t in added_tokens(chat=chat) if t not in have])


_ADDED_TOKEN_PATTERN = re.compile(r"\[[^\[\]]*\]|<[^<>]*>")


@dataclass(frozen=True)
class AnyGPTVocab:
    """AnyGPT's token ids as one tokenizer assigns them, read and checked once."""

    bos_id: int
    """Llama `<s>`, put before every prompt."""
    eos_id: int
    """Llama `</s>`: what generation stops at (AnyGPT's `<eos>` is an ordinary token)."""
    pad_id: int
    """Padding id: the tokenizer's pad token, else `<unk>` as the reference sets it."""
    token_ids: Mapping[str, int]
    """Every AnyGPT added token string -> its id."""
    entries: Mapping[int, AddedToken]
    """Every AnyGPT added token id -> what it is."""
    code_ids: Mapping[Modality, tuple[int, ...]]
    """Per modality, the id of each token value (index = value)."""
    chat: bool
    """Whether the SFT tokens `<-Res->` and `<-Ins->` were required and read."""
    size: int
    """Number of ids the tokenizer has; ids outside [0, size) cannot be decoded."""

    @classmethod
    def from_tokenizer(cls, tokenizer: Any, *, chat: bool = False) -> AnyGPTVocab:
        """Read every AnyGPT id from `tokenizer` (via convert_tokens_to_ids) and check it."""
        entries = added_token_entries(chat=chat)
        texts = [entry.text for entry in entries]
        ids = tokenizer.convert_tokens_to_ids(texts)
        unk = tokenizer.unk_token_id
        missing = [t for t, i in zip(texts, ids) if i is None or i == unk]
        if missing:
            raise ValueError(
                f"{len(missing)} of the {len(texts)} AnyGPT tokens are not in the tokenizer "
                f"({type(tokenizer).__name__}, {len(tokenizer)} entries), first {missing[:3]}; "
                "load the AnyGPT checkpoint's own tokenizer, or extend a Llama tokenizer with "
                f"extend_tokenizer(tokenizer{', chat=True' if chat else ''})"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("the tokenizer maps several AnyGPT tokens to one id")
        specials = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id}
        unset = [name for name, value in specials.items() if value is None]
        if unset:
            raise ValueError(f"the tokenizer has no {' or '.join(unset)} (Llama has <s> and </s>)")
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else unk
        if pad is None:
            raise ValueError("the tokenizer has neither a pad token nor <unk> to pad with")
        code_ids = {
            modality: tuple(
                i
                for e, i in zip(entries, ids)
                if e.kind is TokenKind.CODE and e.modality is modality
            )
            for modality in MODALITY_TOKENS
        }
        return cls(
            bos_id=specials["bos_token_id"],
            eos_id=specials["eos_token_id"],
            pad_id=pad,
            token_ids=dict(zip(texts, ids)),
            entries=dict(zip(ids, entries)),
            code_ids=code_ids,
            chat=chat,
            size=len(tokenizer),
        )

    @property
    def user_id(self) -> int:
        return self.token_ids[USER]

    @property
    def assistant_id(self) -> int:
        return self.token_ids[ASSISTANT]

    @property
    def user_end_id(self) -> int:
        return self.token_ids[USER_END]

    @property
    def assistant_end_id(self) -> int:
        return self.token_ids[ASSISTANT_END]

    def start_id(self, modality: Modality) -> int:
        """Id of the modality's start tag."""
        return self.token_ids[modality_tokens(modality).start]

    def end_id(self, modality: Modality) -> int:
        """Id of the modality's end tag."""
        return self.token_ids[modality_tokens(modality).end]

    def codes_to_ids(
        self, modality: Modality, codes: Sequence[int] | Sequence[Sequence[int]]
    ) -> list[int]:
        """Token ids of a whole span (start tag, codes, end tag), without going through text."""
        scheme = modality_tokens(modality)
        table = self.code_ids[modality]
        return [
            self.token_ids[scheme.start],
            *(table[v] for v in scheme.flatten(codes)),
            self.token_ids[scheme.end],
        ]

    def ids_to_string(self, ids: Sequence[int]) -> str:
        """The exact text of a run of AnyGPT tokens (no spaces inserted, unlike slow decoding)."""
        try:
            return "".join(self.entries[i].text for i in ids)
        except KeyError as err:
            raise ValueError(f"id {err.args[0]} is not an AnyGPT added token") from None

    def split(self, text: str) -> list[str | int]:
        """The text as plain chunks (str) and AnyGPT tokens (their ids), in order, the way the
        tokenizer's added-token matching splits it."""
        parts: list[str | int] = []
        pos = scan = 0
        while match := _ADDED_TOKEN_PATTERN.search(text, scan):
            token_id = self.token_ids.get(match[0])
            if token_id is None:
                scan = match.start() + 1  # a bracketed non-token may still contain a token
                continue
            if match.start() > pos:
                parts.append(text[pos : match.start()])
            parts.append(token_id)
            pos = scan = match.end()
        if pos < len(text):
            parts.append(text[pos:])
        return parts

    def string_to_ids(self, text: str) -> list[int]:
        """Ids of a string made only of AnyGPT tokens (a modality string, role tokens)."""
        parts = self.split(text)
        ids = [part for part in parts if isinstance(part, int)]
        if len(ids) != len(parts):
            stray = next(part for part in parts if isinstance(part, str))
            raise ValueError(f"not made of AnyGPT tokens only: {stray[:40]!r}")
        return ids
