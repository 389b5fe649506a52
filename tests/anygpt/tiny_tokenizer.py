"""Tiny Llama-style tokenizers built offline, and their AnyGPT extension, for tests.

Same pipeline as Llama-2's (SentencePiece-style BPE with byte fallback, '▁' for spaces, `<unk>`
`<s>` `</s>` at ids 0-2), but a base vocabulary of a few hundred pieces instead of 32000, so
AnyGPT's added tokens get ids that differ from the reference's 32000 + position.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sentencepiece as spm
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


CORPUS = (
    "Describe what you see in the picture, then read the text out loud.",
    "This is input: a small dog runs on the green grass in the morning.",
    "Please write down the spoken words and describe the mood of the music.",
    "The capital of France is Paris; it lies on the river Seine.",
)


def tiny_sentencepiece_model(corpus: Sequence[str] = CORPUS, vocab_size: int = 400) -> bytes:
    """A SentencePiece BPE model trained on `corpus` with Llama-2's settings (byte fallback,
    dummy prefix, identity normalization, no whitespace squeezing, digits split)."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(corpus) * 10),
        model_writer=model,
        model_type="bpe",
        vocab_size=vocab_size,
        byte_fallback=True,
        split_digits=True,
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    return model.getvalue()


def llama_tokenizer_from_sentencepiece(model: bytes) -> LlamaTokenizer:
    """The transformers Llama tokenizer converted from a SentencePiece model file."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "tokenizer.model").write_bytes(model)
        return LlamaTokenizer.from_pretrained(folder)
