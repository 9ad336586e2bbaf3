"""Put the run index back when the workspace database lost it (deleted, emptied, replaced by a
backup older than some runs): every run folder with a checkpoint or a config becomes a row again,
from what the folder says about itself. Metrics and samples lived only in the database; they stay
lost, and the rebuilt runs say so.

`lmdojo-cli repair WS` runs it; opening a workspace runs it too when runs on disk are missing from
the database, and leaves a note (engine.io.workspace.take_notes) that the CLI and the app show.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine import checkpoint as ckpt
from engine.io.store import Store

MESSAGE = "rebuilt from its run folder; its metrics and samples were lost with the database"


def _created(folder: Path) -> float:
    """When the run started: the time in its id (stage-YYYYmmdd-HHMMSS[-n]), else its folder's."""
    import time

    parts = folder.name.split("-")
    for i in range(len(parts) - 1):
        try:
            return time.mktime(time.strptime(f"{parts[i]}-{parts[i + 1]}", "%Y%m%d-%H%M%S"))
        except ValueError:
            continue
    return folder.stat().st_mtime


def runs_on_disk(ws) -> list[Path]:
    """Run folders that hold something of a run (a checkpoint or the run's config)."""
    if not ws.runs_dir.is_dir():
        return []
    return sorted(
        p
        for p in ws.runs_dir.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and ((p / "config.json").is_file() or ckpt.list_checkpoints(p / "checkpoints"))
    )


def missing_runs(ws, store: Store) -> list[Path]:
    """Run folders the database does not know, leaving out runs being written right now (a run
    registers itself a moment after it claims its folder)."""
    from engine.io.locks import run_is_live

    known = {r[0] for r in store.conn.execute("SELECT id FROM runs")}
    return [p for p in runs_on_disk(ws) if p.name not in known and not run_is_live(p)]


def rebuild_run_index(ws, store: Store | None = None) -> list[str]:
    """Add a row for every run folder the database does not know; returns their ids."""
    own = store is None
    store = store or Store(ws.db_path)
    try:
        added = []
        for folder in missing_runs(ws, store):
            found = ckpt.list_checkpoints(folder / "checkpoints")
            meta = ckpt.read_meta(found[-1]) if found else {}
            try:
                config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                config = meta.get("config") or {}
            stage = meta.get("stage") or folder.name.rsplit("-", 2)[0]
            steps = int(config.get("max_steps") or 0)
            status = "done" if found and steps and meta.get("step", 0) >= steps else "cancelled"
            command = (
                (folder / "command.txt").read_text(encoding="utf-8").strip()
                if (folder / "command.txt").is_file()
                else ""
            )
            store.create_run(folder.name, stage, config, command, parent=meta.get("parent"), created=_created(folder))
            store.set_status(folder.name, status, MESSAGE)
            added.append(folder.name)
        return added
    finally:
        if own:
            store.close()
