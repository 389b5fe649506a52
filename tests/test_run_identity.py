"""A run's identity covers what its inputs are: edited data or model files never resume it."""

from __future__ import annotations

import json

from tests.fakes import write_asr_manifest
from tests.run_helpers import cli, log_ids, results, run_args


def test_manifest_edited_in_place_is_refused_then_fresh_starts_afresh(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 4)
    assert cli(capsys, *run_args(tmp_path, data)).code == 0
    rows = data.read_text().replace('"u000"', '"u100"')
    data.write_text(rows)  # same path, new content
    again = cli(capsys, *run_args(tmp_path, data))
    assert again.code == 2
    assert "manifest-asr's data" in again.err and "changed since this run was made" in again.err
    assert "--fresh" in again.err and "--run-id" in again.err and len(again.err.splitlines()) == 1
    assert sorted(log_ids(tmp_path / "r")) == ["u000", "u001", "u002", "u003"]  # nothing appended
    fresh = cli(capsys, *run_args(tmp_path, data, "--fresh"))
    assert fresh.code == 0, fresh.err
    assert sorted(log_ids(tmp_path / "r")) == ["u001", "u002", "u003", "u100"]
    assert len(list((tmp_path / "r" / "history").glob("results-*.json"))) == 1  # old kept


def test_model_file_option_edited_in_place_is_refused(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 3)
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"id": f"u00{i}", "text": "a b"}) + "\n" for i in range(3)))
    model = f"predictions:path={preds}"
    assert cli(capsys, *run_args(tmp_path, data, model=model)).code == 0
    preds.write_text(preds.read_text().replace("a b", "c d"))
    again = cli(capsys, *run_args(tmp_path, data, model=model))
    assert again.code == 2
    assert f"model option path={preds} changed since this run was made" in again.err


def test_checkpoint_folder_weights_rewritten_are_refused(tmp_path):
    from evals.fingerprint import path_fingerprint

    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text('{"dim": 4}')
    (ckpt / "model.bin").write_bytes(b"x" * 1000)
    before = path_fingerprint(ckpt)
    assert path_fingerprint(ckpt) == before  # stable
    (ckpt / "model.bin").write_bytes(b"y" * 1001)  # retrained at the same path
    assert path_fingerprint(ckpt) != before
    after = path_fingerprint(ckpt)
    (ckpt / "config.json").write_text('{"dim": 8}')
    assert path_fingerprint(ckpt) != after


def test_failed_start_writes_nothing_and_the_corrected_command_runs(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 3)
    wrong = cli(capsys, *run_args(tmp_path, tmp_path / "data" / "typo.jsonl"))
    assert wrong.code == 2 and "typo.jsonl does not exist" in wrong.err
    assert not (tmp_path / "r").exists()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    none = cli(capsys, *run_args(tmp_path, empty))
    assert none.code == 2 and f"no samples in {empty}" in none.err
    assert not (tmp_path / "r").exists()
    fixed = cli(capsys, *run_args(tmp_path, data))
    assert fixed.code == 0, fixed.err
    assert results(tmp_path / "r")["tasks"]["manifest-asr"]["integrity"]["ok"] == 3


def test_resume_says_how_many_samples_were_done(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 5)
    assert cli(capsys, *run_args(tmp_path, data, "--limit", "3", "--no-score")).code == 0
    grown = cli(capsys, *run_args(tmp_path, data, "--no-score"))
    assert grown.code == 0
    assert "manifest-asr: resuming: 3 of 5 samples done" in grown.err


def test_safetensors_by_header_and_media_by_size_and_mtime(tmp_path):
    import os
    import struct

    from evals.fingerprint import path_fingerprint

    def safetensors(path, shape):
        header = json.dumps({"w": {"dtype": "F32", "shape": shape, "data_offsets": [0, 16]}})
        path.write_bytes(struct.pack("<Q", len(header)) + header.encode() + b"\0" * 16)

    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    safetensors(ckpt / "model.safetensors", [4])
    before = path_fingerprint(ckpt)
    os.utime(ckpt / "model.safetensors", ns=(1, 1))  # a copy: same header, another mtime
    assert path_fingerprint(ckpt) == before
    safetensors(ckpt / "model.safetensors", [2, 2])  # another tensor layout
    assert path_fingerprint(ckpt) != before
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.wav").write_bytes(b"RIFF1234")
    listing = path_fingerprint(data)
    os.utime(data / "a.wav", ns=(10**18, 10**18))
    assert path_fingerprint(data) != listing


def test_fresh_is_refused_for_a_shard(tmp_path, capsys):
    data = write_asr_manifest(tmp_path / "data", 2)
    out = cli(capsys, *run_args(tmp_path, data, "--fresh", "--shard", "0/2"))
    assert out.code == 2 and "--fresh would delete what other shards or ranks" in out.err
