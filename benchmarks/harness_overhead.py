"""Harness overhead: `anybench run` of Whisper tiny.en against a bare loop over the same files.

    python -m benchmarks.harness_overhead [--rounds 4] [--every K] [--work runs/bench/overhead]

The test set is synthesized speech: every sentence of the demo spoken by every demo voice
(Piper, espeak-ng, flite; 144 files, made once). Each round runs both arms as fresh processes,
in ABBA order, on the same files with the same model, decoding and threads:
- bare: read each WAV with soundfile, call faster-whisper's `WhisperModel.transcribe`;
- harness: `anybench run --model faster-whisper --tasks manifest-asr --no-score` (streaming
  reader, sorting, request building, validation, the background log writer, done markers).
Reported: process wall and CPU time, and the loop's wall and CPU time with imports and model
loading left out (bare: the script's own timers; harness: timers around the task's generation
loop, set by a thin wrapper that then calls the CLI's own `main`). On a shared machine the wall
times follow other jobs' load (the same arm varies by tens of percent between rounds); the loop
CPU time (user + system of all the process's threads) is what the harness adds, and the
per-round paired ratio of it is the figure to read. Scoring is timed on its own afterwards.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
THREADS = 1
"""CTranslate2 threads in both arms: one, so CPU time is not inflated by spinning threads that
wait for cores other processes hold (this machine is shared)."""
DECODE = dict(
    language="en",
    condition_on_previous_text=False,
    without_timestamps=True,
    vad_filter=False,
    beam_size=5,
    temperature=0.0,
)  # what the faster-whisper adapter passes for its `default` preset


def build_files(folder: Path) -> Path:
    """Every demo sentence in every demo voice, 16 kHz WAV, with a manifest (cached)."""
    import soundfile as sf

    import evals.adapters  # noqa: F401  (registers the synthesizers)
    from evals.demo import SENTENCES, SPEAKERS
    from evals.media import load_audio
    from evals.registry import MODELS
    from evals.spec import ModelSpec
    from evals.types import Modality, Request, Text

    manifest = folder / "manifest.jsonl"
    if manifest.exists():
        return manifest
    (folder / "wavs").mkdir(parents=True, exist_ok=True)
    rows = []
    for speaker, spec in SPEAKERS:
        parsed = ModelSpec.parse(spec)
        tts = MODELS.get(parsed.name).from_spec(parsed)
        for k, text in enumerate(SENTENCES):
            utt = f"{speaker}-{k:02d}"
            (resp,) = tts.generate([Request("bench", utt, (Text(text),), Modality.SPEECH)])
            samples, rate = load_audio(resp.output, 16000)
            sf.write(folder / "wavs" / f"{utt}.wav", samples, rate, subtype="PCM_16")
            rows.append({"id": utt, "audio": f"wavs/{utt}.wav", "text": text, "speaker": speaker})
        tts.close()
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return manifest


def bare(manifest: Path) -> None:
    """The bare arm (run as its own process): load the model, loop, print the loop time."""
    import soundfile as sf
    from faster_whisper import WhisperModel

    from evals.adapters.faster_whisper import bundled_model_dir

    model = WhisperModel(
        str(bundled_model_dir("tiny.en")), device="cpu", compute_type="int8", cpu_threads=THREADS
    )
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    t0, c0 = time.perf_counter(), time.process_time()
    texts = {}
    for row in rows:
        samples, _ = sf.read(manifest.parent / row["audio"], dtype="float32")
        segments, _ = model.transcribe(samples, **DECODE)
        texts[row["id"]] = " ".join(s.text.strip() for s in segments).strip()
    loop = {"loop_s": time.perf_counter() - t0, "loop_cpu_s": time.process_time() - c0}
    print(json.dumps({**loop, "n": len(texts)}))


def harness(argv: list[str]) -> None:
    """The harness arm (its own process): `anybench run ARGV`, with the generation loop timed."""
    from evals import log_writer, runner
    from evals.cli.main import main as cli_main

    loops: list[tuple[float, float]] = []
    helpers = [0.0]  # CPU seconds of the prefetch and log-writer threads
    run_task, prepare, work = (
        runner.TaskRunner.run,
        runner.TaskRunner.prepare,
        log_writer.OrderedLogWriter._work,
    )

    def timed_prepare(self, *args, **kwargs):  # runs on the prefetch thread
        c0 = time.thread_time()
        try:
            return prepare(self, *args, **kwargs)
        finally:
            helpers[0] += time.thread_time() - c0

    def timed_work(self):  # the log writer thread's whole life
        try:
            work(self)
        finally:
            helpers[0] += time.thread_time()

    def timed_run(self, *args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return run_task(self, *args, **kwargs)
        finally:
            loops.append((time.perf_counter() - t0, time.process_time() - c0))

    runner.TaskRunner.run, runner.TaskRunner.prepare = timed_run, timed_prepare
    log_writer.OrderedLogWriter._work = timed_work
    code = cli_main(argv)
    if code:
        raise SystemExit(code)
    wall, cpu = (sum(x) for x in zip(*loops))
    print(json.dumps({"loop_s": wall, "loop_cpu_s": cpu, "helper_cpu_s": helpers[0]}))


def model_time(run: Path) -> float:
    """Seconds the adapter spent in `transcribe` (its own per-sample timings), summed."""
    log = run / "predictions" / "manifest-asr.jsonl"
    return sum(
        json.loads(line)["response"]["timings"]["generate"] for line in log.read_text().splitlines()
    )


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


MEASURES = (
    "process wall (s)",
    "process CPU (s)",
    "loop wall, no load/imports (s)",
    "loop CPU, no load/imports (s)",
)


def main() -> None:
    if sys.argv[1:2] == ["--harness"]:  # the harness arm's process
        harness(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "bench" / "overhead")
    parser.add_argument(
        "--every", type=int, default=1, metavar="K", help="every K-th file only (default: all 144)"
    )
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)  # the bare arm's process
    args = parser.parse_args()
    if args.bare:
        bare(args.bare)
        return
    from benchmarks import machine

    manifest = build_files(args.work / "data")
    if args.every > 1:
        subset = manifest.with_name(f"manifest-every{args.every}.jsonl")
        subset.write_text("".join(manifest.read_text().splitlines(True)[:: args.every]))
        manifest = subset
    n = len(manifest.read_text().splitlines())
    spec = f"faster-whisper:model=tiny.en,cpu_threads={THREADS}"
    anybench = [sys.executable, "-m", "benchmarks.harness_overhead", "--harness", "run"]
    anybench += ["--model", spec, "--tasks", "manifest-asr"]
    anybench += ["--data", f"manifest-asr={manifest}", "--no-score"]
    anybench += ["--no-progress", "--out", str(args.work / "runs")]
    rows: dict[str, list[tuple[float, ...]]] = {"bare": [], "harness": []}
    model_s: list[float] = []
    helper_s: list[float] = []

    def run_bare() -> None:
        cmd = [sys.executable, "-m", "benchmarks.harness_overhead", "--bare", str(manifest)]
        wall, cpu, out = timed(cmd)
        loop = json.loads(out.splitlines()[-1])
        rows["bare"].append((wall, cpu, loop["loop_s"], loop["loop_cpu_s"]))

    def run_harness() -> None:
        run = args.work / "runs" / f"run-{time.time_ns()}"
        wall, cpu, out = timed([*anybench, "--run-id", run.name])
        loop = json.loads(out.splitlines()[-1])
        rows["harness"].append((wall, cpu, loop["loop_s"], loop["loop_cpu_s"]))
        helper_s.append(loop["helper_cpu_s"])
        model_s.append(model_time(run))
        last[0] = run

    last = [Path()]
    for r in range(args.rounds):
        arms = (run_bare, run_harness) if r % 2 == 0 else (run_harness, run_bare)
        for arm in arms:  # ABBA order, so a drift in the machine's load favours neither arm
            arm()
        b, h = rows["bare"][-1], rows["harness"][-1]
        print(
            f"round {r}: loop wall {b[2]:.2f} / {h[2]:.2f} s, loop CPU {b[3]:.2f} / {h[3]:.2f} s "
            f"(bare / harness; load {machine.load_now()})",
            flush=True,
        )
    score = timed([sys.executable, "-m", "evals.cli.main", "score", str(last[0])])

    def med(arm: str, k: int) -> float:
        return statistics.median(x[k] for x in rows[arm])

    print(f"\n## Harness overhead ({n} files, {args.rounds} rounds, medians)\n")
    print(machine.block() + "\n")
    print("| measure | bare loop | anybench run | extra | extra per round (paired) |")
    print("|---|---|---|---|---|")
    for k, label in enumerate(MEASURES):
        b, h = med("bare", k), med("harness", k)
        paired = [100 * (y[k] / x[k] - 1) for x, y in zip(rows["bare"], rows["harness"])]
        per_round = ", ".join(f"{p:+.1f}%" for p in paired)
        print(f"| {label} | {b:.2f} | {h:.2f} | {100 * (h / b - 1):+.1f}% | {per_round} |")
    shares = [100 * (1 - m / h[2]) for m, h in zip(model_s, rows["harness"])]
    print(
        "\ninside each anybench run, the share of the loop outside the adapter's generate calls "
        "(audio reading, which the bare loop does too, plus requests, checks and logging; an "
        "upper bound on the harness's cost, measured within one run so immune to drift between "
        f"arms): {', '.join(f'{x:.2f}%' for x in shares)}"
    )
    helpers = [100 * c / h[3] for c, h in zip(helper_s, rows["harness"])]
    print(
        "CPU time of the harness's helper threads (prefetch and background log writer) as a share "
        f"of the loop's CPU time: {', '.join(f'{x:.2f}%' for x in helpers)}"
    )
    print(
        f"scoring the run afterwards (`anybench score`, 3 WER presets, 1000 resamples): {score[0]:.2f} s wall"
    )


if __name__ == "__main__":
    main()
