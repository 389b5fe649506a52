"""The tiny AnyGPT on a device: all six directions, batch invariance, tokens/s, peak memory and
the out-of-memory back-off, per dtype.

    python -m benchmarks.gpu_check --device cuda --dtypes float16,bfloat16     # on a GPU
    python -m benchmarks.gpu_check --device cpu --dtypes float32 --requests 4  # CPU smoke test

The tiny AnyGPT of tests/anygpt (2-layer LLM trained for its fixed answers, tiny SpeechTokenizer
+ SoundStorm, Encodec 32 kHz, SEED-2 and unCLIP in their release layouts; `--llm random` skips
the training). The LLM runs in each dtype, the codecs in float32 (as the reference). Per
direction: one batched `generate` of `--requests` requests, statuses, generated tokens/s, and
how many requests give the same tokens as alone, with the preset and with hot sampling
(temperature 3, top-k 50, so the tokens depend on each seed); then a batch whose device raises
out-of-memory above 2 rows, through the runner's `generate_batch`: it must halve and still give
every request its batch-1 tokens. Peak memory: CUDA `max_memory_allocated`, else the peak RSS.
Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import evals  # noqa: F401  (import hook before transformers)

HOT = {"temperature": 3.0, "top_p": 1.0, "top_k": 50, "max_new_tokens": 24}


def build(root: Path, trained: bool) -> dict[str, Path]:
    from benchmarks.anygpt_throughput import build_tiny_llm
    from tests.anygpt.tiny_anygpt import build_tiny_parts, save_tiny_llm

    parts = build_tiny_parts(root / "parts")
    llm = save_tiny_llm(root / "llm") if trained else build_tiny_llm(root / "llm")
    return {"llm": llm, **parts}


def input_part(source, i: int):
    """The i-th input of a direction's source modality (lengths and contents vary with i)."""
    import numpy as np

    from evals.types import Audio, Image, Modality, Text
    from tests.fakes import tone

    if source is Modality.TEXT:
        return Text(" ".join(["rain"] * (1 + i % 6)))
    if source is Modality.SPEECH:
        return Audio(samples=tone(0.3 + 0.1 * i, 200 + 30 * i, 16000, i), sample_rate=16000)
    if source is Modality.MUSIC:
        return Audio(samples=tone(0.4, 300 + 20 * i, 32000, i), sample_rate=32000, kind=source)
    return Image(array=(np.random.default_rng(i).random((40, 48, 3)) * 255).astype(np.uint8))


def requests(direction, n: int, overrides=None):
    from evals.types import Audio, Decoding, Modality, Request
    from tests.fakes import tone

    source, output = direction
    prompt = Audio(samples=tone(3.0, 220, 16000, 99), sample_rate=16000)
    over = dict(overrides or {})
    if output is Modality.TEXT and not overrides:
        over = {"num_beams": 1, "max_new_tokens": 24}
    return [
        Request(
            "gpu-check",
            f"r{i}",
            (input_part(source, i),),
            output,
            Decoding("anygpt-paper", 500 + i, over),
            voice_prompt=prompt if output is Modality.SPEECH else None,
        )
        for i in range(n)
    ]


def peak_memory_mb(device: str) -> float:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_direction(adapter, direction, n: int) -> dict:
    import torch

    name = f"{direction[0].value}->{direction[1].value}"
    row = {"direction": name}
    for label, overrides in (("preset", None), ("hot", HOT)):
        reqs = requests(direction, n, overrides)
        if adapter.parts.device.startswith("cuda"):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        batched = adapter.generate(reqs)
        if adapter.parts.device.startswith("cuda"):
            torch.cuda.synchronize()
        wall = time.perf_counter() - t0
        singles = [adapter.generate([r])[0] for r in reqs]
        same = sum(a.token_ids == b.token_ids for a, b in zip(batched, singles))
        row[f"{label}_same"] = f"{same}/{n}"
        row[f"{label}_ok"] = same == n
        if label == "preset":
            tokens = sum(len(r.token_ids or ()) for r in batched)
            statuses = {}
            for r in batched:
                statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
            row["statuses"] = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            row["tokens_per_s"] = tokens / wall
            row["errors"] = sorted({r.error for r in batched if r.error})[:1]
    return row


class OutOfMemoryAbove:
    """Wraps an adapter: a batch of more than `rows` requests raises out-of-memory."""

    def __init__(self, adapter, rows: int):
        self.adapter, self.rows, self.refused = adapter, rows, 0

    def generate(self, reqs):
        import torch

        if len(reqs) > self.rows:
            self.refused += 1
            error = getattr(torch.cuda, "OutOfMemoryError", RuntimeError)
            raise error(f"CUDA out of memory (simulated above {self.rows} rows)")
        return self.adapter.generate(reqs)


def check_backoff(adapter, n: int) -> dict:
    from evals.batching import BatchSizer
    from evals.model_calls import generate_batch
    from evals.types import Modality

    reqs = requests((Modality.TEXT, Modality.IMAGE), n, HOT)
    sizer = BatchSizer(max(n, 4))
    wrapped = OutOfMemoryAbove(adapter, 2)
    got = generate_batch(wrapped, reqs, sizer)
    alone = [adapter.generate([r])[0] for r in reqs]
    same = sum(a.token_ids == b.token_ids for a, b in zip(got, alone))
    ok = sizer.size <= 2 and sizer.backoffs >= 1 and same == n
    return {"size": sizer.size, "backoffs": sizer.backoffs, "same": f"{same}/{n}", "ok": ok}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtypes", default="float16,bfloat16")
    p.add_argument("--requests", type=int, default=8)
    p.add_argument("--llm", choices=("trained", "random"), default="trained")
    args = p.parse_args()
    import torch

    from benchmarks.machine import block
    from evals.registry import MODELS
    from evals.spec import ModelSpec
    from tests.anygpt.tiny_anygpt import ALL_DIRECTIONS, spec

    print(block())
    if args.device.startswith("cuda"):
        print(f"- device: {torch.cuda.get_device_name()}")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        parts = build(Path(tmp), args.llm == "trained")
        print(f"- tiny AnyGPT built in {time.perf_counter() - t0:.0f} s ({args.llm} LLM)\n")
        for dtype in args.dtypes.split(","):
            if args.device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats()
            model = ModelSpec.parse(spec(parts, device=args.device, dtype=dtype))
            adapter = MODELS.get("anygpt").from_spec(model)
            print(f"### {dtype} on {args.device}\n")
            print("| direction | statuses | tokens/s | same as alone (preset) | same (hot) |")
            print("|---|---|---|---|---|")
            for direction in ALL_DIRECTIONS:
                row = check_direction(adapter, direction, args.requests)
                failed |= not (row["preset_ok"] and row["hot_ok"]) or bool(row["errors"])
                print(
                    f"| {row['direction']} | {row['statuses']} | {row['tokens_per_s']:.0f} "
                    f"| {row['preset_same']} | {row['hot_same']} |"
                )
                if row["errors"]:
                    print(f"|  error | {row['errors'][0]} | | | |")
            backoff = check_backoff(adapter, args.requests)
            failed |= not backoff["ok"]
            print(
                f"\nOOM back-off: batch {max(args.requests, 4)} -> {backoff['size']} after "
                f"{backoff['backoffs']} back-off(s); same tokens as alone {backoff['same']}"
            )
            print(f"peak memory: {peak_memory_mb(args.device):.0f} MiB\n")
            adapter.close()
    print("FAILED" if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
