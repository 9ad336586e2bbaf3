"""Importing preference pairs (issue 19, item 6): bounded transactions that other writers can slip
between, all or nothing for the file, streamed, and no pipes or devices."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from engine.errors import DojoError
from engine.io.store import Store
from engine.rlhf import prefs as prefs_module
from engine.rlhf.prefs import PrefStore


def _pairs_file(path, n: int, start: int = 0, bad_at: int | None = None):
    lines = []
    for i in range(start, start + n):
        if bad_at is not None and i - start == bad_at:
            lines.append("{oops")
        else:
            lines.append(json.dumps({"prompt": f"question {i}?", "chosen": f"good answer {i}", "rejected": f"bad {i}"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _visible(db) -> int:
    with PrefStore(db) as store:
        return store.counts()["pairs"]


def test_import_commits_in_chunks_that_other_writers_slip_between(tmp_path, monkeypatch):
    db = tmp_path / "dojo.sqlite"
    f = _pairs_file(tmp_path / "p.jsonl", 23)
    monkeypatch.setattr(prefs_module, "IMPORT_CHUNK", 5)
    real = prefs_module.itertools.islice
    between = []

    def islice(it, n):  # runs between two chunks, outside any transaction of the import
        with Store(db) as other:
            other.conn.execute("PRAGMA busy_timeout = 0")  # a write must go through at once
            other.log_metrics("some-run", len(between), {"train/loss": 1.0})
        between.append(_visible(db))
        return real(it, n)

    monkeypatch.setattr(prefs_module.itertools, "islice", islice)
    with PrefStore(db) as store:
        r = store.import_jsonl(f)
    assert r["imported"] == 23 and len(between) == 6  # 5 chunks of at most 5 lines, and the end
    assert between == [0] * 6  # nothing visible until the whole file is in
    assert _visible(db) == 23
    with Store(db) as s:
        assert len(s.metrics("some-run", "train/loss")) == 6


def test_a_strict_import_that_fails_late_leaves_nothing(tmp_path, monkeypatch):
    db = tmp_path / "dojo.sqlite"
    monkeypatch.setattr(prefs_module, "IMPORT_CHUNK", 4)
    with PrefStore(db) as store:
        with pytest.raises(DojoError, match=r"p.jsonl:18: invalid JSON"):
            store.import_jsonl(_pairs_file(tmp_path / "p.jsonl", 20, bad_at=17), strict=True)
        assert store.counts()["pairs"] == 0
        assert store.conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 0  # no hidden rows either
        assert store.import_jsonl(_pairs_file(tmp_path / "q.jsonl", 20))["imported"] == 20


def test_a_killed_import_shows_nothing_and_the_next_one_clears_it(tmp_path):
    db = tmp_path / "dojo.sqlite"
    _pairs_file(tmp_path / "big.jsonl", 400)
    code = textwrap.dedent("""
        import sys, time, itertools
        from engine.rlhf import prefs
        prefs.IMPORT_CHUNK = 20
        real = itertools.islice
        calls = []
        def slow(it, n):
            calls.append(1)
            if len(calls) == 4:
                print("half", flush=True)
                time.sleep(120)
            return real(it, n)
        prefs.itertools.islice = slow
        with prefs.PrefStore(sys.argv[1]) as store:
            store.import_jsonl(sys.argv[2])
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(db), str(tmp_path / "big.jsonl")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "half"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    conn = sqlite3.connect(db)
    hidden = conn.execute("SELECT count(*) FROM judgements WHERE deleted = 2").fetchone()[0]
    conn.close()
    assert hidden == 60 and _visible(db) == 0  # three chunks written, none shown
    with PrefStore(db) as store:
        store.import_jsonl(_pairs_file(tmp_path / "other.jsonl", 3, start=1000))
        assert store.conn.execute("SELECT count(*) FROM judgements WHERE deleted = 2").fetchone()[0] == 0
        assert store.counts()["pairs"] == 3


def test_pipes_devices_and_endless_lines(tmp_path):
    with PrefStore(tmp_path / "dojo.sqlite") as store:
        with pytest.raises(DojoError, match="not a regular file"):
            store.import_jsonl("/dev/zero")
        fifo = tmp_path / "pipe.jsonl"
        os.mkfifo(fifo)
        with pytest.raises(DojoError, match="not a regular file"):
            store.import_jsonl(fifo)  # would wait for a writer forever
        with pytest.raises(DojoError, match="not a regular file"):
            store.import_jsonl(tmp_path)
        long_line = tmp_path / "long.jsonl"
        with open(long_line, "wb") as fh:
            fh.write(json.dumps({"prompt": "q", "chosen": "a", "rejected": "b"}).encode() + b"\n")
            fh.write(b"x" * (prefs_module.MAX_LINE_BYTES + 10) + b"\n")
            fh.write(json.dumps({"prompt": "q2", "chosen": "a", "rejected": "b"}).encode() + b"\n")
        r = store.import_jsonl(long_line)
        assert r["imported"] == 2 and len(r["skipped"]) == 1 and "long.jsonl:2: longer than 16 MB" in r["skipped"][0]


def test_clean_refuses_a_pipe_as_a_source(ws, tmp_path):
    from engine.data import clean

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    before = sorted(p.name for p in ws.data_dir.iterdir())
    with pytest.raises(DojoError, match="not a regular file"):
        list(clean.run(ws, clean.make_config(sets={"sources": json.dumps([str(fifo)])})))
    assert sorted(p.name for p in ws.data_dir.iterdir()) == before  # no building folder left
