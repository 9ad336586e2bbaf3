"""CPU threads for a run: torch's default, or fewer when other programs keep cores busy."""

from __future__ import annotations

import os
import time

import torch


def busy_cores(interval: float = 0.25) -> float | None:
    """How many cores other processes keep busy right now: the machine's busy time over `interval`
    (/proc/stat) less this process's own. None where /proc/stat is not there (macOS, Windows)."""

    def busy() -> float:
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait

    try:
        b0, p0, t0 = busy(), time.process_time(), time.monotonic()
        time.sleep(interval)
        b1, p1, t1 = busy(), time.process_time(), time.monotonic()
    except (OSError, ValueError, AttributeError):
        return None
    return max(0.0, ((b1 - b0) - (p1 - p0)) / max(t1 - t0, 1e-9))


TORCH_THREADS = torch.get_num_threads()  # torch's own default, before any run set another


def threads_for_load(default: int, cpus: int, others: float | None) -> int:
    """torch's threads when a config says 0: its default, but no more than the cores other processes
    leave free. Threads beyond those spin against the other processes: on a busy 2-core machine, two
    threads trained at 717 tokens/s where one gave 2,495."""
    if others is None:
        return default
    return max(1, min(default, int(cpus - others + 0.5)))
