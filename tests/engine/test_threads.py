"""CPU threads on a busy machine: fewer threads than cores when other programs keep some busy, said in the log."""

import os
import subprocess
import sys

import pytest
import torch

from engine.events import Log
from engine.train import pretrain, stage, threads
from tests.conftest import TINY, run_events


def test_threads_leave_the_busy_cores_to_the_other_programs():
    assert threads.threads_for_load(2, 2, 0.0) == 2  # an idle machine: torch's default
    assert threads.threads_for_load(2, 2, 1.0) == 1  # one core busy elsewhere
    assert threads.threads_for_load(2, 2, 3.5) == 1  # never fewer than one
    assert threads.threads_for_load(8, 16, 4.0) == 8  # never more than torch's default
    assert threads.threads_for_load(8, 8, 2.6) == 5
    assert threads.threads_for_load(4, 4, None) == 4  # no /proc/stat: the default


def test_busy_cores_is_a_plausible_number():
    b = threads.busy_cores(0.05)
    assert b is None or 0 <= b <= 64


def test_a_run_on_a_busy_machine_says_it_uses_fewer_threads(ws, monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(stage, "TORCH_THREADS", 2)
        monkeypatch.setattr(stage, "busy_cores", lambda: 1.2)
        monkeypatch.setattr(stage.os, "cpu_count", lambda: 2)
        sets = {k: v for k, v in TINY.items() if k != "threads"} | {"max_steps": "2", "threads": "0"}
        events = run_events(pretrain.run(ws, pretrain.make_config(sets=sets)))
        notes = [e.message for e in events if isinstance(e, Log) and e.level == "warning"]
        assert any("training on 1 of 2 threads" in n for n in notes), notes
        assert torch.get_num_threads() == 1
        monkeypatch.setattr(stage, "busy_cores", lambda: 0.1)  # idle again: the default, and nothing said
        events = run_events(pretrain.run(ws, pretrain.make_config(sets=sets)))
        assert not any(isinstance(e, Log) and "threads" in e.message for e in events)
        assert torch.get_num_threads() == 2
        sets["threads"] = "1"  # set by hand: kept, busy or not
        monkeypatch.setattr(stage, "busy_cores", lambda: 1.9)
        events = run_events(pretrain.run(ws, pretrain.make_config(sets=sets)))
        assert not any(isinstance(e, Log) and "threads" in e.message for e in events)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


# The app's GUI thread runs torch on one thread, jobs on theirs. In a fresh interpreter: a job thread
# runs first (it sets torch's shared count to the default), then the main thread multiplies a tensor
# large enough for torch to split across threads; OpenMP would start a worker thread for it.
COORDINATOR = """
import os, sys, threading, time, torch
from engine.train.threads import TORCH_THREADS, job_threads, serial_here
if sys.argv[1] == "serial":
    serial_here()
count = lambda: len(os.listdir("/proc/self/task"))
seen = []
def job():
    job_threads()
    torch.randn(1_000_000).mul_(2.0)
    seen.append(torch.get_num_threads())
t = threading.Thread(target=job); t.start(); t.join()
for _ in range(50):  # until the job's thread and its OpenMP worker have exited
    before = count(); time.sleep(0.2)
    if count() == before:
        break
torch.randn(1_000_000).mul_(2.0)
print(TORCH_THREADS, seen[0], torch.get_num_threads(), count() - before)
"""


def _coordinator(mode: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", COORDINATOR, mode], capture_output=True, text=True, check=True)
    return [int(x) for x in out.stdout.split()]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or (os.cpu_count() or 1) < 2, reason="Linux, 2+ cores")
def test_a_serial_thread_starts_no_openmp_team_and_jobs_keep_their_threads():
    default, in_job, on_main, new_threads = _coordinator("serial")
    assert default >= 2 and in_job == default  # the job trains on torch's default
    assert on_main == 1 and new_threads == 0  # the main thread works alone: no team of its own
    # The same without serial_here: the main thread gets a team, a worker thread more. Its team is
    # what made every job thread's short ops 8x slower (see engine.train.threads.serial_here).
    default, in_job, on_main, new_threads = _coordinator("plain")
    assert in_job == default and on_main == default and new_threads == default - 1
