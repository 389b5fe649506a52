"""A tiny AnyGPT in the released folder layouts, for end-to-end tests of the adapter.

    <root>/llm/      transformers Llama folder: the tiny Llama tokenizer + AnyGPT's added tokens,
                     and a 2-layer LlamaForCausalLM trained here for a few seconds to answer each
                     direction's prompt with a fixed well-formed output (so every decode path runs)
    <root>/speech/   AnyGPT-speech-modules (tiny SpeechTokenizer + SoundStorm, seeded)
    <root>/music/    transformers Encodec 32 kHz folder (tiny, seeded, codebooks spread out)
    <root>/seed/     SEED-2 release files (seed_quantizer.pt, eva_vit_g.pth) + config.json
    <root>/unclip/   diffusers Stable unCLIP img2img pipeline (64-d image embeddings)

Nothing here depends on ../shared.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import torch

from evals.adapters.anygpt.image_codec import SEED_CONFIG_NAME
from evals.adapters.anygpt.instructions import default_instruction
from evals.adapters.anygpt.prompt_ids import prompt_ids
from evals.adapters.anygpt.prompts import build_prompt
from evals.adapters.anygpt.seed2 import TINY_CONFIG
from evals.adapters.anygpt.vocab import AnyGPTVocab, modality_tokens
from evals.types import Modality
from tests.anygpt.tiny_seed import write_tiny_seed_tokenizer
from tests.anygpt.tiny_speech import save_tiny_speech_modules
from tests.anygpt.tiny_tokenizer import tiny_anygpt_tokenizer
from tests.anygpt.tiny_unclip import save_tiny_unclip
from tests.tiny_music import save_tiny_encodec_32khz

TEXT_ANSWERS = {
    Modality.SPEECH: "hello world",
    Modality.MUSIC: "calm piano",
    Modality.IMAGE: "a red square",
}
"""What the tiny model answers for x -> text."""

CODE_ANSWERS = {
    Modality.SPEECH: [(37 * k + 11) % 1024 for k in range(24)],
    Modality.MUSIC: [[(101 * t + 7 * b) % 2048 for t in range(3)] for b in range(4)],
    Modality.IMAGE: [(263 * k + 5) % 8192 for k in range(32)],
}
"""What the tiny model answers for text -> x (codes as the vocabulary scheme takes them)."""


def _random_text(rng: random.Random) -> str:
    """A sentence of random words: mixed case, digits, punctuation, 1 to 12 words."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    words = [
        "".join(rng.choice(letters) for _ in range(rng.randint(1, 9)))
        for _ in range(rng.randint(1, 12))
    ]
    return " ".join(words) + rng.choice(("", ".", "!", "?", ","))


def _random_content(source: Modality, rng: random.Random) -> str:
    if source is Modality.TEXT:
        return _random_text(rng)
    scheme = modality_tokens(source)

    def values(n: int, size: int) -> list[int]:
        # half uniform noise, half a few repeated values (what a tokenizer gives a steady sound)
        pool = [rng.randrange(size) for _ in range(rng.choice((n, 1, 2, 3)))]
        return [rng.choice(pool) for _ in range(n)]

    if source is Modality.MUSIC:
        frames = rng.randint(3, 30)
        return scheme.to_string([values(frames, 2048) for _ in range(4)])
    n = 32 if source is Modality.IMAGE else rng.randint(10, 80)
    return scheme.to_string(values(n, scheme.codebook_size))


def _answer_ids(direction, tokenizer, vocab: AnyGPTVocab) -> list[int]:
    source, target = direction
    if target is Modality.TEXT:
        body = tokenizer(" " + TEXT_ANSWERS[source], add_special_tokens=False)["input_ids"]
    else:
        body = vocab.codes_to_ids(target, CODE_ANSWERS[target])
    return [*body, vocab.assistant_end_id, vocab.eos_id]


