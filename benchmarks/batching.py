"""Batching: throughput of a tiny LLaMA's generation at batch 1 against batch 16 (left padding).

    python -m benchmarks.batching [--prompts 64] [--new-tokens 32] [--threads 1]

A LlamaForCausalLM from a small config (seeded random weights, LLaMA's 32,000-token
vocabulary), prompts of 8 to 96 random tokens, greedy decoding of exactly `--new-tokens` tokens,
prompts padded on the left with an attention mask (as the AnyGPT adapter batches). Arms: batch 1;
batch 16 in input order; batch 16 after sorting by prompt length (what the runner does within
its window). One torch thread by default (`--threads`): on a shared 2-core machine, two
threads that wait for each other's core make every step several times slower. Reported: generated tokens per second, the
speed-up over batch 1, the padding share of the batched prompts, and whether the batched
outputs equal the unbatched ones token for token.
"""

from __future__ import annotations

import argparse
import random
import time

import evals  # noqa: F401  (import hook before transformers)


def build_model():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=32000,
        hidden_size=256,
        intermediate_size=688,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=512,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    return LlamaForCausalLM(config).eval()


def generate(model, prompts: list[list[int]], new_tokens: int) -> tuple[list[list[int]], int]:
    """Greedy continuations of left-padded prompts; also the number of pad positions."""
    import torch

    width = max(len(p) for p in prompts)
    ids = torch.zeros((len(prompts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, p in enumerate(prompts):
        ids[i, width - len(p) :] = torch.tensor(p)
        mask[i, width - len(p) :] = 1
    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
            pad_token_id=0,
        )
    pads = int((mask == 0).sum())
    return [row[width:].tolist() for row in out], pads


def run_arm(model, prompts, batch: int, sort: bool, new_tokens: int):
    order = list(range(len(prompts)))
    if sort:
        order.sort(key=lambda i: -len(prompts[i]))
    outputs: dict[int, list[int]] = {}
    pads = 0
    t0 = time.perf_counter()
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        outs, p = generate(model, [prompts[i] for i in idx], new_tokens)
        pads += p
        outputs.update(zip(idx, outs))
    return time.perf_counter() - t0, [outputs[i] for i in range(len(prompts))], pads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from benchmarks import machine

    rng = random.Random(0)
    prompts = [
        [rng.randrange(3, 32000) for _ in range(rng.randint(8, 96))] for _ in range(args.prompts)
    ]
    model = build_model()
    run_arm(model, prompts[:2], 2, False, 4)  # warm-up
    tokens = args.prompts * args.new_tokens
    real = sum(len(p) for p in prompts)
    arms = [
        ("batch 1", 1, False),
        ("batch 16, input order", 16, False),
        ("batch 16, length-sorted", 16, True),
    ]
    results = {}
    for label, batch, sort in arms:
        results[label] = run_arm(model, prompts, batch, sort, args.new_tokens)
        print(f"{label}: {results[label][0]:.1f} s (load {machine.load_now()})")
    base_s, base_out, _ = results["batch 1"]
    print(
        f"\n## Batching ({args.prompts} prompts of 8-96 tokens, {args.new_tokens} new tokens each)\n"
    )
    print(machine.block() + "\n")
    print("| arm | wall (s) | generated tokens/s | speed-up | padding | same tokens as batch 1 |")
    print("|---|---|---|---|---|---|")
    for label, _, _ in arms:
        wall, outs, pads = results[label]
        same = sum(a == b for a, b in zip(outs, base_out))
        print(
            f"| {label} | {wall:.2f} | {tokens / wall:.0f} | {base_s / wall:.2f}x "
            f"| {100 * pads / (pads + real):.0f}% | {same}/{len(outs)} |"
        )


if __name__ == "__main__":
    main()
