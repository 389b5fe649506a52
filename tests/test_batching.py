"""Length-sorted batches, input-ordered logs, out-of-memory back-off and the background writer."""

from __future__ import annotations

import json
import threading

import pytest
import torch

import tests.fakes  # noqa: F401  (registers test-echo)
from evals import runner
from evals.batching import BatchSizer, input_length, is_out_of_memory, sorted_windows
from evals.log_writer import LogWriteError, OrderedLogWriter
from evals.registry import MODELS
from evals.runner import RunOptions
from evals.spec import ModelSpec
from evals.store import RunStore
from evals.types import Audio, Sample, Text
from tests.fakes import write_asr_manifest

N = 10


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    return write_asr_manifest(tmp_path_factory.mktemp("data"), N)  # u000 shortest .. u009 longest


class Spy:
    """Wraps an adapter and records the sample ids of every generate call."""

    def __init__(self, spec: str):
        self.inner = MODELS.get(ModelSpec.parse(spec).name).from_spec(ModelSpec.parse(spec))
        self.calls: list[list[str]] = []
        self.reads_references = False

    def generate(self, requests):
        self.calls.append([r.sample_id for r in requests])
        return self.inner.generate(requests)

    def describe(self):
        return {}

    def report(self):
        return {}

    def close(self):
        pass

    def __getattr__(self, name):  # the rest of the adapter protocol (capabilities, reasons)
        return getattr(self.inner, name)


def gen(manifest, out, spec="test-echo", batch_size=3, **kw):
    spy = Spy(spec)
    opts = RunOptions(batch_size=batch_size, progress=False, **kw)
    store = runner.run(
        ModelSpec.parse(spec),
        ["manifest-asr"],
        out,
        data={"manifest-asr": str(manifest)},
        options=opts,
        adapter=spy,
    )
    return store, spy


def log_rows(store: RunStore) -> list[dict]:
    return [json.loads(x) for x in store.log_path("manifest-asr").read_text().splitlines()]


def test_batches_are_sorted_longest_first_and_the_log_keeps_input_order(manifest, tmp_path):
    store, spy = gen(manifest, tmp_path / "run", batch_size=3)
    assert spy.calls == [
        ["u009", "u008", "u007"],
        ["u006", "u005", "u004"],
        ["u003", "u002", "u001"],
        ["u000"],
    ]
    assert [r["sample_id"] for r in log_rows(store)] == [f"u{i:03d}" for i in range(N)]


def test_log_lines_do_not_depend_on_batch_size_or_sorting(manifest, tmp_path):
    def lines(store):
        rows = log_rows(store)
        for r in rows:
            r["response"]["timings"] = {}
        return rows

    one, _ = gen(manifest, tmp_path / "a", batch_size=1)
    four, _ = gen(manifest, tmp_path / "b", batch_size=4)
    unsorted, spy = gen(manifest, tmp_path / "c", batch_size=4, sort_window=0)
    assert spy.calls[0] == ["u000", "u001", "u002", "u003"]  # sorting off: input order
    assert lines(one) == lines(four) == lines(unsorted)


def test_sorting_is_bounded_by_the_window():
    samples = [Sample(f"s{i}", (Text("x" * (i % 4)),)) for i in range(10)]
    windows = list(sorted_windows(iter(samples), 4))
    assert [len(w) for w in windows] == [4, 4, 2]
    assert [[x.index for x in w] for w in windows] == [[3, 2, 1, 0], [7, 6, 5, 4], [9, 8]]
    ties = [Sample(f"t{i}", (Text("same"),)) for i in range(3)]
    assert [x.index for x in next(sorted_windows(iter(ties), 8))] == [0, 1, 2]  # stable


def test_input_length_reads_audio_headers_and_text(manifest, tmp_path):
    wav = manifest.parent / "wavs" / "u004.wav"
    assert input_length(Sample("a", (Audio(path=str(wav)),))) == pytest.approx(0.7)
    assert input_length(Sample("b", (Text("hello"), Audio(path=str(tmp_path / "none.wav"))))) == 5


