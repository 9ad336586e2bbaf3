"""Several processes, one workspace (engine/io/locks.py): unique run ids, one writer per run named by
pid, a killed run reads as interrupted and resumes, a restore waits for every writer."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from engine.errors import DojoError
from engine.io.locks import claim_run, lock_run, run_is_live
from engine.io.store import Store
from engine.train import pretrain
from engine.train.status import run_status
from tests.conftest import TINY, run_events

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from engine.io.locks import lock_run
    lock = lock_run(Path(sys.argv[1]))
    print("locked", flush=True)
    time.sleep(120)
""")


def _holder(run_dir) -> subprocess.Popen:
    """A child process that holds a run's lock (until it is killed)."""
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_runs_started_in_the_same_second_get_their_own_ids(tmp_path, monkeypatch):
    monkeypatch.setattr(time, "strftime", lambda *a: "20260101-120000")
    got = [claim_run(tmp_path / "runs", "pretrain") for _ in range(3)]
    ids = [run_id for run_id, _ in got]
    assert ids == ["pretrain-20260101-120000", "pretrain-20260101-120000-2", "pretrain-20260101-120000-3"]
    assert all((tmp_path / "runs" / i).is_dir() for i in ids)
    for _, lock in got:
        lock.release()


def test_two_processes_claiming_at_once_never_share_an_id(tmp_path):
    """Eight processes claim pretrain runs at the same moment (same clock second, forced): eight ids."""
    code = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        time.strftime = lambda *a: "20260101-120000"
        from engine.io.locks import claim_run
        while time.time() < float(sys.argv[2]):
            pass
        run_id, lock = claim_run(Path(sys.argv[1]), "pretrain")
        print(run_id)
    """)
    start = time.time() + 1.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / "runs"), str(start)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    ids = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert len(set(ids)) == 8 and all(i.startswith("pretrain-20260101-120000") for i in ids)


def test_a_second_writer_is_refused_with_the_holders_pid_and_a_killed_one_frees_the_run(ws):
    first = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "4"})))[-1].result
    run_dir = ws.run_dir(first["run"])
    holder = _holder(run_dir)
    try:
        assert run_is_live(run_dir)
        with pytest.raises(DojoError, match=rf"being written by process {holder.pid} on "):
            run_events(pretrain.run(ws, resume=first["run"], overrides={"max_steps": "6"}))
        with pytest.raises(DojoError, match=str(holder.pid)):
            lock_run(run_dir)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert not run_is_live(run_dir)  # the lock died with its process
    more = run_events(pretrain.run(ws, resume=first["run"], overrides={"max_steps": "6"}))[-1].result
    assert more["run"] == first["run"] and more["steps"] == 6


def test_a_running_row_with_no_writer_reads_interrupted(ws):
    """A run the database calls running reads "running" while its lock is held, "interrupted" once the
    process holding it is gone (killed with -9: tests/engine/test_pretrain.py's SIGKILL test)."""
    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    with Store(ws.db_path) as store:
        store.set_status(run, "running")
        row = store.run(run)
    holder = _holder(ws.run_dir(run))
    try:
        assert run_status(ws, row) == "running"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert run_status(ws, row) == "interrupted"
    resumed = run_events(pretrain.run(ws, resume=True, overrides={"max_steps": "4"}))[-1].result
    assert resumed["run"] == run and resumed["steps"] == 4


def test_a_failed_start_leaves_no_empty_run_folder(ws):
    with pytest.raises(DojoError):
        run_events(
            pretrain.run(
                ws,
                pretrain.make_config(
                    sets={**TINY, "max_steps": "2", "mix_qa": "0.5", "mix_data": str(ws.root / "missing.jsonl")}
                ),
            )
        )
    assert not [p for p in ws.runs_dir.iterdir()]


def test_restore_is_refused_while_another_process_has_the_database_open(ws, tmp_path):
    from engine.rlhf.prefs import PrefStore

    with PrefStore(ws.db_path) as store:
        store.import_demo(ws)
        backup = store.backup(tmp_path / "backup.sqlite")
    code = textwrap.dedent("""
        import sys, time
        from engine.rlhf.prefs import PrefStore
        store = PrefStore(sys.argv[1])
        print("open", flush=True)
        time.sleep(120)
    """)
    writer = subprocess.Popen([sys.executable, "-c", code, str(ws.db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(DojoError, match="another LM Dojo process is using"):
            PrefStore.restore(backup, ws.db_path, force=True)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert PrefStore.restore(backup, ws.db_path, force=True) == ws.db_path  # nobody writes now
    with PrefStore(ws.db_path) as store:
        assert store.counts()["pairs"] > 0


def test_resuming_a_live_run_before_its_first_checkpoint_names_its_writer(ws):
    """A run started a moment ago has no checkpoint yet: --resume says who writes it, not "nothing to resume"."""
    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    shutil.rmtree(ws.run_dir(run) / "checkpoints")
    holder = _holder(ws.run_dir(run))
    try:
        with pytest.raises(DojoError, match=rf"being written by process {holder.pid}"):
            run_events(pretrain.run(ws, resume=run, overrides={"max_steps": "4"}))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with pytest.raises(DojoError, match="no complete checkpoint"):
        run_events(pretrain.run(ws, resume=run, overrides={"max_steps": "4"}))
