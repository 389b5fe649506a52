"""A tiny Llama-style tokenizer built offline, and its AnyGPT extension, for tests.

Same pipeline as Llama-2's (SentencePiece-style BPE with byte fallback, '▁' for spaces, `<unk>`
`<s>` `</s>` at ids 0-2), but a base vocabulary of a few hundred pieces instead of 32000, so
AnyGPT's added tokens get ids that differ from the reference's 32000 + position.
"""

from __future__ import annotations

from transformers import LlamaTokenizer

from evals.adapters.anygpt.vocab import extend_tokenizer

_MERGES = [("▁", "t"), ("h", "e"), ("▁t", "he"), ("▁", "a"), ("i", "n"), ("▁", "in"), ("▁", "▁")]


def tiny_llama_tokenizer() -> LlamaTokenizer:
    """A base tokenizer: 3 special tokens, 256 byte tokens, '▁', printable ASCII, a few merges."""
    pieces = ["<unk>", "<s>", "</s>"]
    pieces += [f"<0x{b:02X}>" for b in range(256)]
    pieces += ["▁"] + [chr(c) for c in range(33, 127)]
    pieces += ["".join(pair) for pair in _MERGES]
    return LlamaTokenizer(
        vocab={piece: i for i, piece in enumerate(pieces)}, merges=_MERGES, add_bos_token=True
    )


def tiny_anygpt_tokenizer(*, chat: bool = False) -> LlamaTokenizer:
    """The tiny base tokenizer extended with AnyGPT's tokens in the reference order."""
    tokenizer = tiny_llama_tokenizer()
    extend_tokenizer(tokenizer, chat=chat)
    return tokenizer
