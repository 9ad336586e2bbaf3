"""CPU threads for a run: torch's default, or fewer when other programs keep cores busy; and one
for a thread that only coordinates (the app's GUI thread)."""

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


def serial_here() -> None:
    """Run torch's ops single-threaded on the calling thread: the app's GUI thread, which trains
    nothing. Each thread that starts a parallel op gets an OpenMP team of its own (libgomp). Once the
    GUI thread had one, the job thread's team made more OpenMP threads than cores, and libgomp then
    lets idle workers spin ~100 times instead of ~300,000 (about 3 ms) before they sleep: each of a
    step's many short ops woke them through the kernel again. Measured (2 cores): 3,000 multiplies of
    a 200k-element tensor took 0.02 s on a fresh thread, 0.17 s on the same thread after the main
    thread had run one op on two threads. torch's count is shared by the threads that start later,
    so a job's thread sets its own first (`job_threads`)."""
    torch.get_num_threads()  # torch sets a thread's count at its first use there: now, not later from a job's
    torch.set_num_threads(1)


def job_threads() -> None:
    """On a job's thread, first thing: torch's default threads (a run may then choose its own)."""
    torch.set_num_threads(TORCH_THREADS)
