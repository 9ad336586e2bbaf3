"""Data-parallel training across the processes that torchrun starts (PyTorch DDP).

    torchrun --nproc_per_node 4 -m engine.cli pretrain WS --config run.toml

torchrun starts one process per GPU (or several on the CPU) and tells each its RANK, WORLD_SIZE
and LOCAL_RANK in the environment. Every process runs the same stage; the shared loop
(engine.train.loop) gives each rank its share of every batch and DDP averages the gradients.
Only rank 0 writes: the run's row and metrics in the database, its folder, samples, checkpoints;
it also makes the choices that read the database (the run id, the checkpoint to start from) and
tells the others. Started any other way (the app, plain lmdojo-cli), `init()` touches nothing and
`world` is 1: the single-process path is unchanged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, TypeVar

import torch
import torch.distributed as tdist

from engine.errors import DojoError

T = TypeVar("T")

# Rank 0 alone evaluates, samples and writes checkpoints while the others wait in their next
# collective; a big model's checkpoint on a slow disk must not trip the default timeout.
TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


_current = Dist()


def launched() -> bool:
    """Started by torchrun with more than one process (whether or not init() ran yet)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def current() -> Dist:
    return _current


def init() -> Dist:
    """Join the process group torchrun describes in the environment (once; later calls return the
    same). NCCL carries CUDA tensors and gloo CPU tensors, so a run on the CPU works too."""
    global _current
    if _current.world > 1 or not launched():
        return _current
    if not tdist.is_available():
        raise DojoError("this PyTorch build has no torch.distributed: run without torchrun")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() and tdist.is_nccl_available()
    if cuda and local < torch.cuda.device_count():
        torch.cuda.set_device(local)  # before NCCL starts, so each rank talks from its own GPU
    tdist.init_process_group("cpu:gloo,cuda:nccl" if cuda else "gloo", timeout=TIMEOUT)
    _current = Dist(tdist.get_rank(), tdist.get_world_size(), local)
    return _current


def destroy(finished: bool = False) -> None:
    """Leave the process group. After a run that `finished` on every rank, wait for all first: a
    rank that tears down gloo while another still talks to it can abort ("terminate called
    without an active exception") after a successful run."""
    global _current
    if _current.world > 1:
        if finished:
            barrier()
        tdist.destroy_process_group()
        _current = Dist()


def all_reduce_mean(t: torch.Tensor) -> torch.Tensor:
    """Average `t` over the ranks, in place (gloo has no AVG, so SUM then divide)."""
    if _current.world > 1:
        tdist.all_reduce(t)
        t /= _current.world
    return t


def mean(values: dict[str, float], device: torch.device) -> dict[str, float]:
    """Each value's mean over the ranks, in one collective (every rank passes the same keys).
    All ranks get the same numbers back, so decisions taken on them agree."""
    if _current.world == 1 or not values:
        return values
    keys = sorted(values)
    t = all_reduce_mean(torch.tensor([values[k] for k in keys], dtype=torch.float64, device=device))
    return dict(zip(keys, t.tolist()))


def from_main(x: float, device: torch.device) -> float:
    """Rank 0's `x` on every rank (a clock, say, that must read the same everywhere)."""
    if _current.world == 1:
        return x
    t = torch.tensor([x], dtype=torch.float64, device=device)
    tdist.broadcast(t, 0)
    return float(t[0])


def on_main(fn: Callable[[], T]) -> T:
    """fn() on rank 0 only; every rank gets its result, sent as JSON (never pickled: a tuple
    arrives as a list, a Path as a str). A DojoError there is raised on every rank, so all of
    them stop with the same message instead of waiting for rank 0 forever."""
    if _current.world == 1:
        return fn()
    data = b""
    if _current.is_main:
        try:
            payload = {"value": fn()}
        except DojoError as e:
            payload = {"error": str(e)}
        data = json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8")
    size = torch.tensor([len(data)], dtype=torch.int64)  # CPU tensors: gloo carries them
    tdist.broadcast(size, 0)
    buf = torch.frombuffer(bytearray(data), dtype=torch.uint8) if data else torch.empty(int(size[0]), dtype=torch.uint8)
    tdist.broadcast(buf, 0)
    payload = json.loads(buf.numpy().tobytes().decode("utf-8"))
    if "error" in payload:
        raise DojoError(payload["error"])
    return payload["value"]


def barrier() -> None:
    """Wait for every rank. A CPU all-reduce rather than dist.barrier(), which with NCCL has to
    guess each rank's GPU."""
    if _current.world > 1:
        tdist.all_reduce(torch.zeros(1))
