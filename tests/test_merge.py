"""`anybench merge`: shards in one folder or several join into the single-process result, or are refused."""

from __future__ import annotations

import json
import os

import pytest

import tests.fakes  # noqa: F401  (registers test-echo, test-tone)
from evals import runner
from evals.cli.main import main
from evals.runner import RunOptions, Shard
from evals.shards import ShardError, merge
from evals.spec import ModelSpec
from evals.store import RunStore
from tests.fakes import mixed_texts, write_asr_manifest

N = 10
ONE = Shard(0, 1)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    return write_asr_manifest(tmp_path_factory.mktemp("data"), N, mixed_texts(N))


def gen(manifest, out, shard=ONE, spec="test-echo", task="manifest-asr", **kw):
    return runner.run(
        ModelSpec.parse(spec),
        [task],
        out,
        data={task: str(manifest)},
        options=RunOptions(batch_size=3, progress=False, shard=shard),
        **kw,
    )


def results(run) -> dict:
    return json.loads((run / "results.json").read_text())["tasks"]["manifest-asr"]


@pytest.fixture(scope="module")
def single(manifest, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "run"
    gen(manifest, out)
    assert main(["score", str(out), "--bootstrap", "200"]) == 0
    return results(out)


def same_as_single(run, single):
    got = results(run)
    assert got["metrics"] == single["metrics"]
    assert got["integrity"] == single["integrity"] and got["integrity"]["expected"] == N


def test_shards_in_one_folder_are_finished_in_place(manifest, tmp_path, single, capsys):
    out = tmp_path / "run"
    for i in range(3):
        gen(manifest, out, Shard(i, 3))
    assert RunStore(out).done_info("manifest-asr") is None
    assert main(["merge", str(out), "--bootstrap", "200"]) == 0
    assert "merged:" in capsys.readouterr().out
    assert RunStore(out).done_info("manifest-asr")["expected"] == N
    same_as_single(out, single)


def test_shards_in_several_folders_join_into_a_new_run(manifest, tmp_path, single):
    parts = [tmp_path / f"job{i}" / "run" for i in range(2)]
    for i, part in enumerate(parts):
        gen(manifest, part, Shard(i, 2), label="echo")
    out = tmp_path / "merged"
    assert main(["merge", *map(str, parts), "--out", str(out), "--bootstrap", "200"]) == 0
    same_as_single(out, single)
    store = RunStore(out)
    assert [p.name for p in store.log_paths("manifest-asr")] == [
        "manifest-asr.shard0of2.jsonl",
        "manifest-asr.shard1of2.jsonl",
    ]
    info = store.read_model_info()
    assert info["label"] == "echo" and info["merged_from"] == [str(p) for p in parts]


def test_media_are_linked_and_every_line_finds_its_file(manifest, tmp_path):
    parts = [tmp_path / f"job{i}" for i in range(3)]
    for i, part in enumerate(parts):
        gen(manifest, part, Shard(i, 3), spec="test-tone", task="manifest-tts")
    merged = merge(parts, tmp_path / "merged")
    records = list(merged.iter_records("manifest-tts"))
    assert len(records) == N and merged.done_info("manifest-tts")["expected"] == N
    for rec in records:
        path = rec.response.output.path
        assert os.path.dirname(path) == str(merged.artifacts_dir)
        assert os.stat(path).st_nlink == 2  # a hard link to the shard's file, not a copy


def test_incomplete_shards_are_refused(manifest, tmp_path):
    out = tmp_path / "run"
    for i in range(2):
        gen(manifest, out, Shard(i, 3))
    with pytest.raises(ShardError, match=r"shards incomplete \(of 3: 2/3 not finished\)"):
        merge([out])


def test_a_marker_for_a_smaller_subset_does_not_count(manifest, tmp_path):
    out = tmp_path / "run"
    for i in range(2):
        gen(manifest, out, Shard(i, 2), limit=4)
    merge([out])  # complete for --limit 4
    gen(manifest, out, Shard(0, 2), limit=8)  # grown; shard 1 not rerun
    with pytest.raises(ShardError, match="1/2 not finished"):
        merge([out])


def test_overlapping_shards_are_refused(manifest, tmp_path):
    a, b, c = (tmp_path / x for x in "abc")
    gen(manifest, a, Shard(0, 2))
    gen(manifest, b, Shard(1, 2))
    gen(manifest, c, Shard(0, 2))  # shard 0 again, in another folder
    with pytest.raises(ShardError, match="the shards overlap"):
        merge([a, b, c], tmp_path / "m")
    assert not (tmp_path / "m").exists()  # nothing written before the checks pass


def test_shards_of_different_configs_are_refused(manifest, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    gen(manifest, a, Shard(0, 2))
    gen(manifest, b, Shard(1, 2), seed=1)
    with pytest.raises(ShardError, match=r"another config .* seed 0 vs 1"):
        merge([a, b], tmp_path / "m")


def test_merge_errors_are_one_line(manifest, tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    gen(manifest, a, Shard(0, 2))
    gen(manifest, b, Shard(1, 2))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    cases = [
        ([str(a), str(b)], "several run folders need --out"),
        ([str(a), str(b), "--out", str(tmp_path / "full")], "exists and is not empty"),
        ([str(a), str(b), "--out", str(a)], "is one of the shards"),
        ([str(tmp_path / "nope")], "not a run folder"),
    ]
    for args, message in cases:
        assert main(["merge", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("anybench: error:") and message in err and "\n" not in err


def test_merge_has_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["merge", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: anybench merge" in out and "--out" in out


def test_a_finished_single_process_run_merges_into_a_new_folder(manifest, tmp_path, single):
    gen(manifest, tmp_path / "a")
    merged = merge([tmp_path / "a"], tmp_path / "m")
    assert merged.done_info("manifest-asr")["expected"] == N
    assert main(["score", str(merged.root), "--bootstrap", "200"]) == 0
    same_as_single(merged.root, single)
