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
from engine.fsutil import atomic_write_text

MARKER = "dojo.toml"
FORMAT = 1
FOLDERS = ("data", "tokenizer", "tokens", "runs", "exports")


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
        return cls(root)

    @classmethod
    def create(cls, root: str | Path) -> "Workspace":
        root = Path(root)
        if (root / MARKER).exists():
            raise DojoError(f"{root} is already a workspace")
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