def _batch(directions, tokenizer, vocab, answers, rng):
    """Right-padded prompt+answer ids and the positions that predict each answer token."""
    seqs, spans = [], []
    for direction in directions:
        content = _random_content(direction[0], rng)
        prompt = build_prompt(direction, content, instruction=default_instruction(direction))
        ids = prompt_ids(prompt.text, tokenizer, vocab, legacy=True)
        seqs.append(ids + answers[direction])
        spans.append((len(ids) - 1, answers[direction]))
    width = max(map(len, seqs))
    batch = torch.tensor([s + [vocab.pad_id] * (width - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs])
    targets = torch.tensor([x for _, t in spans for x in t])
    return batch, mask, spans, targets


def _answer_logits(model, batch, mask, spans):
    hidden = model.model(input_ids=batch, attention_mask=mask).last_hidden_state
    rows = torch.cat([hidden[i, a : a + len(t)] for i, (a, t) in enumerate(spans)])
    return model.lm_head(rows)


def tiny_llm_config(tokenizer):
    """The tiny AnyGPT LLM's architecture: a 2-layer Llama over the tiny extended vocabulary."""
    from transformers import LlamaConfig

    vocab = AnyGPTVocab.from_tokenizer(tokenizer)
    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        bos_token_id=vocab.bos_id,
        eos_token_id=vocab.eos_id,
        pad_token_id=vocab.pad_id,
        tie_word_embeddings=False,
    )


def train_tiny_llm(
    tokenizer, directions, seed: int = 0, lr: float = 1e-2, chunk: int = 50, max_steps: int = 800
):
    """A 2-layer Llama that answers each direction's prompt with its fixed answer.

    Trained in chunks until, on 12 fresh prompts per direction, every answer token has
    probability > 0.98 (so greedy search and top-p 0.7 sampling give exactly the answer, and
    full sampling nearly always does); a model that never gets there fails loudly.
    """
    from transformers import LlamaForCausalLM

    vocab = AnyGPTVocab.from_tokenizer(tokenizer)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(tiny_llm_config(tokenizer))
    optim = torch.optim.AdamW(model.parameters(), lr=lr)
    warmup = 20
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / max_steps)
    )
    rng, probe_rng = random.Random(seed), random.Random(seed + 1000)
    answers = {d: _answer_ids(d, tokenizer, vocab) for d in directions}
    probes = [_batch(directions * 12, tokenizer, vocab, answers, probe_rng)]
    for step in range(1, max_steps + 1):
        batch, mask, spans, targets = _batch(directions * 2, tokenizer, vocab, answers, rng)
        loss = torch.nn.functional.cross_entropy(_answer_logits(model, batch, mask, spans), targets)
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
        if step % chunk == 0:
            with torch.no_grad():
                worst = min(
                    float(
                        torch.softmax(_answer_logits(model, b, m, sp), -1)[
                            torch.arange(len(t)), t
                        ].min()
                    )
                    for b, m, sp, t in probes
                )
            if worst > 0.98:
                model.generation_config.pad_token_id = vocab.pad_id
                return model.eval(), step
    raise RuntimeError(
        f"tiny AnyGPT did not learn its answers in {max_steps} steps (worst p={worst:.3f})"
    )


SPEECH_AND_MUSIC = (
    (Modality.SPEECH, Modality.TEXT),
    (Modality.TEXT, Modality.SPEECH),
    (Modality.MUSIC, Modality.TEXT),
    (Modality.TEXT, Modality.MUSIC),
)
ALL_DIRECTIONS = (
    *SPEECH_AND_MUSIC,
    (Modality.IMAGE, Modality.TEXT),
    (Modality.TEXT, Modality.IMAGE),
)


def save_tiny_llm(folder: Path, directions=ALL_DIRECTIONS, seed: int = 0) -> Path:
    """Train the tiny LLM on `directions` (about 100 s on 2 cores) and save it with its tokenizer."""
    tokenizer = tiny_anygpt_tokenizer()
    model, _ = train_tiny_llm(tokenizer, directions, seed)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_parts(root: Path, directions=ALL_DIRECTIONS, seed: int = 0) -> dict[str, Path]:
    """The tiny modality components (no LLM) under `root`; returns the option -> folder map."""
    parts: dict[str, Path] = {}
    if any(Modality.SPEECH in d for d in directions):
        parts["speech"] = save_tiny_speech_modules(root / "speech", seed)
    if any(Modality.MUSIC in d for d in directions):
        parts["music"] = save_tiny_encodec_32khz(root / "music", seed)
    if any(Modality.IMAGE in d for d in directions):
        seed_dir = write_tiny_seed_tokenizer(root / "seed", seed)
        (seed_dir / SEED_CONFIG_NAME).write_text(json.dumps(dataclasses.asdict(TINY_CONFIG)))
        parts["image"] = seed_dir
        parts["unclip"] = save_tiny_unclip(root / "unclip", seed)
    return parts


def spec(parts: dict[str, Path], **extra: str) -> str:
    """The `--model` spec of the tiny AnyGPT."""
    options = {**{k: str(v) for k, v in parts.items()}, "device": "cpu", **extra}
    return "anygpt:" + ",".join(f"{k}={v}" for k, v in options.items())
