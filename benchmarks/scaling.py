"""Scaling: 2 ranks under torchrun (gloo, CPU) against 1 rank, on a CPU-bound tiny model.

    python -m benchmarks.scaling [--rounds 2] [--samples 960]

The model is a tiny seeded Whisper (tests/tiny_whisper.py: the real tokenizer, a random
1-layer network) loaded through the `hf-whisper` adapter, i.e. transformers feature extraction
and generation on CPU, one torch thread per rank (OMP_NUM_THREADS=1), so 2 ranks can use the
machine's 2 cores. Both arms are `torchrun --nproc_per_node K -m evals.cli.main run ...` (K = 1
is the plain single-process path), alternating. Reported: process wall time (launch to exit,
model loading and scoring included) and generation wall time (the task's done marker: the
slowest rank's loop), the speed-up and the parallel efficiency; and whether both arms produced
the same predictions and results; the CPU time of all processes (how much work the split adds:
a second process loads the model and imports again). A control measured in the same rounds shows what the machine
allows at that moment: one process against two, each multiplying matrices on one thread
(on a machine shared with other work, two processes rarely get two whole cores).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def setup(work: Path, samples: int) -> tuple[Path, Path]:
    from tests.fakes import write_asr_manifest
    from tests.tiny_whisper import save_tiny_whisper

    data = work / f"data-{samples}"
    manifest = data / "manifest.jsonl"
    if not manifest.exists():
        write_asr_manifest(data, samples)
    model = work / "tiny-whisper"
    if not (model / "config.json").exists():
        save_tiny_whisper(model)
    return manifest, model


def launch(ranks: int, manifest: Path, model: Path, out: Path, run_id: str) -> tuple[float, float]:
    """(wall s, CPU s of torchrun and its workers) of one launch."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(ranks)]
    cmd += ["-m", "evals.cli.main", "run", "--model", f"hf-whisper:model={model},device=cpu"]
    cmd += ["--tasks", "manifest-asr", "--data", f"manifest-asr={manifest}", "--out", str(out)]
    cmd += ["--run-id", run_id, "--decoding", "greedy", "--batch-size", "4", "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{ranks} ranks failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return wall, cpu


BUSY = """
import time, torch
torch.set_num_threads(1)
a = torch.randn(192, 192)
t = time.perf_counter()
for _ in range(30000):
    b = a @ a
print(time.perf_counter() - t)
"""


def control(copies: int) -> float:
    """Wall time of `copies` processes doing the same fixed work at once (the slowest)."""
    procs = [
        subprocess.Popen([sys.executable, "-c", BUSY], stdout=subprocess.PIPE, text=True)
        for _ in range(copies)
    ]
    return max(float(p.communicate()[0]) for p in procs)


def outputs(run: Path) -> dict[str, str]:
    from evals.store import RunStore

    return {r.sample_id: r.response.text for r in RunStore(run).iter_records("manifest-asr")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--samples", type=int, default=960)
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "bench" / "scaling")
    args = parser.parse_args()
    import evals  # noqa: F401  (import hook before transformers)
    from benchmarks import machine

    manifest, model = setup(args.work, args.samples)
    walls: dict[int, list[float]] = {1: [], 2: []}
    gens: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    runs: dict[int, Path] = {}
    ceiling: dict[int, list[float]] = {1: [], 2: []}
    for r in range(args.rounds):
        for copies in (1, 2):
            ceiling[copies].append(control(copies))
        for ranks in (1, 2):
            run_id = f"{ranks}ranks-{r}-{time.time_ns()}"
            wall, cpu = launch(ranks, manifest, model, args.work / "runs", run_id)
            walls[ranks].append(wall)
            cpus[ranks].append(cpu)
            runs[ranks] = args.work / "runs" / run_id
            done = runs[ranks] / "predictions" / "manifest-asr.done.json"
            gens[ranks].append(json.loads(done.read_text())["wall_s"])
            print(
                f"round {r}, {ranks} rank(s): {walls[ranks][-1]:.1f} s (load {machine.load_now()})"
            )
    same = outputs(runs[1]) == outputs(runs[2])
    res = [
        json.loads((runs[k] / "results.json").read_text())["tasks"]["manifest-asr"] for k in (1, 2)
    ]
    same_results = res[0]["metrics"] == res[1]["metrics"]

    print(f"\n## Scaling ({args.samples} utterances, {args.rounds} rounds, medians)\n")
    print(machine.block() + "\n")
    print("| measure | 1 rank | 2 ranks | speed-up | efficiency |")
    print("|---|---|---|---|---|")
    for label, d in (("process wall (s)", walls), ("generation wall (s)", gens)):
        one, two = statistics.median(d[1]), statistics.median(d[2])
        print(f"| {label} | {one:.2f} | {two:.2f} | {one / two:.2f}x | {50 * one / two:.0f}% |")
    one, two = statistics.median(cpus[1]), statistics.median(cpus[2])
    print(f"| process CPU, all processes (s) | {one:.2f} | {two:.2f} | work x{two / one:.2f} | |")
    one, two = statistics.median(ceiling[1]), statistics.median(ceiling[2])
    print(
        f"| control: 1 vs 2 processes of fixed matmul work (s) | {one:.2f} | {two:.2f} "
        f"| {2 * one / two:.2f}x | {100 * one / two:.0f}% |"
    )
    print(f"\nsame predictions: {same}; same metrics and intervals: {same_results}")


if __name__ == "__main__":
    main()
