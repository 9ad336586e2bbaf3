"""Who may write what, when several LM Dojo processes share a workspace.

* A **run lock** (`WS/runs/<id>/.lock`, exclusive): one process writes a run at a time — a second
  `--resume` of the same run is refused with the holder's pid. The lock dies with its process, so a
  run killed with -9 is free again: a run the database calls "running" whose lock is free was
  interrupted, and resumes.
* Run ids are claimed by creating their folder (`mkdir` fails if it exists), so two runs started in
  the same second get different ids.
* The **workspace lock** (`WS/.dojo.lock`): every open connection to the workspace database holds it
  shared; restoring the database from a backup needs it exclusive and is refused while anyone
  writes (their writes would go to the file being replaced and be lost).

Advisory locks (flock on POSIX, msvcrt.locking on Windows): they bind LM Dojo's processes, not
others; readers never take the run lock, so reading commands never block.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from engine.errors import DojoError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

RUN_LOCK = ".lock"
WORKSPACE_LOCK = ".dojo.lock"


class FileLock:
    """An advisory lock on `path` (created if missing), held until release() or the process ends."""

    def __init__(self, path: Path, shared: bool = False):
        self.path, self.shared = Path(path), shared
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            else:  # Windows has no shared mode here: a shared lock is a lock of its own byte range
                os.lseek(fd, 1 if self.shared else 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    @property
    def held(self) -> bool:
        return self._fd is not None

    def write_owner(self) -> None:
        """Note who holds it (pid, host, since when) for the message another process shows."""
        if self._fd is None:
            return
        data = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}).encode()
        os.lseek(self._fd, 2, os.SEEK_SET)  # after the bytes Windows locks
        os.write(self._fd, data)
        os.ftruncate(self._fd, 2 + len(data))

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def owner(path: Path) -> dict:
    """What the holder of a lock file wrote about itself ({} when nothing readable)."""
    try:
        return json.loads(Path(path).read_bytes()[2:] or b"{}")
    except (OSError, ValueError):
        return {}


def _describe(info: dict) -> str:
    if not info.get("pid"):
        return "another process"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.get("since", 0)))
    return f"process {info['pid']} on {info.get('host', '?')} (since {since})"


def lock_run(run_dir: Path) -> FileLock:
    """The run's write lock, or a one-line refusal naming the process that holds it."""
    run_dir = Path(run_dir)
    lock = FileLock(run_dir / RUN_LOCK)
    try:
        got = lock.try_acquire()
    except OSError as e:
        raise DojoError(f"cannot lock run {run_dir.name} in {run_dir.parent}: {e.strerror}") from None
    if not got:
        raise DojoError(
            f"run {run_dir.name} is being written by {_describe(owner(run_dir / RUN_LOCK))}; "
            f"wait for it to finish or stop it first"
        )
    lock.write_owner()
    return lock


def run_is_live(run_dir: Path) -> bool:
    """Whether a process is writing the run now (its lock is held)."""
    path = Path(run_dir) / RUN_LOCK
    if not path.exists():
        return False
    probe = FileLock(path)
    try:
        if probe.try_acquire():
            probe.release()
            return False
    except OSError:
        return False
    return True


def claim_run(runs_dir: Path, stage: str) -> tuple[str, FileLock]:
    """A new run id for `stage` with its folder created and its lock held: unique even when two
    processes start a run in the same second."""
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    base = f"{stage}-{time.strftime('%Y%m%d-%H%M%S')}"
    n = 1
    while True:
        run_id = base if n == 1 else f"{base}-{n}"
        try:
            (runs_dir / run_id).mkdir()
        except FileExistsError:
            n += 1
            continue
        return run_id, lock_run(runs_dir / run_id)


def workspace_lock(root: Path, exclusive: bool = False, then: str = "restore") -> FileLock | None:
    """The workspace lock, shared (a database connection) or exclusive (a restore). Shared: None
    where the workspace cannot hold a lock file (a read-only folder) — reading needs no lock."""
    lock = FileLock(Path(root) / WORKSPACE_LOCK, shared=not exclusive)
    try:
        got = lock.try_acquire()
    except OSError:
        if exclusive:
            raise
        return None
    if got:
        return lock
    if exclusive:
        raise DojoError(
            f"another LM Dojo process is using {root} (training, importing or the app): close it first, then {then}"
        )
    return None  # shared refused: someone restores right now; the connection's own checks decide
