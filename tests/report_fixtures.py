"""Deterministic scored runs for report, leaderboard and gate tests (no model, no scorer).

`metric()` builds a MetricResult from a MetricPreset, so protocols and hashes are real;
`write_run()` writes a run folder (results.json + per-sample scores) the CLI can read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from evals.results import SCHEMA_VERSION, Integrity, MetricResult, RunResults, TaskResult, to_json
from metrics.base import MetricPreset

PROVENANCE = {
    "packages": {"anybench": "0.1.0"},
    "git_revision": "0123456789abcdef0123456789abcdef01234567",
    "bootstrap": {"method": "percentile", "resamples": 1000, "confidence": 0.95, "seed": 0},
    "scored_at": "2025-01-02T03:04:05+0000",
}


def preset(
    name: str,
    family: str,
    higher_is_better: bool,
    scale: str,
    aggregation: str = "corpus",
    **settings,
) -> MetricPreset:
    return MetricPreset(
        name=name,
        metric=family,
        description="",
        higher_is_better=higher_is_better,
        scale=scale,
        aggregation=aggregation,
        settings=settings,
    )


WER_TTS = preset(
    "wer-tts@tiny-fixture",
    "wer-tts",
    False,
    "percent",
    scorer_id="openai/whisper-tiny.en",
    normalizer="whisper-english",
    empty_hypothesis="empty string",
)
WER_TTS_OTHER = replace(WER_TTS, settings={**WER_TTS.settings, "scorer_revision": "v2"})
SIM = preset(
    "sim@fixture",
    "sim",
    True,
    "cosine",
    "mean",
    embedding="resemblyzer GE2E",
    failure_value=0.0,
)
DNSMOS = preset("dnsmos@fixture", "dnsmos", True, "mos", "mean", model="DNSMOS P.835")
ASR_WER = preset(
    "wer@fixture-norm", "wer", False, "percent", normalizer="whisper-english", alignment="jiwer"
)
CLIP_X100 = preset("clip_t@fixture", "clip_t", True, "x100", "mean", model="ViT-B-32 openai")


def metric(
    p: MetricPreset,
    value: float | None,
    low: float | None = None,
    high: float | None = None,
    n: int = 100,
    n_policy: int = 0,
    unavailable: str | None = None,
    scorer: Mapping | None = None,
) -> MetricResult:
    return MetricResult(
        name=p.name,
        value=value,
        ci_low=low,
        ci_high=high,
        n=n,
        n_policy=n_policy,
        higher_is_better=p.higher_is_better,
        scale=p.scale,
        aggregation=p.aggregation,
        protocol=p.protocol(),
        protocol_hash=p.protocol_hash(),
        scorer=dict(scorer or {}),
        unavailable=unavailable,
    )


def integrity(
    n: int, failed: int = 0, empty: int = 0, malformed: int = 0, examples=()
) -> Integrity:
    return Integrity(
        expected=n,
        total=n,
        ok=n - failed - empty - malformed,
        empty=empty,
        malformed=malformed,
        failed=failed,
        input_errors=0,
        missing=0,
        examples=tuple(examples),
    )


def task(
    name: str,
    metrics: Sequence[MetricResult],
    n: int = 100,
    limit: int | None = None,
    family: str = "tts",
    **counts,
) -> TaskResult:
    return TaskResult(
        task=name,
        family=family,
        version="1",
        data=f"/data/{name}",
        limit=limit,
        integrity=integrity(n, **counts),
        metrics={m.name: m for m in metrics},
    )


def run(
    label: str,
    spec: str,
    tasks: Sequence[TaskResult],
    run_id: str | None = None,
    seed: int = 0,
    path: str = "",
    describe: Mapping | None = None,
) -> RunResults:
    rid = run_id or label.lower().replace(" ", "-")
    model = {"spec": spec, "name": spec.split(":")[0], "label": label}
    if describe is not None:
        model["describe"] = dict(describe)
    return RunResults(
        schema_version=SCHEMA_VERSION,
        run_id=rid,
        model=model,
        config_hash="c0ffee",
        decoding="default",
        seed=seed,
        tasks={t.task: t for t in tasks},
        provenance=PROVENANCE,
        path=path or f"runs/{rid}/results.json",
    )


def report_runs() -> list[RunResults]:
    """Four systems: markup and LaTeX specials in a name, a split protocol, failures, ground truth."""
    failures = [
        {
            "sample_id": "p225_003",
            "status": "failed",
            "stage": "generate",
            "reason": "CUDA <oom> & 50% _done_",
        }
    ]
    return [
        run(
            "Whisper <b>x</b> & co_%",
            "faster-whisper:model=tiny.en",
            [
                task(
                    "librispeech-asr",
                    [metric(ASR_WER, 5.21, 4.13, 6.35, n=100)],
                    limit=100,
                    family="asr",
                )
            ],
            run_id="whisper",
        ),
        run(
            "AnyGPT base",
            "anygpt:llm=/ckpt/base",
            [
                task(
                    "librispeech-asr", [metric(ASR_WER, 8.93, 7.51, 10.32)], limit=100, family="asr"
                ),
                task(
                    "vctk-tts",
                    [
                        metric(
                            WER_TTS,
                            9.14,
                            7.0,
                            11.6,
                            n_policy=3,
                            scorer={"model": "tiny.en", "device": "cpu"},
                        ),
                        metric(SIM, 0.7123, 0.6911, 0.7302),
                        metric(DNSMOS, None, unavailable="speechmos is not installed"),
                    ],
                    failed=2,
                    empty=1,
                    examples=failures,
                ),
            ],
            run_id="anygpt-base",
        ),
        run(
            "Ground truth",
            "reference",
            [
                task(
                    "vctk-tts",
                    [metric(WER_TTS, 2.02, 1.2, 2.9), metric(SIM, 0.9012, 0.8899, 0.9127)],
                )
            ],
            run_id="ground-truth",
        ),
        run(
            "Piper joe",
            "piper:voice=joe",
            [
                task(
                    "vctk-tts",
                    [metric(WER_TTS_OTHER, 4.4, 3.1, 5.9), metric(SIM, 0.7123, 0.69, 0.73)],
                )
            ],
            run_id="piper",
        ),
    ]


def board_runs() -> list[RunResults]:
    """Checkpoints for a leaderboard: a tie, a missing task, a ground-truth row, markup."""

    def ckpt(label, wer, sim, rid):
        tasks = []
        if wer is not None:
            tasks.append(task("asr-set", [metric(ASR_WER, wer, wer - 1, wer + 1)], family="asr"))
        if sim is not None:
            tasks.append(task("tts-set", [metric(SIM, sim, sim - 0.02, sim + 0.02)]))
        return run(label, f"anygpt:llm=/ckpt/{rid}", tasks, run_id=rid)

    return [
        ckpt("step-1000", 12.0, 0.70, "s1000"),
        ckpt("step-2000 <script>alert(1)</script>", 10.0, 0.74, "s2000"),
        ckpt("step-3000 <b>x</b>", 10.0, 0.72, "s3000"),
        ckpt("step-4000", 9.0, None, "s4000"),
        run(
            "Ground truth",
            "reference",
            [task("asr-set", [metric(ASR_WER, 0.0, 0.0, 0.0)], family="asr")],
            run_id="truth",
        ),
    ]


def write_run(
    folder: Path,
    result: RunResults,
    stats: Mapping[str, Mapping[str, np.ndarray]],
    ids: Sequence[str] | None = None,
) -> Path:
    """Write results.json and scores/<task>.jsonl; stats: task -> metric -> [n, k] array."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(to_json(result), indent=1))
    (folder / "scores").mkdir(exist_ok=True)
    for task_name, per_metric in stats.items():
        n = len(next(iter(per_metric.values())))
        sample_ids = list(ids or [f"s{i:04d}" for i in range(n)])
        lines = []
        for i, sid in enumerate(sample_ids):
            entry = {
                name: {
                    "value": None,
                    "stat": [float(x) for x in arr[i]],
                    "policy": None,
                    "details": {},
                }
                for name, arr in per_metric.items()
            }
            lines.append(json.dumps({"sample_id": sid, "status": "ok", "metrics": entry}))
        (folder / "scores" / f"{task_name}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def scored_run(
    folder: Path,
    label: str,
    task_name: str,
    stats: Mapping[str, np.ndarray],
    seed: int = 0,
    spec: str | None = None,
    ids: Sequence[str] | None = None,
    deterministic: bool | None = None,
) -> Path:
    """A run folder scored by registered metric presets from given per-sample statistics;
    `deterministic` is written where model.json's adapter description has it."""
    from evals.registry import METRICS
    from metrics.bootstrap import BootstrapSpec, interval

    results = []
    for name, arr in stats.items():
        m = METRICS.get(name)
        low, high = interval(m, arr, BootstrapSpec(resamples=200))
        results.append(metric(m.preset, m.reduce(arr), low, high, n=len(arr)))
    n = len(next(iter(stats.values())))
    r = run(
        label,
        spec or f"fixture:{label}",
        [task(task_name, results, n=n)],
        run_id=folder.name,
        seed=seed,
        path=str(folder / "results.json"),
        describe=None if deterministic is None else {"deterministic": deterministic},
    )
    return write_run(folder, r, {task_name: stats}, ids)


