"""A project folder: everything a person makes in LM Dojo lives in one.

WS/
  dojo.toml          marks the folder as a workspace (format version)
  data/              corpus/, sft/, prefs/ (the demo world writes these)
  tokenizer/         tokenizer.json
  tokens/            memory-mapped token shards + meta.json
  runs/<id>/         config.toml, config.json, command.txt, checkpoints/
  exports/
  dojo.sqlite        runs, metrics, samples, skipped batches
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import DojoError
from engine.io.fsutil import atomic_write_text

MARKER = "dojo.toml"
FORMAT = 1
FOLDERS = ("data", "tokenizer", "tokens", "runs", "exports")
_NOTES: list[str] = []  # what opening a workspace had to repair, for the CLI and the app to say


def take_notes() -> list[str]:
    """The notes left by opening workspaces in this process since the last call (and forget them)."""
    notes = list(_NOTES)
    _NOTES.clear()
    return notes


class Workspace:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    # -- opening and creating -------------------------------------------------------------
    @classmethod
    def open(cls, root: str | Path) -> "Workspace":
        root = Path(root)
        if not root.exists():
            raise DojoError(f"workspace not found: {root} (create one with: lmdojo-cli init {root} --demo)")
        if not (root / MARKER).is_file():
            raise DojoError(f"{root} is not an LM Dojo workspace (no {MARKER}); create one with: lmdojo-cli init DIR")
        ws = cls(root)
        ws._check_run_index()
        return ws

    def _check_run_index(self) -> None:
        """Runs on disk the database does not know (it was deleted, emptied or restored from an older
        backup) are put back from their folders, with a note."""
        from engine.io.repair import missing_runs, rebuild_run_index, runs_on_disk

        if not runs_on_disk(self):
            return
        from engine.io.store import Store

        try:
            with Store(self.db_path) as store:
                if not missing_runs(self, store):
                    return
                added = rebuild_run_index(self, store)
        except (DojoError, OSError):
            return  # damaged or read-only: the command itself will say so
        _NOTES.append(
            f"{self.db_path} did not know {len(added)} run(s) found in {self.runs_dir} "
            f"({', '.join(added[:3])}{', …' if len(added) > 3 else ''}): rebuilt them from their "
            "folders; their metrics and samples are lost"
        )

    @classmethod
    def create(cls, root: str | Path) -> "Workspace":
        root = Path(root)
        if (root / MARKER).exists():
            raise DojoError(f"{root} is already a workspace: use it as it is, or start it over with init --replace")
        if root.exists() and not root.is_dir():
            raise DojoError(f"{root} exists and is not a folder")
        if root.exists() and any(root.iterdir()):
            raise DojoError(f"{root} is not empty; choose a new or empty folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
            for name in FOLDERS:
                (root / name).mkdir(exist_ok=True)
            atomic_write_text(root / MARKER, f"# LM Dojo workspace\nformat = {FORMAT}\n")
        except OSError as e:
            raise DojoError(f"cannot create workspace {root}: {e.strerror}") from None
        return cls(root)

    @classmethod
    def replace(cls, root: str | Path) -> "Workspace":
        """A new, empty workspace where one was: the old one is deleted first — only a folder that
        is an LM Dojo workspace, and only while no other LM Dojo process uses it."""
        import shutil

        from engine.io.locks import workspace_lock

        root = Path(root)
        if (root / MARKER).is_file():
            lock = workspace_lock(root, exclusive=True, then="replace it")
            try:
                shutil.rmtree(root)
            except OSError as e:
                raise DojoError(f"cannot delete workspace {root}: {e.strerror}") from None
            finally:
                lock.release()
        return cls.create(root)

    def require_writable(self, what: str) -> None:
        """A one-line refusal for a command that writes, where the workspace cannot be written
        (a read-only disk or share): reading commands (runs, generate, chat, eval) still work."""
        import os

        if not os.access(self.root, os.W_OK) or (self.runs_dir.is_dir() and not os.access(self.runs_dir, os.W_OK)):
            raise DojoError(
                f"{self.root} is read-only here: {what} needs to write to it (copy the workspace somewhere writable)"
            )

    # -- places ---------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def corpus_dir(self) -> Path:
        return self.data_dir / "corpus"

    @property
    def clean_dir(self) -> Path:
        return self.data_dir / "clean"

    def training_corpus(self) -> Path:
        """What the tokenizer and pretraining read: the cleaned corpus once cleaning has run."""
        if (self.clean_dir / "report.json").is_file():
            return self.clean_dir
        return self.corpus_dir

    @property
    def tokenizer_path(self) -> Path:
        return self.root / "tokenizer" / "tokenizer.json"

    @property
    def tokens_dir(self) -> Path:
        return self.root / "tokens"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def db_path(self) -> Path:
        return self.root / "dojo.sqlite"

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id
