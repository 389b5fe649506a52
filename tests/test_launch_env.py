"""Launcher environment, device selection per local rank, and the CLI's distributed guard rails."""

from __future__ import annotations

import pytest
import torch

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.adapters.base import resolve_device
from evals.cli.main import main
from evals.distributed import DistributedError, LaunchEnv, select_device
from evals.runner import Shard

TORCHRUN = {
    "RANK": "1",
    "WORLD_SIZE": "4",
    "LOCAL_RANK": "1",
    "MASTER_ADDR": "10.0.0.1",
    "MASTER_PORT": "29500",
    "TORCHELASTIC_RESTART_COUNT": "2",
}


def test_launch_env_from_torchrun_variables():
    env = LaunchEnv.detect(TORCHRUN)
    assert env == LaunchEnv(1, 4, 1, "10.0.0.1:29500", 2)
    assert env.shard == Shard(1, 4)


@pytest.mark.parametrize(
    "environ", [{}, {"RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "x", "MASTER_PORT": "1"}]
)
def test_single_process_is_not_distributed(environ):
    assert LaunchEnv.detect(environ) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MASTER_PORT": ""}, "MASTER_PORT not"),
        ({"RANK": "4"}, "RANK=4 is outside WORLD_SIZE=4"),
        ({"WORLD_SIZE": "four"}, "not integers"),
    ],
)
def test_bad_launcher_variables(change, message):
    with pytest.raises(DistributedError, match=message):
        LaunchEnv.detect({**TORCHRUN, **change})


@pytest.fixture
def two_gpus(monkeypatch):
    current = {"index": 0}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", lambda i: current.update(index=i))
    monkeypatch.setattr(torch.cuda, "current_device", lambda: current["index"])
    return current


def test_each_local_rank_gets_its_gpu_and_adapters_follow(two_gpus):
    assert select_device(3) == "cuda:1" and two_gpus["index"] == 1
    assert resolve_device("auto") == "cuda:1"
    assert resolve_device("cuda") == "cuda:1"
    assert resolve_device("cuda:0") == "cuda:0" and resolve_device("cpu") == "cpu"


def test_without_gpu_auto_is_cpu():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert select_device(1) == "cpu" and resolve_device("auto") == "cpu"


def test_shard_flag_is_refused_under_a_launcher(monkeypatch, tmp_path, capsys):
    for k, v in TORCHRUN.items():
        monkeypatch.setenv(k, v)
    args = ["run", "--model", "test-echo", "--tasks", "manifest-asr", "--shard", "0/2"]
    code = main([*args, "--data", f"manifest-asr={tmp_path}", "--out", str(tmp_path)])
    assert code == 2
    assert "--shard is for separate jobs" in capsys.readouterr().err
