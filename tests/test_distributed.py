"""Data-parallel runs through the real CLI: torchrun and accelerate launch (gloo, 2 CPU ranks),
and ranks without an agent."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tests.fakes  # noqa: F401  (registers test-echo)
from evals.cli.main import main
from evals.runner import Shard
from evals.store import RunStore
from tests.cli_launch import COMMAND, REPO, launch_env
from tests.fakes import mixed_texts, write_asr_manifest

N = 12


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    return write_asr_manifest(tmp_path_factory.mktemp("data"), N, mixed_texts(N))


def run_args(manifest: Path, out: Path, run_id: str, model: str = "test-echo") -> list[str]:
    return [
        "run",
        "--model",
        model,
        "--tasks",
        "manifest-asr",
        "--data",
        f"manifest-asr={manifest}",
        "--out",
        str(out),
        "--run-id",
        run_id,
        "--batch-size",
        "2",
        "--bootstrap",
        "200",
        "--no-progress",
    ]


def torchrun(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2"]
    cmd += ["--master_port", str(free_port()), "-m", "tests.cli_launch", *args]
    return subprocess.run(
        cmd, cwd=REPO, env=launch_env(), capture_output=True, text=True, timeout=timeout
    )


def accelerate_launch(
    *args: str, hf_home: Path, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`accelerate launch` as users start it on GPUs; without one, its multi-GPU launcher starts
    CPU ranks (gloo). Through `python -m accelerate.commands.launch` because the `accelerate`
    console script imports timm for its `estimate` command, and timm's torchvision import fails
    on this machine's CPU torch + CUDA torchvision pair. HF_HOME keeps a user's accelerate
    config out of the test."""
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu"]
    cmd += ["--num_processes", "2", "--num_machines", "1", "--mixed_precision", "no"]
    cmd += ["--dynamo_backend", "no", "--main_process_port", str(free_port())]
    cmd += ["-m", "tests.cli_launch", *args]
    env = {**launch_env(), "HF_HOME": str(hf_home)}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def owned_by(rank: int, world: int = 2) -> list[str]:
    return [f"u{i:03d}" for i in range(N) if Shard(rank, world).owns(f"u{i:03d}")]


def outputs(run: Path) -> dict[str, str]:
    return {r.sample_id: r.response.output.text for r in RunStore(run).iter_records("manifest-asr")}


def results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text())["tasks"]["manifest-asr"]


