"""The generation phase: stream samples, build requests, batch them through a model, log results.

Scoring is a separate phase (`evals.scoring`). A run resumes from its logs: samples with a
complete log line are skipped, so none is lost or done twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from evals.adapters.base import ModelAdapter
from evals.batching import (
    SORT_WINDOW_BATCHES,
    BatchSizer,
    Indexed,
    auto_batch_size,
    sorted_windows,
)
from evals.errors import SampleError, UserError
from evals.generation import check_gen_kwargs
from evals.log_writer import OrderedLogWriter
from evals.model_calls import flag_degenerate_input, generate_batch, materialize
from evals.progress import expected_total, generation
from evals.records import PredictionRecord
from evals.registry import MODELS, TASKS
from evals.run_config import RunConfig, reconcile_config
from evals.spec import ModelSpec, SpecError, parse_options
from evals.store import RunStore
from evals.subset import sample_key, seed_for
from evals.task import Task
from evals.types import Decoding, Request, Response, Sample

log = logging.getLogger("anybench")


class CapabilityError(UserError, ValueError):
    """The model cannot serve a task's input/output modalities."""


@dataclass(frozen=True)
class Shard:
    """Which part of every task this process generates: samples whose id hashes to `index`."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index}/{self.count}: need 0 <= index < count")

    def owns(self, sample_id: str) -> bool:
        return sample_key(sample_id, seed=-1) % self.count == self.index

    @property
    def log_part(self) -> str | None:
        return None if self.count == 1 else f"shard{self.index}of{self.count}"


@dataclass(frozen=True)
class RunOptions:
    """How to run, beyond what is being evaluated (these do not change results)."""

    batch_size: int | None = 8
    """Requests per `generate` call; None chooses it (large on a GPU, halved on out-of-memory).
    Any size is halved on out-of-memory and the working size is kept for the rest of the task."""
    progress: bool = True
    """Show a progress bar on a terminal."""
    shard: Shard = field(default_factory=lambda: Shard(0, 1))
    """This process's share of the samples."""
    log_part: str | None = None
    """Suffix of this process's log file; defaults to the shard's."""
    sort_window: int = SORT_WINDOW_BATCHES
    """Batches per length-sorting window (0: no sorting); a kill loses at most one window."""
    check: Callable[[], None] | None = None
    """Called between batches; raises to stop the run (e.g. another rank failed)."""


@dataclass
class Prepared:
    """A batch ready for the model: requests with media loaded, and inputs that failed."""

    batch: list[Indexed]
    """The samples, with their positions in the input stream."""
    ready: list[tuple[Indexed, Request, Request]] = field(default_factory=list)
    """(sample, request as logged, request with media loaded) for the model."""
    failed: list[tuple[int, PredictionRecord]] = field(default_factory=list)
    """(position, failure record) of samples whose request or media could not be made."""