def test_out_of_memory_halves_the_batch_and_keeps_the_working_size(manifest, tmp_path):
    store, spy = gen(manifest, tmp_path / "run", spec="test-echo:oom_above=2", batch_size=8)
    sizes = [len(c) for c in spy.calls]
    assert sizes[:3] == [8, 4, 2]  # 8 and 4 ran out of memory
    assert all(s <= 2 for s in sizes[3:])
    rows = log_rows(store)
    assert len(rows) == N and all(r["response"]["status"] == "ok" for r in rows)


def test_a_sample_that_never_fits_fails_alone(manifest, tmp_path, monkeypatch):
    def oom(self, requests):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 80.00 GiB")

    monkeypatch.setattr(MODELS.get("test-echo"), "generate", oom)
    store, _ = gen(manifest, tmp_path / "run", batch_size=4)
    rows = log_rows(store)
    assert len(rows) == N
    assert all(
        r["response"]["error_stage"] == "generate" and "OutOfMemoryError" in r["response"]["error"]
        for r in rows
    )


def test_auto_batch_size_on_cpu(manifest, tmp_path):
    _, spy = gen(manifest, tmp_path / "run", batch_size=None)
    assert [len(c) for c in spy.calls] == [8, 2]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (torch.cuda.OutOfMemoryError("CUDA out of memory"), True),
        (RuntimeError("CUDA failed with error out of memory"), True),  # CTranslate2
        (RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried 9 GB"), True),
        (MemoryError(), True),
        (RuntimeError("shape mismatch"), False),
        (ValueError("out of memory"), False),
    ],
)
def test_out_of_memory_is_recognized(exc, expected):
    assert is_out_of_memory(exc) is expected


def test_sizer_stops_at_one():
    sizer = BatchSizer(3)
    assert sizer.shrink(RuntimeError("out of memory")) and sizer.size == 1
    assert not sizer.shrink(RuntimeError("out of memory")) and sizer.backoffs == 1


class FakeLog:
    path = "fake.jsonl"

    def __init__(self, fail_on: str | None = None, gate: threading.Event | None = None):
        self.lines: list[str] = []
        self.closed = False
        self.fail_on = fail_on
        self.gate = gate

    def line_for(self, record) -> str:
        if self.gate:
            self.gate.wait(5)
        if record == self.fail_on:
            raise OSError(28, "No space left on device")
        return str(record)

    def write_line(self, line: str) -> None:
        self.lines.append(line)

    def close(self) -> None:
        self.closed = True


def test_writer_puts_lines_back_in_input_order():
    log = FakeLog()
    with OrderedLogWriter(log, max_queued=2) as w:
        for i in (2, 0, 3, 1, 5):
            w.put(i, f"r{i}")
    assert log.lines == ["r0", "r1", "r2", "r3", "r5"]  # 4 never came: 5 written at close
    assert log.closed and w.written == 5


def test_writer_errors_reach_the_generating_thread():
    log = FakeLog(fail_on="r1")
    w = OrderedLogWriter(log, max_queued=1)
    w.put(0, "r0")
    w.put(1, "r1")
    with pytest.raises(LogWriteError, match="No space left on device"):
        for i in range(2, 100):
            w.put(i, f"r{i}")
    with pytest.raises(LogWriteError):
        w.close()
    assert log.lines == ["r0"] and log.closed


def test_writer_queue_is_bounded():
    gate = threading.Event()
    log = FakeLog(gate=gate)
    w = OrderedLogWriter(log, max_queued=2)
    t = threading.Thread(target=lambda: [w.put(i, f"r{i}") for i in range(6)])
    t.start()
    t.join(1.0)
    assert t.is_alive()  # the producer waits: 1 in the writer's hands + 2 queued
    gate.set()
    t.join(5)
    w.close()
    assert log.lines == [f"r{i}" for i in range(6)]


def test_a_failed_batch_is_retried_one_by_one_not_whole_again(manifest, tmp_path):
    store, spy = gen(manifest, tmp_path / "run", spec="test-echo:fail=u005,crash_batch=true")
    assert spy.calls[1:5] == [["u006", "u005", "u004"], ["u006"], ["u005"], ["u004"]]
    status = {r["sample_id"]: r["response"]["status"] for r in log_rows(store)}
    assert status["u005"] == "failed" and list(status.values()).count("ok") == N - 1
