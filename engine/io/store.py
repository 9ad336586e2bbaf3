"""The workspace database (stdlib sqlite3): runs, metrics, samples, skipped batches.

WAL journal with synchronous=FULL: a row is on disk when the call returns, so a crash
loses at most the step in flight. Every write is its own transaction (autocommit mode,
explicit BEGIN), never left open across calls. A connection belongs to the thread that
opened it: a job opens its own Store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from engine.errors import DojoError
from engine.io.fsutil import fsync_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,            -- running | done | cancelled | failed
    created REAL NOT NULL,
    updated REAL NOT NULL,
    parent TEXT,                     -- checkpoint this run started from (lineage)
    config TEXT NOT NULL,            -- JSON
    command TEXT,                    -- the equivalent lmdojo-cli command
    message TEXT                     -- why it failed, or a final note
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    key TEXT NOT NULL,
    value REAL NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (run_id, step, key)
);
CREATE TABLE IF NOT EXISTS samples (
    run_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    text TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS skipped_batches (
    run_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    reason TEXT NOT NULL,
    loss REAL,
    grad_norm REAL,
    doc_ids TEXT NOT NULL,           -- JSON list of the documents in the batch
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
    run_id TEXT PRIMARY KEY,
    report TEXT NOT NULL             -- JSON: e.g. the cleaning funnel, reasons, examples
);
CREATE INDEX IF NOT EXISTS samples_run ON samples(run_id, step);
CREATE INDEX IF NOT EXISTS skipped_run ON skipped_batches(run_id, step);
"""


BUSY_TIMEOUT_S = 30


def read_only(path: str | Path) -> bool:
    """Whether the database (or the folder it would be made in) cannot be written here: a read-only
    disk or share, or no permission. Such a database is opened read-only, to be looked at."""
    import os

    if str(path) == ":memory:":
        return False
    p = Path(path)
    return not os.access(p.parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK))


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the workspace database the one durable way: autocommit, WAL, synchronous=FULL. Where it
    cannot be written, read-only and immutable (a WAL database on read-only media cannot make its
    shared-memory file): reading works, the first write says the workspace is read-only."""
    if read_only(path):
        if not Path(path).is_file():
            raise DojoError(f"{Path(path).parent} is read-only here and has no workspace database yet")
        return sqlite3.connect(
            Path(path).resolve().as_uri() + "?mode=ro&immutable=1",
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_S,
        )
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        # Switching to WAL (once, when the file is new) needs an exclusive lock that another
        # connection opening the new file at the same moment refuses at once, without waiting; so
        # only ask when it is not WAL yet, and while refused, look again: the other one may switch it.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        conn.execute("PRAGMA synchronous=FULL")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """One transaction, committed before the caller goes on (autocommit mode, explicit BEGIN)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise database_error(path, e) from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def database_error(path: Path, e: sqlite3.Error):
    """A one-line DojoError for what went wrong opening the workspace database."""
    text = str(e)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return DojoError(f"{path}: the workspace is read-only here ({text}); this command needs to write to it")
    if isinstance(e, sqlite3.OperationalError):
        return DojoError(f"{path}: {text}")
    return DojoError(
        f"{path} is damaged ({text}): restore a backup (lmdojo-cli prefs WS restore BACKUP), or move it "
        f"away and run lmdojo-cli repair WS to rebuild the run index from the run folders"
    )


