"""The workspace database: durable settings, writes visible without an extra commit."""

import sqlite3

from engine.io.store import Store


def test_wal_and_full_sync(tmp_path):
    with Store(tmp_path / "d.sqlite") as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_rows_are_committed_when_the_call_returns(tmp_path):
    s = Store(tmp_path / "d.sqlite")
    s.create_run("r1", "pretrain", {"lr": 0.1}, "lmdojo-cli pretrain ws")
    s.log_metrics("r1", 1, {"train/loss": 2.5, "bad": float("nan")})
    s.log_sample("r1", 1, "p", "t")
    s.log_skipped("r1", 2, "loss spike", float("inf"), 3.0, ["doc-1"])
    other = sqlite3.connect(tmp_path / "d.sqlite")  # a second connection, no commit() from the caller
    assert other.execute("SELECT value FROM metrics WHERE key='train/loss'").fetchall() == [(2.5,)]
    assert other.execute("SELECT count(*) FROM samples").fetchone() == (1,)
    assert other.execute("SELECT loss, doc_ids FROM skipped_batches").fetchall() == [(None, '["doc-1"]')]
    assert not s.conn.in_transaction
    s.forget_after("r1", 0)
    assert other.execute("SELECT count(*) FROM metrics").fetchone() == (0,)
    s.set_status("r1", "failed", "why")
    assert s.run("r1")["status"] == "failed" and s.run("r1")["config"] == {"lr": 0.1}
    s.close()


def test_many_first_connections_to_a_new_database_all_get_wal(tmp_path):
    """Two threads opening a brand-new database at once: the switch to WAL is refused to one of them
    without waiting; it must look again instead of failing."""
    import threading

    from engine.io.store import connect

    for trial in range(20):
        path = tmp_path / f"new-{trial}.sqlite"
        modes, errors = [], []
        barrier = threading.Barrier(4)

        def open_it():
            try:
                barrier.wait()
                conn = connect(path)
                modes.append(conn.execute("PRAGMA journal_mode").fetchone()[0])
                conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
                conn.close()
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and modes == ["wal"] * 4
