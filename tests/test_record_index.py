"""The scoring index: records in sample-id order across logs, parsed on access."""

from __future__ import annotations

import pytest

from evals.record_index import RecordIndex
from evals.records import PredictionRecord
from evals.store import RunStore, StoreError
from evals.types import Decoding, Modality, Response, Sample, Status, Text


def record(sid: str, text: str = "x", status: Status = Status.OK) -> PredictionRecord:
    output = Text(text) if status is Status.OK else None
    error = None if status is Status.OK else "boom"
    return PredictionRecord(
        task="t",
        sample=Sample(id=sid, inputs=(Text(f"in {sid}"),), references=(Text("ref"),)),
        output=Modality.TEXT,
        decoding=Decoding("greedy", 0),
        response=Response(sample_id=sid, output=output, error=error, timings={"generate": 0.5}),
    )


def write(store: RunStore, part: str | None, records: list[PredictionRecord]) -> None:
    with store.open_log("t", part) as log:
        for r in records:
            log.append(r)


@pytest.fixture
def store(tmp_path) -> RunStore:
    s = RunStore(tmp_path / "run")
    s.write_config({"tasks": {}})
    return s


def test_sorted_across_logs_first_line_wins(store):
    write(store, "rank1", [record("c"), record("a", "first")])
    write(store, "rank0", [record("b"), record("a", "second")])
    index = RecordIndex.of_task(store, "t")
    assert index.sample_ids == ["a", "b", "c"]
    # rank0's log is read before rank1's (sorted names): its line for "a" is the first one
    assert index[0].response.output == Text("second")
    assert [r.sample_id for r in index] == ["a", "b", "c"]
    assert [r.sample_id for r in index[1:]] == ["b", "c"]
    assert index[-1].sample.inputs == (Text("in c"),)
    expected = {r.sample_id: r for r in store.iter_records("t")}
    assert list(index) == [expected[s] for s in ("a", "b", "c")]


def test_statuses_and_timings_without_parsing(store):
    write(store, None, [record("a"), record("b", status=Status.FAILED)])
    index = RecordIndex.of_task(store, "t")
    assert [e.status for e in index.entries] == [Status.OK, Status.FAILED]
    assert [e.generate_s for e in index.entries] == [0.5, 0.5]
    failing = index.where(lambda e: e.status is Status.FAILED)
    assert len(failing) == 1 and failing[0].response.error == "boom"


def test_torn_tail_is_not_a_record(store):
    write(store, None, [record("a"), record("b")])
    path = store.log_path("t")
    text = path.read_text()
    path.write_text(text[: len(text) - 20])  # the last line loses its end
    assert RecordIndex.of_task(store, "t").sample_ids == ["a"]


def test_corrupt_line_names_file_and_line(store):
    write(store, None, [record("a")])
    with open(store.log_path("t"), "a") as f:
        f.write("{not json\n")
    with pytest.raises(StoreError, match=r"t\.jsonl:2: corrupt prediction line"):
        RecordIndex.of_task(store, "t")


def test_log_changed_after_indexing_is_an_error(store):
    write(store, None, [record("a"), record("b")])
    index = RecordIndex.of_task(store, "t")
    lines = store.log_path("t").read_text().splitlines(keepends=True)
    store.log_path("t").write_text(lines[1] + lines[0])
    with pytest.raises(StoreError, match="changed while it was being scored"):
        list(index)
