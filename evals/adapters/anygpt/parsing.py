"""Parse AnyGPT's generated token ids into a text or a span of modality codes, without raising.

The reference decodes ids to a string and searches it for tags, which depends on how the
tokenizer spaces added tokens when decoding (see `reference_postprocess`). Working on ids avoids
that: tags and codes are looked up by id, and only plain-text ids are ever decoded.

Rules, for the ids generated after the prompt's `[MMGPT]:`:
- text: everything before the first `<eos>` or `</s>`; another role token also ends it.
- image, speech, music: the codes between the first start tag of that modality and its end
  tag; a role token, `</s>` or another start tag also ends the span. A start tag after the
  answer ended (`<eos>`, `</s>`, another role token) is not looked at. Music values are taken
  modulo 2048 and cut to whole frames of 4, as the reference does.
Anything unexpected becomes a `ParseIssue`; `usable` says whether the payload can be decoded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evals.adapters.anygpt.vocab import AnyGPTVocab, ModalityTokens, TokenKind, modality_tokens
from evals.types import Modality


class IssueKind(str, enum.Enum):
    """Ways a generated output breaks the expected format."""

    NO_SPAN = "no_span"
    """No start tag of the wanted modality."""
    MISSING_END = "missing_end"
    """The text or span was not closed by its own end tag."""
    WRONG_LENGTH = "wrong_length"
    """An empty span, or an image span without exactly 32 codes."""
    STRAY_TOKENS = "stray_tokens"
    """Tokens that do not belong (other modalities' codes, text inside a span, tags in text)."""
    OUT_OF_RANGE = "out_of_range"
    """Ids the tokenizer does not have."""
    CODEBOOK_ORDER = "codebook_order"
    """Music tokens whose +2048*k offset does not match their place in the frame."""
    PARTIAL_FRAME = "partial_frame"
    """Music tokens that do not fill a whole frame of 4; dropped."""


@dataclass(frozen=True)
class ParseIssue:
    """One thing wrong with an output."""

    kind: IssueKind
    """What is wrong."""
    detail: str
    """Human-readable specifics."""


@dataclass(frozen=True)
class ParsedOutput:
    """What was read from one generated sequence."""

    modality: Modality
    """The output modality that was expected."""
    text: str | None
    """The answer text (text outputs), stripped; None for modality outputs."""
    codes: tuple[tuple[int, ...], ...]
    """[codebook][frame] codes (one row for image and speech, 4 for music); empty for text."""
    usable: bool
    """Whether the payload can go to a de-tokenizer (text: always)."""
    issues: tuple[ParseIssue, ...] = ()
    """Everything that broke the format, in the order found."""
    span: tuple[int, int] | None = None
    """[first, last) positions of the payload in the ids; None when nothing was found."""

    @property
    def malformed(self) -> str | None:
        """The issues as one message, None for a well-formed output."""
        return "; ".join(issue.detail for issue in self.issues) or None


def parse_output(
    ids: Sequence[int],
    output: Modality,
    vocab: AnyGPTVocab,
    decode_text: Callable[[list[int]], str] | None = None,
) -> ParsedOutput:
    """Parse the ids generated after the prompt. `decode_text` turns plain-text ids into a
    string (e.g. `lambda ids: tokenizer.decode(ids, skip_special_tokens=True)`); text only."""
    parser = _PARSERS.get(output)
    if parser is None:
        raise ValueError(f"AnyGPT outputs text, image, speech or music, not {output}")
    return parser(list(ids), output, vocab, decode_text)


def _describe(token_id: int, vocab: AnyGPTVocab) -> str:
    entry = vocab.entries.get(token_id)
    return entry.text if entry else f"id {token_id}"


def _ends_turn(token_id: int, vocab: AnyGPTVocab) -> bool:
    """`</s>` or a role token: whatever comes next belongs to another turn."""
    entry = vocab.entries.get(token_id)
    return token_id == vocab.eos_id or (entry is not None and entry.kind is TokenKind.ROLE)


def _misplaced(ids: Sequence[int], vocab: AnyGPTVocab, where: str) -> list[ParseIssue]:
    """Issues for ids that do not belong where they are: out-of-range ids, then the rest."""
    issues = []
    outside = [i for i in ids if not 0 <= i < vocab.size]
    if outside:
        issues.append(
            ParseIssue(
                IssueKind.OUT_OF_RANGE,
                f"{len(outside)} ids outside the vocabulary of {vocab.size} {where}: {outside[:3]}",
            )
        )
    stray = [i for i in ids if 0 <= i < vocab.size]
    if stray:
        shown = ", ".join(_describe(i, vocab) for i in stray[:3])
        issues.append(
            ParseIssue(
                IssueKind.STRAY_TOKENS, f"{len(stray)} stray tokens {where} dropped: {shown}"
            )
        )
    return issues


def _parse_text(
    ids: list[int],
    output: Modality,
    vocab: AnyGPTVocab,
    decode_text: Callable[[list[int]], str] | None,
) -> ParsedOutput:
    if decode_text is None:
        raise TypeError("parsing a text output needs decode_text")
    issues = []
    end = next((i for i, t in enumerate(ids) if _ends_turn(t, vocab)), len(ids))
    if end == len(ids):
        issues.append(ParseIssue(IssueKind.MISSING_END, "no <eos> or </s>: the answer was cut off"))
    elif ids[end] not in (vocab.assistant_end_id, vocab.eos_id):
        ended_by = _describe(ids[end], vocab)
        issues.append(ParseIssue(IssueKind.MISSING_END, f"answer ended by {ended_by}, not <eos>"))
    plain, misplaced = [], []
    for t in ids[:end]:
        (misplaced if t in vocab.entries or not 0 <= t < vocab.size else plain).append(t)
    issues += _misplaced(misplaced, vocab, "in the text")
    return ParsedOutput(output, decode_text(plain).strip(), (), True, tuple(issues), (0, end))


def _parse_span(
    ids: list[int],
    output: Modality,
    vocab: AnyGPTVocab,
    decode_text: Callable[[list[int]], str] | None,
) -> ParsedOutput:
    scheme = modality_tokens(output)
    start_id, end_id = vocab.start_id(output), vocab.end_id(output)
    turn_end = next((i for i, t in enumerate(ids) if _ends_turn(t, vocab)), len(ids))
    if start_id not in ids[:turn_end]:
        issue = ParseIssue(IssueKind.NO_SPAN, f"no {scheme.start} before the answer ended")
        return ParsedOutput(output, None, (), False, (issue,))
    first = stop = ids.index(start_id) + 1
    values, misplaced, issues = [], [], []
    while stop < len(ids) and ids[stop] != end_id:
        entry = vocab.entries.get(ids[stop])
        if _ends_turn(ids[stop], vocab) or (entry and entry.kind is TokenKind.START):
            break
        if entry and entry.kind is TokenKind.CODE and entry.modality is output:
            values.append(entry.value)
        else:
            misplaced.append(ids[stop])
        stop += 1
    if stop == len(ids) or ids[stop] != end_id:
        ended_by = _describe(ids[stop], vocab) if stop < len(ids) else "the end of the output"
        issues.append(
            ParseIssue(IssueKind.MISSING_END, f"no {scheme.end}: span ended by {ended_by}")
        )
    issues += _misplaced(misplaced, vocab, f"inside {scheme.start}")
    issues += _frame_checks(values, scheme)
    frames = len(values) // scheme.codebooks
    if scheme.fixed_length is not None and len(values) != scheme.fixed_length:
        detail = f"{len(values)} codes (expected {scheme.fixed_length})"
        issues.append(ParseIssue(IssueKind.WRONG_LENGTH, detail))
    elif frames == 0:
        issues.append(
            ParseIssue(IssueKind.WRONG_LENGTH, f"nothing to decode ({len(values)} codes)")
        )
    usable = frames > 0 and scheme.fixed_length in (None, len(values))
    return ParsedOutput(
        output, None, scheme.split_codebooks(values), usable, tuple(issues), (first, stop)
    )


def _frame_checks(values: Sequence[int], scheme: ModalityTokens) -> list[ParseIssue]:
    """Codebook-position and whole-frame checks for modalities with several codebooks."""
    if scheme.codebooks == 1:
        return []
    issues = []
    misplaced = [
        i for i, v in enumerate(values) if v // scheme.codebook_size != i % scheme.codebooks
    ]
    if misplaced:
        issues.append(
            ParseIssue(
                IssueKind.CODEBOOK_ORDER,
                f"{len(misplaced)} tokens in the wrong codebook position (first at {misplaced[0]}); "
                f"taken modulo {scheme.codebook_size}",
            )
        )
    partial = len(values) % scheme.codebooks
    if partial:
        issues.append(
            ParseIssue(IssueKind.PARTIAL_FRAME, f"{partial} tokens of an unfinished frame dropped")
        )
    return issues


_PARSERS: Mapping[Modality, Callable[..., ParsedOutput]] = {
    Modality.TEXT: _parse_text,
    Modality.IMAGE: _parse_span,
    Modality.SPEECH: _parse_span,
    Modality.MUSIC: _parse_span,
}
