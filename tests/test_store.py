import json

import numpy as np
import pytest

from evals.records import PredictionRecord
from evals.store import RunStore, StoreError, repair_torn_tail
from evals.types import Audio, Decoding, Modality, Response, Sample, Text


def record(i: int, output=None) -> PredictionRecord:
    sample = Sample(f"s{i}", (Text(f"say {i}"),), (Text(f"say {i}"),), {"speaker": "p1"})
    out = (
        output
        if output is not None
        else Audio(samples=np.full(160, 0.1 * i, np.float32), sample_rate=16000)
    )
    return PredictionRecord(
        "t",
        sample,
        Modality.SPEECH,
        Decoding("default", i),
        Response(f"s{i}", out, timings={"generate": 0.5}),
    )


def test_log_roundtrip_with_content_addressed_media(tmp_path):
    store = RunStore(tmp_path / "run")
    with store.open_log("t") as log:
        log.append(record(1))
        log.append(record(2))
        log.append(
            record(1, Audio(samples=np.full(160, 0.1, np.float32), sample_rate=16000))
        )  # same media
    arts = list(store.artifacts_dir.iterdir())
    assert len(arts) == 2  # identical audio stored once
    recs = list(store.iter_records("t"))
    assert [r.sample_id for r in recs] == ["s1", "s2"]  # a sample logged twice is yielded once
    out = recs[1].response.output
    assert isinstance(out, Audio) and out.path.endswith(".wav")
    from evals.media import load_audio

    np.testing.assert_allclose(load_audio(out)[0], 0.2, atol=1e-7)
    assert recs[0].sample.metadata == {"speaker": "p1"}
    assert recs[0].decoding == Decoding("default", 1)


def test_empty_audio_is_kept_as_empty(tmp_path):
    store = RunStore(tmp_path)
    with store.open_log("t") as log:
        log.append(record(1, Audio(samples=np.zeros(0, np.float32), sample_rate=22050)))
    (rec,) = store.iter_records("t")
    assert rec.response.status.value == "empty"


def test_torn_tail_is_cut_and_the_sample_redone(tmp_path):
    store = RunStore(tmp_path)
    with store.open_log("t") as log:
        log.append(record(1, Text("a")))
        log.append(record(2, Text("b")))
    path = store.log_path("t")
    whole = path.read_bytes()
    path.write_bytes(whole[:-20])  # kill in the middle of writing line 2
    assert store.done_ids("t") == {"s1"}
    removed = repair_torn_tail(path)
    assert removed > 0 and path.read_bytes().endswith(b"\n")
    with store.open_log("t") as log:
        log.append(record(2, Text("b")))
    assert [r.sample_id for r in store.iter_records("t")] == ["s1", "s2"]


def test_corrupt_middle_line_is_an_error_naming_the_line(tmp_path):
    store = RunStore(tmp_path)
    with store.open_log("t") as log:
        log.append(record(1, Text("a")))
    with open(store.log_path("t"), "a") as f:
        f.write("{not json}\n")
    with pytest.raises(StoreError, match=r"t\.jsonl:2"):
        list(store.iter_records("t"))


def test_logs_of_parts_are_read_together(tmp_path):
    store = RunStore(tmp_path)
    with store.open_log("t", "shard0of2") as log:
        log.append(record(1, Text("a")))
    with store.open_log("t", "shard1of2") as log:
        log.append(record(2, Text("b")))
    with store.open_log("t-other") as log:
        log.append(record(3, Text("c")))
    assert store.done_ids("t") == {"s1", "s2"}
    assert store.done_ids("t-other") == {"s3"}


def test_lines_are_valid_json_with_artifact_names(tmp_path):
    store = RunStore(tmp_path)
    with store.open_log("t") as log:
        log.append(record(3))
    line = json.loads(store.log_path("t").read_text().splitlines()[0])
    assert line["response"]["output"]["artifact"].endswith(".wav")
    assert "samples" not in json.dumps(line)
