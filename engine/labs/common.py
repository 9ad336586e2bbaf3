"""What several labs share: the runs a lab looks at, loading one, torch threads for the lab's
duration, and a table cell."""

from __future__ import annotations

import torch

from engine import checkpoint as ckpt
from engine.errors import DojoError


def latest_runs(ws, stages: tuple[str, ...]) -> dict[str, str]:
    """{stage: the id of its latest run with a checkpoint} for those of `stages` that have one."""
    from engine.io.store import Store

    out = {}
    with Store(ws.db_path) as store:
        for stage in stages:
            runs = [r["id"] for r in store.runs(stage) if ckpt.list_checkpoints(ws.run_dir(r["id"]) / "checkpoints")]
            if runs:
                out[stage] = runs[-1]
    return out


def load_model(ws, ref: str, device):
    from engine.tokenizer import tokenizer_hash

    folder = ckpt.resolve(ws.runs_dir, ref)
    model, meta = ckpt.load_gpt(folder, device, tokenizer_hash(ws.tokenizer_path))
    if meta.get("head") == "reward":
        raise DojoError(f"{ref} is a reward model: it scores answers, it does not write them")
    return model, meta.get("run_id", str(ref)), meta.get("stage", "?")


class threads_set:
    """torch.set_num_threads for the lab's duration (0: leave it)."""

    def __init__(self, n: int):
        self.n, self.before = n, torch.get_num_threads()

    def __enter__(self):
        if self.n:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.before)


def cell(text: str, limit: int = 80) -> str:
    """An answer fit for one Markdown table cell."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"