class TaskRunner:
    """Runs one task of a run: skips what is done, logs every sample exactly once.

    Pending samples are read in windows, sorted longest first and cut into batches of the
    sizer's current size; a background writer logs them back in input order.
    """

    def __init__(
        self,
        task: Task,
        adapter: ModelAdapter,
        store: RunStore,
        config: RunConfig,
        options: RunOptions,
    ):
        self.task, self.adapter, self.store, self.config, self.options = (
            task,
            adapter,
            store,
            config,
            options,
        )
        start = options.batch_size if options.batch_size is not None else auto_batch_size()
        self.sizer = BatchSizer(start)

    def pending(self, done: set[str], owned: list[int]) -> Iterator[Sample]:
        """This process's samples that have no log line yet; counts the ones it owns."""
        tc = self.config.tasks[self.task.name]
        for sample in self.task.samples(tc.data, tc.limit, self.config.seed):
            if not self.options.shard.owns(sample.id):
                continue
            owned[0] += 1
            if sample.id not in done:
                yield sample

    def request_for(self, sample: Sample) -> Request:
        seed = seed_for(self.config.seed, sample.id)
        decoding = Decoding(self.config.decoding, seed, dict(self.config.gen_kwargs))
        request = self.task.request(sample, decoding)
        if self.adapter.reads_references:
            request = replace(request, references=sample.references)
        return request

    def run(
        self,
        on_progress: Callable[[int], None] | None = None,
        on_resume: Callable[[int], None] | None = None,
    ) -> int:
        """Generate every pending sample; returns how many were generated now.

        While the model works on one batch, a helper thread reads, sorts and loads the next
        (media decoded and validated), so the device does not wait on input either.
        """
        shard = self.options.shard
        done = self.store.done_ids(self.task.name, keep=shard.owns)
        if on_resume:
            on_resume(len(done))
        owned = [0]
        part = self.options.log_part or shard.log_part
        made = 0
        t0 = time.perf_counter()
        batches = self.batches(self.pending(done, owned))
        log_file = self.store.open_log(self.task.name, part)
        with (
            OrderedLogWriter(log_file, max_queued=max(2 * self.sizer.size, 8)) as out,
            ThreadPoolExecutor(1, thread_name_prefix="anybench-prefetch") as loader,
        ):
            upcoming = loader.submit(self.prepare, batches)
            while (prepared := upcoming.result()) is not None:
                upcoming = loader.submit(self.prepare, batches)
                if self.options.check:
                    self.options.check()
                made += self.run_batch(prepared, out)
                if on_progress:
                    on_progress(len(prepared.batch))
        tc = self.config.tasks[self.task.name]
        self.store.mark_done(
            self.task.name, owned[0], time.perf_counter() - t0, part, limit=tc.limit
        )
        return made

    def batches(self, pending: Iterator[Sample]) -> Iterator[list[Indexed]]:
        """Length-sorted batches of the sizer's current size, window by window."""
        size = self.sizer.size
        sort = self.options.sort_window > 0 and size > 1
        window = size * self.options.sort_window if sort else size
        for items in sorted_windows(pending, window, sort):
            while items:
                batch, items = items[: self.sizer.size], items[self.sizer.size :]
                yield batch

    def prepare(self, batches: Iterator[list[Indexed]]) -> Prepared | None:
        """The next batch with requests built and media loaded; None when the stream is done."""
        batch = next(batches, None)
        if batch is None:
            return None
        prepared = Prepared(batch)
        for item in batch:
            try:
                request = self.request_for(item.sample)
            except SampleError as exc:
                prepared.failed.append((item.index, self.failed_input(item.sample, exc)))
                continue
            try:
                prepared.ready.append((item, request, materialize(request)))
            except SampleError as exc:
                failed = self.failed_input(item.sample, exc, request)
                prepared.failed.append((item.index, failed))
        return prepared

    def run_batch(self, prepared: Prepared, out: OrderedLogWriter) -> int:
        for index, record in prepared.failed:
            out.put(index, record)
        ready = prepared.ready
        t0 = time.perf_counter()
        responses = generate_batch(self.adapter, [m for _, _, m in ready], self.sizer)
        wall = (time.perf_counter() - t0) / max(len(ready), 1)
        for (item, request, loaded), response in zip(ready, responses):
            if "generate" not in response.timings:
                response = replace(response, timings={**response.timings, "generate": wall})
            response = flag_degenerate_input(loaded, response)
            out.put(item.index, self.record(item.sample, request, response))
        return len(prepared.batch)

    def failed_input(
        self, sample: Sample, exc: Exception, request: Request | None = None
    ) -> PredictionRecord:
        """The log record of a sample that could not be turned into a usable request."""
        request = request or Request(self.task.name, sample.id, sample.inputs, self.task.output)
        return self.record(
            sample, request, Response(sample_id=sample.id, error=str(exc), error_stage="input")
        )

    def record(self, sample: Sample, request: Request, response: Response) -> PredictionRecord:
        if response.sample_id != sample.id:
            response = replace(
                response,
                sample_id=sample.id,
                output=None,
                error=f"adapter answered sample {response.sample_id!r} for {sample.id!r}",
                error_stage="output",
            )
        return PredictionRecord(
            task=self.task.name,
            sample=sample,
            output=request.output,
            decoding=request.decoding,
            response=response,
            voice_prompt=request.voice_prompt,
        )


TEXT_DATA_SUFFIXES = frozenset({".jsonl", ".json", ".csv", ".txt", ".tsv"})
"""Data files read whole before a run starts (cheap: text, no media decoded)."""


class EmptyDataError(UserError, ValueError):
    """A task's data holds no samples."""


