"""AnyGPT sampled directions: tiny AnyGPT generation at batch 1 vs 8 vs 16, and the paper suite's
GPU-hours at those batch sizes.

    python -m benchmarks.anygpt_throughput [--requests 32] [--new-tokens 48] [--threads 1]
                                           [--device cpu] [--dtype float32]

The tiny AnyGPT's LLM (2-layer LLaMA, hidden 64, the tiny Llama tokenizer with AnyGPT's added
tokens; seeded random weights, so it samples freely until the token budget) behind the adapter's
own prompt building and `AnyGPTLanguageModel.generate`, for each sampled direction
(text-to-image, text-to-speech, text-to-music) with the `anygpt-paper` preset and a fixed
`max_new_tokens`. Every request has its own seed. Reported per direction and batch size:
generated tokens/s (pad positions after a row's end excluded), speed-up over batch 1 and the
number of requests whose tokens equal their batch-1 tokens.

`estimate()` turns sample counts, tokens per sample and a stated per-token decode rate into the
paper suite's GPU-hours; its inputs are printed with it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import evals  # noqa: F401  (import hook before transformers)

DIRECTIONS = {"text-to-image": "image", "text-to-speech": "speech", "text-to-music": "music"}
BATCHES = (1, 8, 16)


def build_tiny_llm(folder: Path, seed: int = 0) -> Path:
    """The tiny AnyGPT LLM (the test model's architecture, untrained) saved with its tokenizer."""
    import torch
    from transformers import LlamaForCausalLM

    from tests.anygpt.tiny_anygpt import tiny_llm_config
    from tests.anygpt.tiny_tokenizer import tiny_anygpt_tokenizer

    tokenizer = tiny_anygpt_tokenizer()
    torch.manual_seed(seed)
    LlamaForCausalLM(tiny_llm_config(tokenizer)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def load_adapter(llm: Path, device: str, dtype: str):
    from evals.registry import MODELS
    from evals.spec import ModelSpec

    return MODELS.get("anygpt").from_spec(
        ModelSpec.parse(f"anygpt:llm={llm},device={device},dtype={dtype}")
    )


def requests(output: str, n: int, new_tokens: int):
    from evals.types import Decoding, Modality, Request, Text

    rng = random.Random(0)
    words = [
        "a",
        "dog",
        "runs",
        "in",
        "the",
        "park",
        "under",
        "rain",
        "while",
        "birds",
        "sing",
        "softly",
    ]
    return [
        Request(
            "bench",
            f"r{i}",
            (Text(" ".join(rng.choice(words) for _ in range(rng.randint(2, 16)))),),
            Modality(output),
            Decoding("anygpt-paper", 1000 + i, {"max_new_tokens": new_tokens}),
        )
        for i in range(n)
    ]


def generate(adapter, reqs, batch: int) -> tuple[float, list[tuple[int, ...]], int]:
    """Wall seconds, each request's generated ids (up to its stop) and the tokens generated."""
    from evals.adapters.anygpt.decoding import generation_plan

    prepared = [adapter.prepare(r) for r in reqs]
    first = reqs[0]
    plan = generation_plan(
        adapter.preset(first), first.output, adapter.llm.vocab, first.decoding.overrides
    )
    out: list[tuple[int, ...]] = []
    t0 = time.perf_counter()
    for start in range(0, len(prepared), batch):
        group = prepared[start : start + batch]
        ids = adapter.llm.generate(
            [p.prompt_ids for p in group], plan, [p.request.decoding.seed for p in group]
        )
        out += [tuple(row) for row in ids]
    return time.perf_counter() - t0, out, sum(len(o) for o in out)


def measure(adapter, n: int, new_tokens: int) -> list[dict]:
    rows = []
    for name, output in DIRECTIONS.items():
        reqs = requests(output, n, new_tokens)
        generate(adapter, reqs[:2], 2)  # warm-up
        base = None
        for batch in BATCHES:
            wall, tokens, count = generate(adapter, reqs, batch)
            base = base or (wall, tokens)
            same = sum(a == b for a, b in zip(tokens, base[1]))
            rows.append(
                {
                    "direction": name,
                    "batch": batch,
                    "wall": wall,
                    "tokens_per_s": count / wall,
                    "speedup": base[0] / wall,
                    "same": f"{same}/{n}",
                }
            )
    return rows


@dataclass(frozen=True)
class SuiteTask:
    """One task of the paper suite, for the GPU-hours estimate."""

    name: str
    samples: int
    """Samples the task generates (source in `note`)."""
    tokens: int
    """Generated tokens per sample (budget or typical length, see `note`)."""
    rows: int
    """Sequences per sample in the batch (beams for search; they share each decode step)."""
    note: str


PAPER_SUITE = (
    SuiteTask("librispeech-asr", 2620, 40, 5, "test-clean; ~20 words + tags; beam 5"),
    SuiteTask(
        "vctk-tts-paper",
        108,
        160,
        1,
        "1 target per speaker (was 44,242 utterances); ~3 s at 50 tokens/s + tags",
    ),
    SuiteTask("coco-caption", 5000, 20, 5, "Karpathy test; ~10 words + tags; beam 5"),
    SuiteTask("coco-t2i", 30000, 36, 1, "30k captions; 32 image ids + tags"),
    SuiteTask(
        "musiccaps-t2m", 5521, 2000, 1, "budget 2000 (10 s x 50 Hz x 4 codebooks); top-p 1.0"
    ),
    SuiteTask("musiccaps-caption", 5521, 40, 5, "~25 words + tags; beam 5"),
)
RATE_BATCH_1 = 30.0
"""Assumed decode rate of LLaMA-2-7B in fp16 under HF transformers `generate` on one H100 at
batch 1 (tokens/s, ~33 ms a step; a typical figure for eager HF decoding, not measured here).
Decode is memory-bound: the step time is assumed flat up to 16 rows, so B rows give B x."""
FLAT_UP_TO = 16


def estimate(batches=(1, 8, 16)) -> list[dict]:
    out = []
    for t in PAPER_SUITE:
        row = {"task": t.name, "samples": t.samples, "tokens": t.tokens, "note": t.note}
        for b in batches:
            steps = t.samples * t.tokens / min(b, FLAT_UP_TO)  # a beam's rows share its step
            row[f"h@{b}"] = steps / RATE_BATCH_1 / 3600
        out.append(row)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=32)
    p.add_argument("--new-tokens", type=int, default=48)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="float32")
    args = p.parse_args()
    import torch

    from benchmarks.machine import block

    torch.set_num_threads(args.threads)
    print(block())
    with tempfile.TemporaryDirectory() as tmp:
        adapter = load_adapter(build_tiny_llm(Path(tmp) / "llm"), args.device, args.dtype)
        rows = measure(adapter, args.requests, args.new_tokens)
    print(
        f"\n{args.requests} requests per direction, max_new_tokens {args.new_tokens}, "
        f"{args.threads} thread(s)\n"
    )
    print(
        "| direction | batch | wall (s) | generated tokens/s | speed-up | same tokens as batch 1 |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['direction']} | {r['batch']} | {r['wall']:.2f} | {r['tokens_per_s']:.0f} "
            f"| {r['speedup']:.2f}x | {r['same']} |"
        )
    print(f"\nPaper suite GPU-hours at an assumed {RATE_BATCH_1:g} tokens/s at batch 1:\n")
    print("| task | samples | tokens/sample | batch 1 (h) | batch 8 (h) | batch 16 (h) | basis |")
    print("|---|---|---|---|---|---|---|")
    rows = estimate()
    for r in rows:
        print(
            f"| {r['task']} | {r['samples']} | {r['tokens']} | {r['h@1']:.1f} | {r['h@8']:.1f} "
            f"| {r['h@16']:.1f} | {r['note']} |"
        )
    totals = [sum(r[f"h@{b}"] for r in rows) for b in (1, 8, 16)]
    print(f"| total | | | {totals[0]:.1f} | {totals[1]:.1f} | {totals[2]:.1f} | |")


if __name__ == "__main__":
    main()
