"""Data-parallel generation under torchrun or `accelerate launch` (torch.distributed).

The launcher starts one process per device and sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR
and MASTER_PORT. Each rank joins the launcher's c10d store and process group (gloo on CPU, NCCL
on CUDA), selects the CUDA device of its local rank before any model loads, and generates shard
`rank` of `world_size` of every task into its own log. When all ranks have finished, rank 0
checks and merges the shards (`evals.shards`) and scores once; the other ranks exit 0.

A failed rank stops every rank, promptly and with its error, through the same c10d store:
- a rank that raises publishes "rank r of N failed: <error>" before it exits;
- each rank beats a counter every few seconds from a thread; rank 0 watches the others, the others
  watch rank 0, and a rank that has not finished and shows no beat for `peer_timeout` seconds
  (killed, out of host memory, node lost) is declared failed;
- a store that cannot be reached means the store's host (rank 0 or the launcher) is gone.
Every rank checks between batches and while it waits for the others, then stops with the
message. A batch in progress finishes first. (torchrun also stops a node's other workers when
one of them exits with an error; the store carries the error across nodes and launchers.)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import TypeVar

from evals.errors import UserError
from evals.runner import Shard

log = logging.getLogger("anybench")
T = TypeVar("T")

PEER_TIMEOUT_S = 120.0
"""Default seconds without a heartbeat after which a rank counts as dead."""
JOIN_TIMEOUT_S = 300.0
"""Seconds every rank has to reach the rendezvous (imports and start-up differ between nodes)."""
POLL_S = 0.2
"""How often a waiting rank looks at the store."""


class DistributedError(UserError, RuntimeError):
    """A launcher environment that is incomplete or inconsistent; says which variable."""


class PeerFailure(UserError, RuntimeError):
    """Another rank failed or vanished; this rank stops with that rank's message."""


