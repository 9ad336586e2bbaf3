"""CPU threads on a busy machine: fewer threads than cores when other programs keep some busy, said in the log."""

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
