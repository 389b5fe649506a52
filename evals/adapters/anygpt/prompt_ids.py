"""Prompt token ids built segment by segment, with Llama's `legacy` flag made explicit.

The reference tokenizes a prompt with transformers 4.34.1's slow LlamaTokenizer: the string is
split at added tokens (AnyGPT's are not special and strip no whitespace) and each text chunk is
SentencePiece-encoded on its own. With `legacy=True` every chunk gets SentencePiece's dummy
prefix '▁'; with `legacy=False` only the start of the whole string does, which puts a lone '▁'
token before a leading `[Human]`. A tokenizers-backed Llama tokenizer in transformers 5 does
neither (no prefix after an added token), so `tokenizer(prompt)` yields ids the model was not
trained on. `prompt_ids` rebuilds the reference's ids for either flag.
"""

from __future__ import annotations

from typing import Any

from evals.adapters.anygpt.vocab import AnyGPTVocab

SPIECE_SPACE = "\u2581"


def prompt_ids(text: str, tokenizer: Any, vocab: AnyGPTVocab, *, legacy: bool) -> list[int]:
    """`<s>` and the ids the reference's slow Llama tokenizer gives `text` under `legacy`."""
    model = getattr(getattr(tokenizer, "backend_tokenizer", None), "model", None)
    if model is None:
        raise TypeError(
            f"{type(tokenizer).__name__} has no tokenizers backend; prompt_ids needs a "
            "tokenizers-backed (fast) Llama tokenizer"
        )

    def pieces(chunk: str) -> list[int]:
        return [token.id for token in model.tokenize(chunk.replace(" ", SPIECE_SPACE))]

    ids = [vocab.bos_id]
    parts = vocab.split(text)
    if not legacy and parts and isinstance(parts[0], int):
        ids += pieces(SPIECE_SPACE)
    for index, part in enumerate(parts):
        if isinstance(part, int):
            ids.append(part)
        else:
            prefixed = legacy or index == 0
            ids += pieces(SPIECE_SPACE + part if prefixed else part)
    return ids