class Handle:
    """An open connection to the workspace database, closed by `with` or close(). While open it
    holds the workspace lock shared (engine/io/locks.py): a restore must wait until it closes."""

    conn: sqlite3.Connection
    _wslock = None

    def _lock_workspace(self, path: Path) -> None:
        if str(path) != ":memory:":
            from engine.io.locks import workspace_lock

            self._wslock = workspace_lock(Path(path).parent)

    def close(self):
        try:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
        finally:
            if self._wslock is not None:
                self._wslock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Store(Handle):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock_workspace(self.path)
        try:
            self.conn = connect(self.path)
            has_schema = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'reports'").fetchone()[0]
            if not has_schema and not read_only(self.path):
                self.conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            self.close()
            raise database_error(self.path, e) from None

    def _tx(self, sql: str, rows):
        with write_transaction(self.conn, self.path) as c:
            c.executemany(sql, rows)

    # -- runs -----------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        stage: str,
        config: dict,
        command: str,
        parent: str | None = None,
        created: float | None = None,
    ):
        now = created or time.time()
        self._tx(
            "INSERT INTO runs (id, stage, status, created, updated, parent, config, command) "
            "VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
            [(run_id, stage, now, now, parent, json.dumps(config, ensure_ascii=False), command)],
        )

    def set_status(self, run_id: str, status: str, message: str | None = None):
        self._tx(
            "UPDATE runs SET status = ?, updated = ?, message = ? WHERE id = ?",
            [(status, time.time(), message, run_id)],
        )

    def run(self, run_id: str) -> dict | None:
        cur = self.conn.execute(
            "SELECT id, stage, status, created, updated, parent, config, command, message FROM runs WHERE id = ?",
            (run_id,),
        )
        row = cur.fetchone()
        if row is None:
            return None
        keys = ("id", "stage", "status", "created", "updated", "parent", "config", "command", "message")
        d = dict(zip(keys, row))
        d["config"] = json.loads(d["config"])
        return d

    def runs(self, stage: str | None = None) -> list[dict]:
        sql = "SELECT id FROM runs" + (" WHERE stage = ?" if stage else "") + " ORDER BY created"
        ids = [r[0] for r in self.conn.execute(sql, (stage,) if stage else ())]
        return [self.run(i) for i in ids]

    # -- metrics and samples --------------------------------------------------------------
    def metric_keys(self, run_id: str) -> list[str]:
        return [
            r[0] for r in self.conn.execute("SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key", (run_id,))
        ]

    def log_metrics(self, run_id: str, step: int, values: dict[str, float]):
        now = time.time()
        self._tx(
            "INSERT OR REPLACE INTO metrics (run_id, step, key, value, time) VALUES (?, ?, ?, ?, ?)",
            [(run_id, step, k, float(v), now) for k, v in values.items() if _finite_or_none(v) is not None],
        )  # SQLite has no NaN: a skipped step is in skipped_batches

    def metrics(self, run_id: str, key: str) -> list[tuple[int, float]]:
        cur = self.conn.execute(
            "SELECT step, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step", (run_id, key)
        )
        return cur.fetchall()

    def log_sample(self, run_id: str, step: int, prompt: str, text: str):
        self._tx(
            "INSERT INTO samples (run_id, step, prompt, text, time) VALUES (?, ?, ?, ?, ?)",
            [(run_id, step, prompt, text, time.time())],
        )

    def samples(self, run_id: str) -> list[tuple[int, str, str]]:
        return self.conn.execute(
            "SELECT step, prompt, text FROM samples WHERE run_id = ? ORDER BY step, rowid", (run_id,)
        ).fetchall()

    def log_skipped(
        self, run_id: str, step: int, reason: str, loss: float, grad_norm: float | None, doc_ids: list[str]
    ):
        self._tx(
            "INSERT INTO skipped_batches (run_id, step, reason, loss, grad_norm, doc_ids, time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    step,
                    reason,
                    _finite_or_none(loss),
                    _finite_or_none(grad_norm),
                    json.dumps(doc_ids, ensure_ascii=False),
                    time.time(),
                )
            ],
        )

    def skipped(self, run_id: str) -> list[dict]:
        cur = self.conn.execute(
            "SELECT step, reason, loss, grad_norm, doc_ids FROM skipped_batches WHERE run_id = ? ORDER BY step",
            (run_id,),
        )
        return [dict(step=s, reason=r, loss=lo, grad_norm=g, doc_ids=json.loads(d)) for s, r, lo, g, d in cur]

    def save_report(self, run_id: str, report: dict):
        self._tx(
            "INSERT OR REPLACE INTO reports (run_id, report) VALUES (?, ?)",
            [(run_id, json.dumps(report, ensure_ascii=False))],
        )

    def report(self, run_id: str) -> dict | None:
        row = self.conn.execute("SELECT report FROM reports WHERE run_id = ?", (run_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def forget_after(self, run_id: str, step: int):
        """On resume: drop what a crashed process logged after the checkpoint it resumes from."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        for table in ("metrics", "samples", "skipped_batches"):
            c.execute(f"DELETE FROM {table} WHERE run_id = ? AND step > ?", (run_id, step))
        c.execute("COMMIT")


def _finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if x == x and abs(x) != float("inf") else None


# -- whole-database backup and restore ------------------------------------------------------------
def backup(conn: sqlite3.Connection, db_path: Path, dest: str | Path, force: bool = False) -> Path:
    """A consistent copy of the whole workspace database (conn's, at db_path) made with SQLite's
    backup API. A folder gets a file named after the time (dojo-YYYYmmdd-HHMMSS.sqlite); an
    existing file is replaced only with `force`."""
    dest = Path(dest)
    if dest.is_dir():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dest, n = dest / f"dojo-{stamp}.sqlite", 1
        while dest.exists():
            n += 1
            dest = dest.with_name(f"dojo-{stamp}-{n}.sqlite")
    if str(db_path) != ":memory:" and dest.exists() and dest.resolve() == Path(db_path).resolve():
        raise DojoError(f"cannot back up {db_path} onto itself")
    if dest.exists() and not force:
        raise DojoError(f"{dest} already exists; choose another name or a folder, or replace it with --force")
    _backup_to(conn, dest)
    return dest


def restore(backup_path: str | Path, dest_path: str | Path, force: bool = False) -> Path:
    """Put a backup in place of a (damaged) database; a healthy one is replaced only with force.
    Refused while another LM Dojo process has the database open (the workspace lock): its
    writes would go to the file being replaced and be lost."""
    src, dest = Path(backup_path), Path(dest_path)
    if not src.is_file():
        raise DojoError(f"backup not found: {src}")
    from engine.io.locks import workspace_lock

    with workspace_lock(dest.parent, exclusive=True):
        check_healthy(src, what="backup")
        if dest.exists() and dest.stat().st_size > 0 and not force:
            try:
                check_healthy(dest)
            except DojoError:
                pass  # damaged: that is what restoring is for
            else:
                raise DojoError(f"{dest} is a healthy database; restoring {src} would replace it (use force)")
        # immutable: a backup is never written, so no locks and no -wal/-shm files beside it
        conn = sqlite3.connect(src.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        try:
            _backup_to(conn, dest)
        finally:
            conn.close()
        return dest


def check_healthy(path: Path, what: str = "preference store") -> None:
    """PRAGMA quick_check on a read-only connection (it cannot write to, or checkpoint into, the file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return  # a new database
    try:
        conn = sqlite3.connect(
            path.resolve().as_uri() + ("?mode=ro&immutable=1" if read_only(path) else "?mode=ro"), uri=True, timeout=30
        )
        try:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.OperationalError as e:  # locked, unreadable: not damage
        raise DojoError(f"cannot open the {what} {path}: {e}") from None
    except sqlite3.DatabaseError as e:  # not a database, malformed
        problems = [str(e)]
    if problems != ["ok"]:
        hint = (
            ""
            if what == "backup"
            else (
                f" Restore a backup with PrefStore.restore(BACKUP, {str(path)!r}) "
                "or: lmdojo-cli prefs WS restore BACKUP"
            )
        )
        raise DojoError(f"the {what} {path} is damaged (quick_check: {problems[0]}); it was left as it is.{hint}")


def _backup_to(conn: sqlite3.Connection, dest: Path) -> None:
    """conn's database into dest via the backup API: a temporary file, checked and fsynced, then
    renamed over dest, so a crash leaves either the old dest or the whole new one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        out = sqlite3.connect(tmp)
        try:
            conn.backup(out)
            problems = [r[0] for r in out.execute("PRAGMA quick_check")]
        finally:
            out.close()
        if problems != ["ok"]:
            raise DojoError(f"the copy for {dest} failed its check ({problems[0]}); {dest} was not changed")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        for side in ("-wal", "-shm"):  # a stale WAL beside dest would be replayed into the new file
            Path(str(dest) + side).unlink(missing_ok=True)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    finally:
        for p in (tmp, tmp + "-wal", tmp + "-shm"):
            Path(p).unlink(missing_ok=True)
