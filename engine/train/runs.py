"""A run on disk and in the database: its id, its folder, the checkpoint it starts or resumes from,
and the command that repeats it. Shared by every stage (engine/train/loop.py runs the steps)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from engine import checkpoint as ckpt
from engine.config import to_dict, to_toml
from engine.errors import DojoError
from engine.io.store import Store


def new_run_id(runs_dir: Path, stage: str) -> str:
    """A new run id with its folder created (unique however many processes start runs at once)."""
    from engine.io.locks import claim_run

    run_id, lock = claim_run(runs_dir, stage)
    lock.release()
    return run_id


class RunClaim:
    """The run a stage writes, locked for as long as it writes (engine/io/locks.py): a new run (its id
    and folder claimed) or a resumed one (refused while another process writes it). Under torchrun
    only rank 0 claims; release() in the stage's `finally`."""

    def __init__(self):
        self.lock = None

    def new(self, ws, stage: str) -> str:
        from engine.io.locks import claim_run

        run_id, self.lock = claim_run(ws.runs_dir, stage)
        return run_id

    def resume(self, ws, store: Store, stage: str, resume) -> tuple[str, str]:
        from engine.io.locks import lock_run, run_is_live

        try:
            run_id, found = find_resume(ws, store, stage, resume)
        except DojoError:
            # a live run has no checkpoint yet: say who writes it, not "nothing to resume"
            if isinstance(resume, str) and run_is_live(ws.run_dir(resume)):
                lock_run(ws.run_dir(resume)).release()  # raises, naming the writer
            raise
        self.lock = lock_run(ws.run_dir(run_id))
        return run_id, str(found)

    def release(self) -> None:
        """Let go of the run; a claimed folder the stage never wrote into (it failed before it
        started: bad data, a missing base) is removed, lock file and all."""
        if self.lock is None:
            return
        from engine.io.locks import RUN_LOCK

        folder = self.lock.path.parent
        self.lock.release()
        self.lock = None
        try:
            if [p.name for p in folder.iterdir()] == [RUN_LOCK]:
                (folder / RUN_LOCK).unlink()
                folder.rmdir()
        except OSError:
            pass


def write_run_folder(run_dir: Path, cfg, command: str):
    from engine.io.fsutil import atomic_write_text

    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / "config.toml", to_toml(cfg))
    atomic_write_text(run_dir / "config.json", json.dumps(to_dict(cfg), indent=1, ensure_ascii=False))
    atomic_write_text(run_dir / "command.txt", command + "\n")


def latest_checkpoint(ws, store: Store, stage: str, ref: str = "", what: str = "nothing to start from") -> Path:
    """`ref` (a run id or a checkpoint folder), else the newest checkpoint of the latest `stage` run."""
    if ref:
        return ckpt.resolve(ws.runs_dir, ref)
    runs = [r for r in store.runs(stage) if ckpt.list_checkpoints(ws.run_dir(r["id"]) / "checkpoints")]
    if not runs:
        raise DojoError(
            f"{what}: no {stage} run with a checkpoint in {ws.root}; run lmdojo-cli {stage} WS first, or name a run"
        )
    return ckpt.list_checkpoints(ws.run_dir(runs[-1]["id"]) / "checkpoints")[-1]


def find_resume(ws, store: Store, stage: str, resume: str | bool) -> tuple[str, Path]:
    """`resume` is True (the latest run of `stage`), a run id, or a checkpoint folder."""
    if resume is True:
        runs = [r for r in store.runs(stage) if ckpt.list_checkpoints(ws.run_dir(r["id"]) / "checkpoints")]
        if not runs:
            raise DojoError(f"nothing to resume: no {stage} run with a checkpoint in {ws.root}")
        run_id = runs[-1]["id"]
    elif (p := Path(str(resume))).is_dir() and (p / "meta.json").exists():
        if not ckpt.is_complete(p):
            raise DojoError(f"checkpoint is incomplete: {p}")
        return ckpt.read_meta(p)["run_id"], p
    else:
        run_id = str(resume)
        if store.run(run_id) is None:
            raise DojoError(f"no run {run_id!r} in {ws.root}")
    found = ckpt.list_checkpoints(ws.run_dir(run_id) / "checkpoints")
    if not found:
        raise DojoError(f"run {run_id} has no complete checkpoint to resume from")
    return run_id, found[-1]


def command_line(ws, stage: str, run_dir: Path, resume: bool = False) -> str:
    """The lmdojo-cli command that repeats (or resumes) a run."""
    cmd = ["lmdojo-cli", stage, str(ws.root), "--config", str(run_dir / "config.toml")]
    if resume:
        cmd += ["--resume", run_dir.name]
    return shlex.join(cmd)
