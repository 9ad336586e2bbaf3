"""What every stage does before and around the shared loop: claim a new run (or the run it resumes,
with its saved config), find the run it starts from and load that model (pretraining starts from
nothing), register the run with its lineage, and train.

    with open_stage(ws, "dpo", DPOConfig, cfg, resume, overrides) as st:
        task = DPOTask(...st.model...)
        yield from st.train(st.model, task, control)
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch

from engine import checkpoint as ckpt
from engine.config import build_config, to_dict
from engine.errors import ConfigError
from engine.events import Control, Log
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.tokenizer import tokenizer_hash
from engine.train import STAGES, dist
from engine.train.loop import Job, resolve_device, train
from engine.train.runs import RunClaim, command_line, latest_checkpoint, write_run_folder
from engine.train.threads import TORCH_THREADS, busy_cores, threads_for_load


@dataclass
class StageRun:
    ws: Workspace
    store: Store | None  # None on ranks other than 0 under torchrun (engine.train.dist)
    stage: str
    cfg: object
    run_id: str
    run_dir: Path
    resume_from: Path | None
    parent: str | None  # the checkpoint this run started from (kept on resume); None: from scratch
    model: torch.nn.Module | None  # the parent's model (on resume: the resumed checkpoint's); None: from scratch
    model_meta: dict | None
    device: torch.device
    tokenizer_hash: str
    meta: dict | None = None  # what every checkpoint of the run records (set when training starts)
    note: str = ""  # said before the first step (a busy machine, fewer threads)

    def train(
        self, model: torch.nn.Module, task, control: Control | None = None, extra_meta: dict | None = None
    ) -> Iterator:
        """Register the run (folder, config, lineage) and run the shared loop on `model`."""
        if self.note:
            yield Log(self.note, "warning")
        model.to(self.device).train()
        command = command_line(self.ws, self.stage, self.run_dir)
        if dist.current().is_main:
            write_run_folder(self.run_dir, self.cfg, command)
            if self.resume_from is None:
                self.store.create_run(self.run_id, self.stage, to_dict(self.cfg), command, parent=self.parent)
        model_config = self.model_meta["model_config"] if self.model_meta else model.cfg.to_dict()
        meta = {
            "stage": self.stage,
            "model_config": model_config,
            "tokenizer_hash": self.tokenizer_hash,
            "config": to_dict(self.cfg),
            **({"parent": self.parent} if self.parent else {}),
            "params": sum(p.numel() for p in model.parameters()),
            **(extra_meta or {}),
        }
        self.meta = meta
        yield from train(
            Job(
                run_id=self.run_id,
                run_dir=self.run_dir,
                cfg=self.cfg,
                model=model,
                task=task,
                device=self.device,
                store=self.store,
                meta=meta,
                resume_from=self.resume_from,
            ),
            control,
        )


def _choose_threads(threads: int, device: torch.device) -> str:
    """torch's CPU threads for a run: `threads` if set; else torch's default, or fewer when other
    programs keep cores busy (then a note saying so)."""
    if threads:
        torch.set_num_threads(threads)
        return ""
    n = TORCH_THREADS
    if device.type == "cpu" and dist.current().world == 1:
        n = threads_for_load(TORCH_THREADS, os.cpu_count() or TORCH_THREADS, busy_cores())
    torch.set_num_threads(n)
    if n == TORCH_THREADS:
        return ""
    return (
        f"other programs keep this machine's CPU busy: training on {n} of {TORCH_THREADS} threads "
        "(more would spin against them and run slower; set threads=N to choose)"
    )


@contextmanager
def open_stage(
    ws: Workspace,
    stage: str,
    cfg_cls,
    cfg,
    resume: str | bool | None,
    overrides: dict | None,
    nothing_to_start: str = "",
    presets: dict | None = None,
    saved_defaults: dict | None = None,
    resume_model: str = "checkpoint",
):
    """A StageRun for a new run from `cfg.base` (default: the latest run of the stage's parent in
    engine.train.STAGES), or for resuming `resume` with its saved config and `overrides`. The
    database closes on exit.

    `presets` rebuild a resumed config as make_config built it; `saved_defaults` are what a key
    missing from an older saved config meant then. `resume_model`: "checkpoint" loads the resumed
    checkpoint's model, "parent" the model the run started from (the loop restores the rest: SFT's
    adapters are applied first). A stage from scratch (no parent stage) gets no model."""
    parent_stage = STAGES[stage].parent
    ws.require_writable(f"training ({stage})")
    main = dist.init().is_main  # under torchrun: only rank 0 opens the database, and tells the others
    store = Store(ws.db_path) if main else None
    claim = RunClaim()
    try:
        tok_hash = tokenizer_hash(ws.tokenizer_path)
        resume_from, parent, source = None, None, None
        if resume:
            run_id, found = dist.on_main(lambda: claim.resume(ws, store, stage, resume))
            resume_from = Path(found)
            saved = ckpt.read_meta(resume_from)
            if saved.get("stage", stage) != stage:  # its config would not fit this stage's (grpo and ppo share most)
                raise ConfigError(
                    f"{run_id} is a {saved['stage']} run, not {stage}: resume it with lmdojo-cli {saved['stage']}"
                )
            cfg = build_config(cfg_cls, (saved_defaults or {}) | saved["config"], overrides, presets, "saved config")
            parent = saved.get("parent") or None
            source = Path(parent) if resume_model == "parent" and parent else resume_from
        elif parent_stage is not None:
            source = Path(
                dist.on_main(
                    lambda: str(
                        latest_checkpoint(
                            ws, store, parent_stage, cfg.base, nothing_to_start or f"nothing to start {stage} from"
                        )
                    )
                )
            )
            parent = str(source)
        if not cfg.has_budget():
            raise ConfigError("set a budget: max_steps or max_minutes (e.g. --set max_steps=300)")
        device = resolve_device(cfg.device)
        note = _choose_threads(cfg.threads, device)
        model, meta = ckpt.load_gpt(source, "cpu", tok_hash) if parent_stage is not None else (None, None)
        if not resume:
            run_id = dist.on_main(lambda: claim.new(ws, stage))
        torch.manual_seed(cfg.seed)
        yield StageRun(
            ws,
            store,
            stage,
            cfg,
            run_id,
            ws.run_dir(run_id),
            resume_from,
            parent,
            model.train() if model is not None else None,
            meta,
            device,
            tok_hash,
            note=note,
        )
    finally:
        claim.release()
        if store is not None:
            store.close()