def check_data(task: Task, path: str) -> None:
    """Open the task's data so a wrong path, a bad layout or an empty dataset fails before the
    run folder is touched: a text data file (a manifest) is read whole, every line checked; a folder
    only up to its first sample (its later entries fail when they are reached)."""
    reader = task.data.reader(Path(path), **dict(task.data.options))
    try:
        if Path(path).suffix in TEXT_DATA_SUFFIXES and Path(path).is_file():
            first = None
            for sample in reader:
                first = first or sample
        else:
            first = next(iter(reader), None)
    finally:
        close = getattr(reader, "close", None)
        if close:
            close()
    if first is None:
        raise EmptyDataError(f"task {task.name}: no samples in {path}")


def capability_error(model: str, task: Task, reason: str) -> CapabilityError:
    return CapabilityError(
        f"model {model} cannot serve task {task.name} ({task.input.value} -> {task.output.value}): {reason}"
    )


def load_adapter(spec: ModelSpec) -> ModelAdapter:
    return MODELS.get(spec.name).from_spec(spec)


def servable(tasks: Sequence[Task], model: str, reason_for, skip: bool) -> list[Task]:
    """The tasks the model serves; the others raise CapabilityError, or are skipped with a notice."""
    kept = []
    for task in tasks:
        reason = reason_for(task.direction)
        if reason is None:
            kept.append(task)
        elif skip:
            log.warning("skipping task %s: model %s cannot serve it (%s)", task.name, model, reason)
        else:
            raise capability_error(model, task, reason)
    return kept


def run(
    model: ModelSpec,
    tasks: Sequence[str],
    out: str | Path,
    *,
    data: dict[str, str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    decoding: str | None = None,
    options: RunOptions | None = None,
    adapter: ModelAdapter | None = None,
    label: str | None = None,
    skip_unservable: bool = False,
    gen_kwargs: Mapping[str, str] | None = None,
    fresh: bool = False,
) -> RunStore:
    """Generate predictions for `tasks` with `model` into the run folder `out` (resuming).

    Tasks the model cannot serve raise CapabilityError, or are skipped when `skip_unservable`
    (suites); the check runs on the adapter class before loading and on the loaded adapter.
    `gen_kwargs` (raw strings) override the decoding preset, typed by the adapter's
    `generation_options`. Data and model inputs are resolved and fingerprinted before anything
    is written; an input that changed since the run was made is refused, unless `fresh` (the old
    outputs are deleted).
    """
    options = options or RunOptions()
    adapter_cls = MODELS.get(model.name)
    preset = decoding or adapter_cls.decoding_presets[0]
    if preset not in adapter_cls.decoding_presets:
        raise SpecError(
            f"model {model.name} has no decoding preset {preset!r} (it knows: {', '.join(adapter_cls.decoding_presets)})"
        )
    overrides = check_gen_kwargs(adapter_cls, model.name, gen_kwargs or {})
    task_objs = servable(
        [TASKS.get(name) for name in tasks],
        model.name,
        adapter_cls.capability_reason,
        skip_unservable,
    )
    parse_options(adapter_cls.Options, dict(model.options), f"model {model.name}")  # cheap first
    store = RunStore(out)
    wanted = RunConfig.build(model, task_objs, data or {}, limit, seed, preset, overrides)
    for task in task_objs:
        check_data(task, wanted.tasks[task.name].data)
    if fresh:
        store.clear()
    reconcile_config(store, wanted, write=False)  # nothing is written before the start is valid
    adapter = adapter or load_adapter(model)
    try:
        task_objs = servable(task_objs, model.name, adapter.unavailable_reason, skip_unservable)
        config = reconcile_config(store, wanted.only([t.name for t in task_objs]))
        store.sweep_temp_files()
        store.write_model_info(model, adapter.describe(), label=label)
        for task in task_objs:
            tc = config.tasks[task.name]
            total = expected_total(task.data.reader, tc.data, tc.limit, options.shard.count)
            with generation(task.name, total, options.progress) as bar:
                TaskRunner(task, adapter, store, config, options).run(bar.update, bar.resume)
        store.write_model_info(model, adapter.describe(), adapter.report(), label=label)
    finally:
        adapter.close()
    return store
