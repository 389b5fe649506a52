"""AnyGPT's language model: a transformers LlamaForCausalLM with the extended vocabulary.

Prompts are tokenized the way the reference's slow Llama tokenizer did (see `prompt_ids`);
batches are left-padded with an attention mask, as the reference CLI sets `padding_side='left'`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from evals.adapters.anygpt.decoding import GenerationPlan
from evals.adapters.anygpt.prompt_ids import prompt_ids
from evals.adapters.anygpt.vocab import RESPONSE_SEP, AnyGPTVocab


def read_legacy_flag(source: str, tokenizer: Any) -> bool:
    """The tokenizer's `legacy` flag; unset means True, as transformers 4.34.1 (AnyGPT's) read it."""
    config = Path(source) / "tokenizer_config.json"
    if config.is_file():
        value = json.loads(config.read_text(encoding="utf-8")).get("legacy")
    else:
        value = getattr(tokenizer, "init_kwargs", {}).get("legacy")
    return True if value is None else bool(value)


@dataclass
class AnyGPTLanguageModel:
    """The LLM, its tokenizer and the AnyGPT ids read from it."""

    model: Any
    """LlamaForCausalLM (eval mode)."""
    tokenizer: Any
    """The checkpoint's tokenizer (tokenizers-backed)."""
    vocab: AnyGPTVocab
    """AnyGPT token ids, read and checked from the tokenizer."""
    legacy: bool
    """Llama tokenizer `legacy` flag used to rebuild prompt ids."""
    source: str
    """Folder or hub id it was loaded from."""

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def is_chat(self) -> bool:
        """The SFT (chat) checkpoint has the `<-Res->` token; the base model does not."""
        return self.vocab.chat

    def encode_prompt(self, text: str) -> list[int]:
        return prompt_ids(text, self.tokenizer, self.vocab, legacy=self.legacy)

    def decode_text(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    @torch.inference_mode()
    def generate(
        self, prompts: Sequence[Sequence[int]], plan: GenerationPlan, seeds: Sequence[int]
    ) -> list[list[int]]:
        """Generated ids after each prompt: one left-padded batched call; sampled rows draw from
        their own request's seed (`seeds`, one per prompt), so no row depends on its batch."""
        from transformers import GenerationConfig

        from evals.adapters.seeded_sampling import SeededSampler

        width = max(len(p) for p in prompts)
        pad = self.vocab.pad_id
        input_ids = torch.tensor(
            [[pad] * (width - len(p)) + list(p) for p in prompts], device=self.device
        )
        mask = torch.tensor(
            [[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.device
        )
        processors = []
        if plan.sampler is not None:
            s = plan.sampler
            processors.append(
                SeededSampler(
                    seeds, 1, self.device, temperature=s.temperature, top_k=s.top_k, top_p=s.top_p
                )
            )
        if plan.beam_sampling:
            if len(prompts) != 1:
                raise ValueError("beam sampling draws from the global generator: one prompt a call")
            torch.manual_seed(int(seeds[0]))
        out = self.model.generate(
            input_ids=input_ids,
            attention_mask=mask,
            generation_config=GenerationConfig(**plan.config_kwargs),
            logits_processor=processors,
        )
        return [until_stop(row[width:].tolist(), plan.stop_ids) for row in out]


def until_stop(ids: list[int], stops: Sequence[int]) -> list[int]:
    """A row's ids up to and including its first stop id: the padding a batch appends after a
    finished row is not part of it (so a row reads the same at any batch size)."""
    for k, t in enumerate(ids):
        if t in stops:
            return ids[: k + 1]
    return ids


def load_language_model(
    source: str, device: str, dtype: torch.dtype, legacy: str = "auto"
) -> AnyGPTLanguageModel:
    """AnyGPT-base or AnyGPT-chat from a folder or hub id; the vocabulary is checked on load."""
    from transformers import AutoTokenizer, LlamaForCausalLM

    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = LlamaForCausalLM.from_pretrained(source, dtype=dtype)
    except OSError as exc:
        raise FileNotFoundError(
            f"AnyGPT language model not found at {source!r}: expected a transformers Llama folder "
            "(config.json, weights, tokenizer files) or a hub id such as fnlp/AnyGPT-base"
        ) from exc
    chat = RESPONSE_SEP in tokenizer.get_vocab()
    try:
        vocab = AnyGPTVocab.from_tokenizer(tokenizer, chat=chat)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from exc
    if model.get_input_embeddings().num_embeddings < vocab.size:
        raise ValueError(
            f"{source}: the model has {model.get_input_embeddings().num_embeddings} embeddings "
            f"but the tokenizer {vocab.size} ids"
        )
    flag = read_legacy_flag(source, tokenizer) if legacy == "auto" else legacy == "true"
    return AnyGPTLanguageModel(model.to(device).eval(), tokenizer, vocab, flag, source)
