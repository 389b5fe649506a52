import json

import pytest

from evals import runner
from evals.run_config import ConfigMismatchError
from evals.runner import CapabilityError, RunOptions, Shard
from evals.scoring import score_run
from evals.spec import ModelSpec
from evals.store import RunStore
from tests.fakes import write_asr_manifest


@pytest.fixture
def manifest(tmp_path):
    return write_asr_manifest(tmp_path / "data", 10)


def run(manifest, out, spec="test-echo", **kw):
    opts = RunOptions(
        batch_size=kw.pop("batch_size", 3), progress=False, shard=kw.pop("shard", Shard(0, 1))
    )
    return runner.run(
        ModelSpec.parse(spec),
        ["manifest-asr"],
        out,
        data={"manifest-asr": str(manifest)},
        options=opts,
        **kw,
    )


def outputs(store: RunStore) -> dict[str, str]:
    return {
        r.sample_id: r.response.output.text if r.response.output else None
        for r in store.iter_records("manifest-asr")
    }


def test_run_logs_every_sample_and_scores(manifest, tmp_path):
    store = run(manifest, tmp_path / "run")
    assert len(outputs(store)) == 10
    res = score_run(store.root)
    t = res.tasks["manifest-asr"]
    assert t.integrity.total == t.integrity.ok == t.integrity.expected == 10
    assert t.metrics["wer@whisper-norm"].value == 0.0
    cfg = json.loads(store.config_path.read_text())
    assert cfg["tasks"]["manifest-asr"]["data"] == str(manifest.resolve())
    assert (store.root / "scores" / "manifest-asr.jsonl").exists()
    assert res.provenance["packages"]["jiwer"]


def test_batch_size_does_not_change_results(manifest, tmp_path):
    a = outputs(run(manifest, tmp_path / "a", batch_size=1))
    b = outputs(run(manifest, tmp_path / "b", batch_size=7))
    assert a == b


def test_failing_samples_are_isolated_counted_and_scored(manifest, tmp_path):
    store = run(manifest, tmp_path / "run", spec="test-echo:fail=u002+u005,crash_batch=true")
    recs = {r.sample_id: r for r in store.iter_records("manifest-asr")}
    assert len(recs) == 10
    assert (
        recs["u002"].response.error_stage == "generate"
        and "cannot do u002" in recs["u002"].response.error
    )
    assert recs["u003"].response.status.value == "ok"  # its batch-mate was retried alone
    t = score_run(store.root).tasks["manifest-asr"]
    assert t.integrity.failed == 2 and t.integrity.ok == 8
    m = t.metrics["wer@whisper-norm"]
    assert (
        m.n == 10 and m.n_policy == 2 and m.value == pytest.approx(20.0)
    )  # 2 of 10 x 3 words deleted


def test_corrupt_file_fails_only_its_sample(manifest, tmp_path):
    (manifest.parent / "wavs" / "u004.wav").write_bytes(b"RIFF....garbage")
    (manifest.parent / "wavs" / "u007.wav").unlink()
    store = run(manifest, tmp_path / "run")
    recs = {r.sample_id: r for r in store.iter_records("manifest-asr")}
    assert (
        recs["u004"].response.status.value == "input_error"
        and "u004.wav" in recs["u004"].response.error
    )
    assert "not found" in recs["u007"].response.error
    integ = score_run(store.root).tasks["manifest-asr"].integrity
    assert integ.input_errors == 2 and integ.ok == 8
    assert {e["sample_id"] for e in integ.examples} == {"u004", "u007"}


def test_resume_skips_done_samples(manifest, tmp_path):
    out = tmp_path / "run"
    run(manifest, out, limit=4)
    first = outputs(RunStore(out))
    store = run(manifest, out)  # grows the subset to the full set
    again = outputs(store)
    assert len(first) == 4 and len(again) == 10
    assert all(again[k] == v for k, v in first.items())
    lines = store.log_path("manifest-asr").read_text().splitlines()
    assert len(lines) == 10  # nothing done twice


def test_config_mismatch_is_refused(manifest, tmp_path):
    out = tmp_path / "run"
    run(manifest, out)
    with pytest.raises(ConfigMismatchError, match="seed"):
        run(manifest, out, seed=5)
    with pytest.raises(ConfigMismatchError, match="smaller subset"):
        run(manifest, out, limit=3)


def test_capability_is_checked_before_generating(manifest, tmp_path):
    with pytest.raises(CapabilityError, match="cannot serve task manifest-tts"):
        runner.run(
            ModelSpec.parse("test-echo"),
            ["manifest-tts"],
            tmp_path / "x",
            data={"manifest-tts": str(manifest)},
        )


def test_shards_partition_and_together_equal_one_run(manifest, tmp_path):
    whole = outputs(run(manifest, tmp_path / "one"))
    out = tmp_path / "sharded"
    for i in range(3):
        run(manifest, out, shard=Shard(i, 3))
    store = RunStore(out)
    parts = [p.name for p in store.log_paths("manifest-asr")]
    assert parts == [f"manifest-asr.shard{i}of3.jsonl" for i in range(3)]
    assert outputs(store) == whole
    counts = [len((store.predictions_dir / p).read_text().splitlines()) for p in parts]
    assert sum(counts) == 10 and all(c > 0 for c in counts)


def test_unknown_decoding_preset(manifest, tmp_path):
    with pytest.raises(ValueError, match="knows: default, other"):
        run(manifest, tmp_path / "x", decoding="beam9")