SIX_TASKS = {
    "coco-caption": ("cider-d@coco", "bleu-4@coco"),
    "coco-t2i": ("clip_i@openai-vit-l-14", "clip_t@torchmetrics-openai-vit-l-14"),
    "librispeech-asr": ("wer@whisper-norm",),
    "vctk-tts-paper": ("wer-tts@whisper-medium", "sim@resemblyzer", "dnsmos@p835"),
    "musiccaps-t2m": ("clap@music-audioset", "fad@clap-music-audioset"),
    "musiccaps-caption": ("clap@630k-audioset",),
}
"""The AnyGPT paper's six evaluations, each with the presets a paper table would show."""


def six_task_runs() -> list[RunResults]:
    """A unified model, two specialists and the ground truth on the paper's six tasks, with
    registered presets (real names, descriptions and hashes) and plausible values."""
    from evals.registry import METRICS

    typical = {
        "percent": (8.0, 0.6),
        "x100": (30.0, 1.5),
        "cosine": (0.3, 0.01),
        "mos": (3.2, 0.05),
    }

    def scored(name: str, factor: float) -> MetricResult:
        p = METRICS.get(name).preset
        value, spread = typical.get(p.scale, (5.0, 0.3))
        value *= factor
        return metric(p, value, value - spread, value + spread, n=500)

    def system(label, spec, rid, factor, which=None):
        tasks = []
        for name, presets in SIX_TASKS.items():
            if which is None or name in which:
                ms = [scored(p, factor) for p in presets]
                tasks.append(task(name, ms, n=500, family=name.split("-")[-1]))
        return run(label, spec, tasks, run_id=rid)

    return [
        system("AnyGPT base (ours, 7B)", "anygpt:llm=/ckpt/base", "anygpt", 1.0),
        system(
            "Whisper large-v2", "hf-whisper:model=large-v2", "whisper", 0.9, {"librispeech-asr"}
        ),
        system("VALL-E X", "predictions:path=vallex.jsonl", "vallex", 1.1, {"vctk-tts-paper"}),
        system("Ground truth", "reference", "truth", 0.95),
    ]