@dataclass(frozen=True)
class LaunchEnv:
    """What the launcher says about this process (torchrun and accelerate set the same names)."""

    rank: int
    """Global rank, 0 .. world_size-1; rank 0 merges and scores."""
    world_size: int
    """Number of processes; every task is split into this many shards."""
    local_rank: int
    """Rank on this node; picks the CUDA device."""
    master: str
    """host:port of the c10d store."""
    restart: int
    """Launcher restart count (TORCHELASTIC_RESTART_COUNT): keeps store keys of attempts apart."""

    @classmethod
    def detect(cls, environ: Mapping[str, str] = os.environ) -> LaunchEnv | None:
        """The launch, or None outside a launcher or for a world of one process."""
        if "RANK" not in environ or "WORLD_SIZE" not in environ:
            return None
        try:
            rank, world = int(environ["RANK"]), int(environ["WORLD_SIZE"])
            local = int(environ.get("LOCAL_RANK", rank))
            restart = int(environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
        except ValueError as exc:
            raise DistributedError(f"launcher variables are not integers: {exc}") from None
        if world < 2:
            return None
        if not 0 <= rank < world:
            raise DistributedError(f"RANK={rank} is outside WORLD_SIZE={world}")
        missing = [k for k in ("MASTER_ADDR", "MASTER_PORT") if not environ.get(k)]
        if missing:
            raise DistributedError(
                f"RANK and WORLD_SIZE are set but {' and '.join(missing)} not: start with "
                "torchrun or accelerate launch, or set them as those do"
            )
        return cls(
            rank, world, local, f"{environ['MASTER_ADDR']}:{environ['MASTER_PORT']}", restart
        )

    @property
    def shard(self) -> Shard:
        return Shard(self.rank, self.world_size)


def select_device(local_rank: int) -> str:
    """Make the local rank's GPU the current CUDA device (before models load); 'cpu' without one.

    Adapters asked for `device=auto` or `cuda` then land on it (`resolve_device`).
    """
    import torch

    if not torch.cuda.is_available():
        return "cpu"
    index = local_rank % torch.cuda.device_count()
    torch.cuda.set_device(index)
    return f"cuda:{index}"


class RankGroup:
    """This process's part in a data-parallel run: its shard, its device, and the failure watch."""

    def __init__(self, env: LaunchEnv, peer_timeout: float = PEER_TIMEOUT_S):
        import torch.distributed as dist

        self.env = env
        self.peer_timeout = float(peer_timeout)
        self.beat_s = max(min(2.0, self.peer_timeout / 5), 0.05)
        store, rank, world = next(
            dist.rendezvous("env://", timeout=timedelta(seconds=max(JOIN_TIMEOUT_S, peer_timeout)))
        )
        if (rank, world) != (env.rank, env.world_size):
            raise DistributedError(f"rendezvous gave rank {rank} of {world}, expected {env}")
        store.set_timeout(timedelta(seconds=self.peer_timeout))
        self.device = select_device(env.local_rank)
        backend = "nccl" if self.device.startswith("cuda") else "gloo"
        dist.init_process_group(
            backend,
            store=dist.PrefixStore("anybench-pg", store),
            rank=rank,
            world_size=world,
            timeout=timedelta(seconds=self.peer_timeout),
        )
        self.store = dist.PrefixStore(f"anybench/{env.restart}", store)
        self._lock = threading.Lock()
        self._failure: str | None = None
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watch_peers, name="anybench-rank-watch")
        self._watch.daemon = True
        self._watch.start()

    # who am I
    @property
    def is_main(self) -> bool:
        return self.env.rank == 0

    @property
    def shard(self) -> Shard:
        return self.env.shard

    def _name(self, rank: int) -> str:
        return f"rank {rank} of {self.env.world_size}"

    # failure watch
    def check(self) -> None:
        """Raise PeerFailure if another rank failed (called between batches)."""
        if self._failure is not None:
            raise PeerFailure(self._failure)

    def _watch_peers(self) -> None:
        me = self.env.rank
        peers = [r for r in range(self.env.world_size) if r != me] if me == 0 else [0]
        last = {p: (-1, time.monotonic()) for p in peers}
        while not self._stop.wait(self.beat_s):
            try:
                with self._lock:
                    self.store.add(f"beat/{me}", 1)
                    failure = self._published()
                    for p in peers if failure is None else ():
                        if self.store.check([f"done/{p}"]):
                            continue
                        beats = self.store.add(f"beat/{p}", 0)
                        if beats != last[p][0]:
                            last[p] = (beats, time.monotonic())
                        elif time.monotonic() - last[p][1] > self.peer_timeout:
                            dead = (
                                f"{self._name(p)} stopped responding (no heartbeat for "
                                f"{self.peer_timeout:g} s: killed, out of memory, or its node was "
                                "lost)"
                            )  # published unless another failure was first
                            first = self.store.compare_set("fail", "", dead)
                            failure = first.decode("utf-8", "replace")
                            break
            except Exception as exc:  # the store's host is gone, or the network
                failure = self._lost(exc)
            if failure is not None:
                self._failure = failure
                self._acknowledge()
                return

    def _acknowledge(self) -> None:
        """Tell rank 0 this rank has seen the failure (it may host the store and wait for that)."""
        try:
            with self._lock:
                self.store.set(f"fail_seen/{self.env.rank}", "1")
        except Exception:
            pass  # the store is gone; nothing to tell

    def _lost(self, exc: BaseException) -> str:
        return (
            f"lost contact with the other ranks (c10d store at {self.env.master}: "
            f"{type(exc).__name__}: {exc}); rank 0 or the launcher stopped"
        )

    def _published(self) -> str | None:
        if not self.store.check(["fail"]):
            return None
        return self.store.get("fail").decode("utf-8", "replace")

    def report_failure(self, exc: BaseException) -> None:
        """Tell the other ranks this one failed (the first failure published wins)."""
        if isinstance(exc, PeerFailure):
            return
        first = (str(exc).strip().splitlines() or [""])[0][:500]
        message = f"{self._name(self.env.rank)} failed: {type(exc).__name__}: {first}"
        try:
            with self._lock:
                self.store.compare_set("fail", "", message)
            if self.is_main:  # stay until the others have read it: the store may live here
                deadline = time.monotonic() + min(self.peer_timeout, 5 * self.beat_s + 1)
                while time.monotonic() < deadline:
                    with self._lock:
                        seen = [f"fail_seen/{r}" for r in range(1, self.env.world_size)]
                        if self.store.check(seen):
                            break
                    time.sleep(POLL_S / 4)
        except Exception as err:
            log.warning("could not tell the other ranks about the failure: %s", err)

    # the end of generation
    def finish(self) -> None:
        """Wait until every rank has generated its shards; raise PeerFailure if one failed."""
        try:
            self._finish()
        except PeerFailure:
            raise
        except Exception as exc:
            raise PeerFailure(self._failure or self._lost(exc)) from exc

    def _finish(self) -> None:
        world = range(self.env.world_size)
        with self._lock:
            self.store.set(f"done/{self.env.rank}", "1")
        while True:
            self.check()
            with self._lock:
                if self.store.check([f"done/{r}" for r in world]):
                    break
            time.sleep(POLL_S)
        with self._lock:
            self.store.add("released", 1)
        if self.is_main:  # the store may live in this process: stay until everyone has seen it
            deadline = time.monotonic() + self.peer_timeout
            while time.monotonic() < deadline:
                with self._lock:
                    if self.store.add("released", 0) >= self.env.world_size:
                        break
                time.sleep(POLL_S / 4)

    def run(self, generate: Callable[[], T]) -> T:
        """Run this rank's generation; publish its failure, or wait for the others to finish."""
        try:
            result = generate()
        except BaseException as exc:
            self.report_failure(exc)
            raise
        self.finish()
        return result

    def close(self) -> None:
        import torch.distributed as dist

        self._stop.set()
        self._watch.join(timeout=self.beat_s * 2 + 1)
        if dist.is_initialized():
            dist.destroy_process_group()

    def __enter__(self) -> RankGroup:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
