"""`anybench run`: generate predictions with one model over tasks or a suite, then score them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.cli.common import (
    add_bootstrap,
    add_metrics,
    batch_size,
    csv_list,
    data_override,
    gen_kwargs,
    model_spec,
    positive_int,
    shard,
    stop_on_sigterm,
)
from evals.distributed import PEER_TIMEOUT_S


def add_parser(sub) -> None:
    p = sub.add_parser(
        "run",
        help="generate with a model on tasks, then score",
        description="Generate predictions for every sample of the tasks with one model (resuming an "
        "interrupted run in the same folder), then score them unless --no-score.",
        epilog="examples:\n"
        "  anybench run --model faster-whisper --tasks librispeech-asr --limit 200\n"
        "  anybench run --model anygpt:llm=/ckpt/AnyGPT-base,speech=/ckpt/speech --suite anygpt-paper\n"
        "  anybench run --model predictions:path=preds.jsonl --tasks manifest-asr --data manifest-asr=data.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model",
        required=True,
        type=model_spec,
        metavar="NAME[:k=v,...]",
        help="model adapter and its options (`anybench ls models -v` lists them)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--tasks", type=csv_list, metavar="TASK,...", help="tasks to run (`anybench ls tasks`)"
    )
    which.add_argument(
        "--suite", metavar="NAME|FILE.yaml", help="a suite of tasks (`anybench ls suites`)"
    )
    p.add_argument(
        "--data",
        type=data_override,
        action="append",
        default=[],
        metavar="TASK=PATH",
        help="data location for a task (repeatable); default: the task's env var or $ANYBENCH_DATA",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        metavar="N",
        help="evaluate a seeded subset of N samples per task (the same subset every time)",
    )
    p.add_argument(
        "--out", default="runs", metavar="DIR", help="folder of run folders (default: runs)"
    )
    p.add_argument(
        "--run-id",
        metavar="ID",
        help="run folder name (default: model name + hash of model, decoding and seed, so the "
        "same command resumes the same run)",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="start the run folder afresh: delete its predictions, media and scores (earlier "
        "results stay in its history/) instead of resuming; needed when an input changed",
    )
    p.add_argument("--label", help="display name of this run in tables (default: the model spec)")
    p.add_argument(
        "--seed", type=int, default=0, help="run seed; per-sample seeds derive from it (default 0)"
    )
    p.add_argument(
        "--batch-size",
        type=batch_size,
        default=8,
        metavar="N|auto",
        help="requests per model call (default 8); `auto`: start large on a GPU; any size is "
        "halved on out-of-memory. Batches are sorted by input length within a window",
    )
    p.add_argument(
        "--decoding", metavar="PRESET", help="decoding preset (default: the adapter's first)"
    )
    p.add_argument(
        "--gen-kwargs",
        type=gen_kwargs,
        default={},
        metavar="K=V,...",
        help="decoding parameters over the preset, e.g. num_beams=1,temperature=0.7 (quote "
        "values with commas, or give a JSON object); checked against the adapter, part of the "
        "run's identity",
    )
    p.add_argument(
        "--shard",
        type=shard,
        metavar="I/N",
        help="generate only shard I of N (for Slurm arrays); join shards with `anybench merge`. "
        "Under torchrun or accelerate launch each rank takes its shard by itself",
    )
    p.add_argument(
        "--peer-timeout",
        type=positive_int,
        default=int(PEER_TIMEOUT_S),
        metavar="S",
        help="under torchrun: a rank silent for S seconds counts as dead and stops all ranks "
        f"(default {int(PEER_TIMEOUT_S)})",
    )
    add_metrics(p)
    add_bootstrap(p)
    p.add_argument(
        "--no-score", action="store_true", help="generate only; score later with `anybench score`"
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress output (by default: a bar per task on a terminal, plain lines every "
        "$ANYBENCH_PROGRESS_INTERVAL seconds elsewhere, and the scoring steps)",
    )
    p.set_defaults(func=main)


def default_run_id(args) -> str:
    from evals.api import run_id_for

    return run_id_for(args.model, args.decoding, args.seed, args.gen_kwargs, args.label)


def main(args) -> int:
    from dataclasses import replace

    from evals import progress, runner
    from evals.distributed import DistributedError, LaunchEnv, RankGroup
    from evals.metric_fit import presets_for
    from evals.registry import MODELS, TASKS
    from evals.run_config import RunConfig
    from evals.scoring import partial_notes, score_run
    from evals.shards import finalize
    from evals.store import RunStore
    from evals.suites import load_suite
    from metrics.bootstrap import BootstrapSpec

    progress.set_enabled(not args.no_progress)
    stop_on_sigterm()
    suite = load_suite(args.suite) if args.suite else None
    tasks = args.tasks or list(suite.tasks)
    data = {**(suite.data if suite else {}), **dict(args.data)}  # --data wins over the suite
    limit = args.limit or ({t: suite.limits.get(t) for t in tasks} if suite else None)
    for name in tasks:
        # unknown tasks and metrics, and metrics that cannot score a task, fail before generating
        presets_for(name, TASKS.get(name).direction, (), args.metrics)
    MODELS.get(args.model.name)
    out = Path(args.out) / (args.run_id or default_run_id(args))
    options = runner.RunOptions(
        batch_size=args.batch_size,
        progress=not args.no_progress,
        shard=args.shard or runner.Shard(0, 1),
    )

    def generate(options: runner.RunOptions) -> RunStore:
        return runner.run(
            args.model,
            tasks,
            out,
            data=data,
            limit=limit,
            seed=args.seed,
            decoding=args.decoding,
            options=options,
            label=args.label,
            skip_unservable=bool(args.suite),
            gen_kwargs=args.gen_kwargs,
            fresh=args.fresh,
        )

    launch = LaunchEnv.detect()
    if args.fresh and (launch is not None or args.shard):
        raise DistributedError(
            "--fresh would delete what other shards or ranks are writing: use another --run-id, "
            "or delete the run folder once before starting the shards"
        )
    if launch is None:
        store = generate(options)
    else:
        if args.shard:
            raise DistributedError(
                "--shard is for separate jobs; under torchrun/accelerate each rank takes its shard"
            )
        with RankGroup(launch, peer_timeout=args.peer_timeout) as group:
            options = replace(
                options,
                shard=group.shard,
                check=group.check,
                progress=options.progress and group.is_main,
            )
            store = group.run(lambda: generate(options))
        if not group.is_main:
            return 0  # rank 0 merges and scores
        config = RunConfig.from_json(store.read_config())
        # a suite's tasks the model cannot serve were skipped, and are not in the config
        finalize(store, config, [t for t in tasks if t in config.tasks])
    print(f"predictions: {store.root}")
    if args.shard and args.shard.count > 1:
        print(
            f"shard {args.shard.index}/{args.shard.count} done; when all are: anybench merge {out}"
        )
        return 0
    if args.no_score:
        return 0
    results = score_run(
        store.root,
        metrics=args.metrics,
        boot=BootstrapSpec(resamples=args.bootstrap),
        accumulate=store.results_path.exists(),  # a first scoring uses --metrics instead
    )
    from reports.table import markdown_table

    print(markdown_table([results]))
    for note in partial_notes(results):
        print(f"anybench: {note}", file=sys.stderr)
    print(f"results: {store.results_path}")
    return 0