def test_two_ranks_resume_a_three_shard_run_and_match_one_process(manifest, tmp_path, capsys):
    assert main(run_args(manifest, tmp_path, "single")) == 0
    # an interrupted run with another split: shard 0 of 3 only, then 2 ranks finish it
    assert main([*run_args(manifest, tmp_path, "dist"), "--shard", "0/3"]) == 0
    capsys.readouterr()
    proc = torchrun(*run_args(manifest, tmp_path, "dist"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("results:") == 1  # rank 0 alone scores

    store = RunStore(tmp_path / "dist")
    logs = {p.name: p.read_text().splitlines() for p in store.log_paths("manifest-asr")}
    assert set(logs) == {
        "manifest-asr.shard0of3.jsonl",
        "manifest-asr.shard0of2.jsonl",
        "manifest-asr.shard1of2.jsonl",
    }
    ids = [json.loads(line)["sample_id"] for lines in logs.values() for line in lines]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == N  # none lost, none twice
    rank_ids = {
        r: {json.loads(x)["sample_id"] for x in logs[f"manifest-asr.shard{r}of2.jsonl"]}
        for r in (0, 1)
    }
    assert rank_ids[0] and rank_ids[1]
    assert all(rank_ids[r] <= set(owned_by(r)) for r in (0, 1))
    pids = {
        json.loads(x)["response"]["info"]["pid"]
        for r in (0, 1)
        for x in logs[f"manifest-asr.shard{r}of2.jsonl"]
    }
    assert len(pids) == 2
    assert store.done_info("manifest-asr")["expected"] == N

    assert outputs(tmp_path / "dist") == outputs(tmp_path / "single")
    a, b = results(tmp_path / "dist"), results(tmp_path / "single")
    assert a["metrics"] == b["metrics"]  # values and bootstrap intervals
    assert a["integrity"] == b["integrity"] and a["integrity"]["expected"] == N


def test_accelerate_launch_gives_the_results_of_one_process(manifest, tmp_path, capsys):
    assert main(run_args(manifest, tmp_path, "single")) == 0
    capsys.readouterr()
    proc = accelerate_launch(*run_args(manifest, tmp_path, "acc"), hf_home=tmp_path / "hf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("results:") == 1  # rank 0 alone scores
    store = RunStore(tmp_path / "acc")
    logs = sorted(p.name for p in store.log_paths("manifest-asr"))
    assert logs == ["manifest-asr.shard0of2.jsonl", "manifest-asr.shard1of2.jsonl"]
    pids = {r.response.info["pid"] for r in store.iter_records("manifest-asr")}
    assert len(pids) == 2
    assert outputs(tmp_path / "acc") == outputs(tmp_path / "single")
    a, b = results(tmp_path / "acc"), results(tmp_path / "single")
    assert a["metrics"] == b["metrics"] and a["integrity"] == b["integrity"]


def test_torchrun_stops_every_rank_when_one_is_killed(manifest, tmp_path):
    victim = owned_by(1)[1]
    model = f"test-echo:sleep=0.5,kill={victim}"
    t0 = time.monotonic()
    proc = torchrun(*run_args(manifest, tmp_path, "killed", model), timeout=90)
    assert proc.returncode != 0
    assert time.monotonic() - t0 < 60
    report = proc.stderr
    root = report[report.index("Root Cause") :]
    assert "rank      : 1" in root and "SIGKILL" in root
    assert not (tmp_path / "killed" / "results.json").exists()


def launch_ranks(args: list[str], world: int = 2) -> list[subprocess.Popen]:
    """Start the ranks by hand, as srun or a hand-written script would: no torchrun agent."""
    port = str(free_port())
    procs = []
    for rank in range(world):
        rank_env = {
            **launch_env(),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": port,
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
            "WORLD_SIZE": str(world),
        }
        procs.append(
            subprocess.Popen(
                [*COMMAND, *args],
                cwd=REPO,
                env=rank_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    return procs


def finish(procs: list[subprocess.Popen], timeout: float = 60) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        _, err = p.communicate(timeout=timeout)
        out.append((p.returncode, err.strip().splitlines()[-1] if err.strip() else ""))
    return out


@pytest.mark.parametrize(
    ("fault", "rank", "message"),
    [
        ("crash", 1, "anybench: error: rank 1 of 2 failed: SystemExit: fake device lost at"),
        ("kill", 1, "anybench: error: rank 1 of 2 stopped responding (no heartbeat for 3 s"),
        ("kill", 0, "anybench: error: lost contact with the other ranks"),
    ],
)
def test_without_an_agent_a_failed_rank_stops_the_others_with_its_error(
    manifest, tmp_path, fault, rank, message
):
    victim = owned_by(rank)[1]  # the rank dies at its second sample
    args = run_args(manifest, tmp_path, "r", f"test-echo:sleep=0.4,{fault}={victim}")
    t0 = time.monotonic()
    done = finish(launch_ranks([*args, "--peer-timeout", "3"]))
    assert time.monotonic() - t0 < 45
    survivor = 1 - rank
    code, last_line = done[survivor]
    assert code == 2 and last_line.startswith(message), done
    assert done[rank][0] != 0
    assert not (tmp_path / "r" / "results.json").exists()


def test_torchrun_suite_skips_tasks_the_model_cannot_serve(manifest, tmp_path):
    args = run_args(manifest, tmp_path, "suite")
    args[args.index("--tasks") : args.index("--tasks") + 2] = ["--suite", "demo"]
    proc = torchrun(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results(tmp_path / "suite")["integrity"]["ok"] == N
    config = json.loads((tmp_path / "suite" / "config.json").read_text())
    assert list(config["tasks"]) == ["manifest-asr"]
