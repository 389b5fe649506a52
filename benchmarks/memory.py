"""Peak memory of a run over a manifest of 1,000 and of 100,000 samples (it must not grow).

    python -m benchmarks.memory [--sizes 1000,100000]

The model is `test-echo` (tests/fakes.py: reads the audio, hashes it into three words), so the
harness is all there is to measure. The manifest rows point at a few short WAV files under
unique ids. Each phase runs in its own process, which reports its peak resident set size
(getrusage ru_maxrss): generation (`anybench run --no-score`) and scoring (`anybench score`,
the three WER presets with 1000 bootstrap resamples). A process that only imports the same
modules gives the baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_manifest(folder: Path, n: int) -> Path:
    """n rows over 4 short WAV files, unique ids (u0000001, ...)."""
    import soundfile as sf

    from tests.fakes import tone

    manifest = folder / f"manifest-{n}.jsonl"
    if manifest.exists():
        return manifest
    (folder / "wavs").mkdir(parents=True, exist_ok=True)
    for k in range(4):
        sf.write(folder / "wavs" / f"w{k}.wav", tone(0.3 + 0.1 * k, 200 + 50 * k, seed=k), 16000)
    words = ("alpha", "bravo", "charlie", "delta")
    tmp = manifest.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for i in range(n):
            k = (i * 2654435761 & 0xFFFFFFFF) % 4
            row = {
                "id": f"u{i:07d}",
                "audio": f"wavs/w{k}.wav",
                "text": f"{words[k]} {words[i % 4]}",
            }
            f.write(json.dumps(row) + "\n")
    tmp.replace(manifest)
    return manifest


def child(argv: list[str]) -> None:
    """Run the CLI with the test models (or only import it) and print the peak RSS in KiB."""
    import tests.fakes  # noqa: F401
    from evals.cli.main import main

    t0 = time.perf_counter()
    code = main(argv) if argv else 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"code": code, "peak_kib": peak, "wall_s": time.perf_counter() - t0}))


def measure(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--child", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{args} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "bench" / "memory")
    args = parser.parse_args()
    from benchmarks import machine

    sizes = [int(x) for x in args.sizes.split(",")]
    base = measure([])
    rows = []
    for n in sizes:
        manifest = write_manifest(args.work / "data", n)
        run_id = f"n{n}-{time.time_ns()}"
        run = ["run", "--model", "test-echo", "--tasks", "manifest-asr", "--no-score"]
        run += ["--data", f"manifest-asr={manifest}", "--out", str(args.work / "runs")]
        gen = measure([*run, "--run-id", run_id, "--batch-size", "16", "--no-progress"])
        score = measure(["score", str(args.work / "runs" / run_id)])
        rows.append((n, gen, score))
        print(f"{n}: generation {gen}, scoring {score} (load {machine.load_now()})")

    def mib(kib: int) -> str:
        return f"{kib / 1024:.0f} MiB"

    print(f"\n## Peak memory (imports alone: {mib(base['peak_kib'])})\n")
    print(machine.block() + "\n")
    print("| samples | generation peak RSS | generation wall | scoring peak RSS | scoring wall |")
    print("|---|---|---|---|---|")
    for n, gen, score in rows:
        print(
            f"| {n:,} | {mib(gen['peak_kib'])} | {gen['wall_s']:.1f} s "
            f"| {mib(score['peak_kib'])} | {score['wall_s']:.1f} s |"
        )
    if len(rows) > 1:
        (n0, g0, s0), (n1, g1, s1) = rows[0], rows[-1]
        per = lambda a, b: (b["peak_kib"] - a["peak_kib"]) * 1024 / (n1 - n0)  # noqa: E731
        print(
            f"\ngrowth per extra sample: generation {per(g0, g1):.0f} bytes, "
            f"scoring {per(s0, s1):.0f} bytes"
        )


if __name__ == "__main__":
    main()
