"""Stage 2, supervised fine-tuning: teach a pretrained model to answer in the chat template.

    for event in sft.run(ws, cfg, control): ...

Examples are rendered through the chat template; by default only the assistant's tokens (and
their end-of-turn token) carry loss. A batch holds whole examples, right-padded: causal
attention never looks ahead, so no example attends to another or to padding. Full fine-tuning
or LoRA; everything else is the shared loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from engine.config import StageConfig, build_config, defaults, knob
from engine.data.sft_data import Encoded, encode_example, load_sft_records, response_only, select_examples
from engine.data.shards import EpochOrder, TokenData, hash_below
from engine.errors import DojoError
from engine.events import Control, Finished, Log
from engine.generate import SamplingConfig, chat
from engine.io.fsutil import atomic_write_text
from engine.io.workspace import Workspace
from engine.lora import LoRAConfig, apply_lora, save_adapter
from engine.losses import IGNORE_INDEX
from engine.tokenizer import PAD, load_tokenizer, special_id
from engine.train import dist
from engine.train.loop import OrderedRows, to_device
from engine.train.stage import open_stage
from engine.train.status import undertrained, undertrained_message

STAGE = "sft"


@dataclass
@defaults(
    lr=(
        3e-4,
        "Peak learning rate of AdamW (lower than pretraining: a higher one makes the model recite the "
        "fine-tuning people instead of answering about anyone; see the README).",
    ),
    batch_size=(16, "Examples per step (before accumulation)."),
    warmup_steps=20,
    max_steps=(
        600,
        "Steps to train. On the demo, 300 steps learn the facts' format but garble greetings and refusals; "
        "600 learn both (with replay: without it the held-out answers fall).",
    ),
    eval_every=50,
    sample_every=(100, "Steps between answers to the evaluation prompts (0 = never)."),
    sample_tokens=(48, "Tokens generated per answer."),
    checkpoint_every=100,
)
class SFTConfig(StageConfig):
    data: str = knob("", "Instruction data: a file or folder (default: the workspace's data/sft/train.jsonl).")
    val_fraction: float = knob(0.05, "Share of examples held out for validation.", min=0.0, max=0.5)
    loss_on: str = knob(
        "assistant", "Train on the assistant's tokens only, or on all tokens.", choices=("assistant", "all")
    )
    select: str = knob(
        "all", "Which examples: all, the longest N, or N diverse prompts.", choices=("all", "longest", "diverse")
    )
    select_n: int = knob(0, "N for select = longest or diverse.", min=0)
    bucket: bool = knob(
        True,
        "Batch examples of similar length together: less padding; each example "
        "still has its own row, so none attends to another.",
    )
    response_only: bool = knob(False, "Train on the responses with empty prompts (a lab).")
    lora: bool = knob(False, "Train low-rank adapters instead of all weights.")
    lora_rank: int = knob(8, "LoRA rank.", min=1, max=1024)
    lora_alpha: float = knob(16.0, "LoRA alpha (the update is scaled by alpha / rank).", min=0.0)
    lora_dropout: float = knob(0.0, "Dropout on the LoRA path.", min=0.0, max=0.9)
    lora_targets: list[str] = knob(("qkv", "proj"), "Linear layers that get adapters: qkv, proj, gate_up, down.")
    lora_train_embeddings: bool = knob(
        True,
        "With LoRA, also train the (tied) token embeddings: the chat "
        "tokens never occurred in pretraining, so their rows are untrained.",
    )
    eval_prompts: int = knob(6, "Held-out prompts answered at every sample step.", min=0)
    replay: float = knob(
        0.3,
        "Share of the training rows that are pretraining documents (the workspace's token shards, loss on "
        "every token): without them SFT overwrites what pretraining taught (on the demo, 600 steps without "
        "replay answer 65% of the held-out questions, with it 84%).",
        min=0.0,
        max=0.9,
    )


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> SFTConfig:
    cfg = build_config(SFTConfig, toml, sets, toml_name=toml_name)
    cfg.lora_targets = list(cfg.lora_targets)
    return cfg


class SFTTask(OrderedRows):
    def __init__(self, ws: Workspace, cfg: SFTConfig, tok, block: int, device: torch.device, run_dir: Path):
        self.cfg, self.tok, self.device = cfg, tok, device
        path = Path(cfg.data) if cfg.data else ws.data_dir / "sft" / "train.jsonl"
        records = load_sft_records(path)
        records = select_examples(records, cfg.select, cfg.select_n, cfg.seed)
        if cfg.response_only:
            records = response_only(records)
        if dist.current().is_main:  # the run folder is rank 0's
            atomic_write_text(
                run_dir / "selected.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            )
        self.train, self.val, self.skipped = [], [], 0
        for r in records:
            enc = encode_example(tok, r["messages"], cfg.loss_on, block + 1)
            if enc is None:
                self.skipped += 1
                continue
            if hash_below(f"{cfg.seed}:{r['id']}", cfg.val_fraction):
                self.val.append((r, enc))
            else:  # a weighted example is seen `weight` times per epoch (validation counts it once)
                self.train += [(r, enc)] * r.get("weight", 1)
        if not self.train:
            raise DojoError(f"no usable training examples in {path} ({self.skipped} too long or without an answer)")
        self.replayed, replay_note = self._add_replay(ws, block)
        # nothing held out (a small set, or val_fraction 0): no validation loss, never one on training examples
        notes = [replay_note] if replay_note else []
        if not self.val:  # nothing held out: no validation loss, never one on training examples
            notes.append(
                f"no example is held out ({len(records)} examples, val_fraction "
                f"{cfg.val_fraction}): validation loss is not measured"
            )
        self.note = "; ".join(notes) or None
        self.pad = special_id(tok, PAD)
        self.tokens_per_row = int(np.mean([len(e.ids) for _, e in self.train]))
        lengths = np.array([len(e.ids) for _, e in self.train])
        self.order = EpochOrder(
            len(self.train), cfg.seed, lengths=lengths if cfg.bucket else None, batch=cfg.batch_size
        )
        self.eval_prompts = [r["messages"][:-1] for r, _ in (self.val or self.train)[: cfg.eval_prompts]]

    def _add_replay(self, ws: Workspace, block: int) -> tuple[int, str | None]:
        """Pretraining documents among the training rows, `replay` of them (InstructGPT mixed pretraining
        gradients into PPO for the same reason: fine-tuning alone forgets). Each is one document of the
        token shards, cut to the context, trained on every token; the same ones on a resume (seeded).
        Returns (documents added, a note when there are no shards to replay)."""
        share = self.cfg.replay
        if share <= 0:
            return 0, None
        try:
            data = TokenData(ws.tokens_dir, "train")
        except (DojoError, OSError, KeyError, ValueError):
            return 0, f"replay {share}: no pretraining token shards in {ws.tokens_dir}; fine-tuning without replay"
        shard, start, length = data.documents()
        if not len(start):
            return 0, f"replay {share}: the token shards hold no documents; fine-tuning without replay"
        n = round(share / (1 - share) * len(self.train))
        pick = np.random.default_rng([self.cfg.seed, 7]).permutation(np.resize(np.arange(len(start)), n))
        before = len(self.train)
        for k in pick:
            ids = data.shards[shard[k]][start[k] : start[k] + min(length[k], block + 1)].astype(np.int64).tolist()
            if len(ids) >= 2:
                self.train.append(({"id": f"replay:{int(k)}"}, Encoded(ids, ids)))
        return len(self.train) - before, None  # the rows added (a one-token document is none)

    # -- batches: whole examples, right-padded ------------------------------------------

    def _batch(self, examples):
        T = max(len(e.ids) for e in examples) - 1
        x = torch.full((len(examples), T), self.pad, dtype=torch.long)
        y = torch.full((len(examples), T), IGNORE_INDEX, dtype=torch.long)
        for i, e in enumerate(examples):
            ids, labels = torch.tensor(e.ids), torch.tensor(e.labels)
            x[i, : len(ids) - 1] = ids[:-1]
            y[i, : len(ids) - 1] = labels[1:]
        return to_device(x, self.device), to_device(y, self.device)

    def loss(self, model, rows):
        x, y = self._batch([self.train[int(i)][1] for i in rows])
        loss, aux = model(x, targets=y)
        return loss, (aux if model.cfg.n_experts else None)

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        if not self.val:
            return {}
        model.eval()
        total, n = 0.0, 0
        B = self.cfg.batch_size
        for i in range(0, len(self.val), B):
            x, y = self._batch([e for _, e in self.val[i : i + B]])
            count = int((y != IGNORE_INDEX).sum())
            total += float(model(x, targets=y)[0]) * count
            n += count
        model.train()
        return {"val/loss": total / max(1, n)}

    @property
    def sample_count(self) -> int:
        return len(self.eval_prompts)

    def samples(self, model, step: int) -> Iterator[tuple[str, str]]:
        for i, messages in enumerate(self.eval_prompts):
            gen = torch.Generator().manual_seed(self.cfg.seed + i)
            answer = chat(
                model, self.tok, messages, SamplingConfig(greedy=True, max_new_tokens=self.cfg.sample_tokens), gen
            )
            yield (messages[-1]["content"], answer.text + ("" if answer.stopped else " …"))

    def doc_ids(self, rows) -> list[str]:
        return [self.train[int(i)][0]["id"] for i in rows]


def run(
    ws: Workspace,
    cfg: SFTConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    ws.require_writable("fine-tuning")
    tok = load_tokenizer(ws.tokenizer_path)
    # a resumed run loads the model it started from: its adapters go on before the loop restores them
    with open_stage(
        ws,
        STAGE,
        SFTConfig,
        cfg or make_config(sets=overrides),
        resume,
        overrides,
        nothing_to_start="nothing to fine-tune",
        resume_model="parent",
        saved_defaults={"replay": 0.0},  # a run saved before replay had none
    ) as st:
        cfg, model = st.cfg, st.model
        task = SFTTask(ws, cfg, tok, model.cfg.block_size, st.device, st.run_dir)
        if task.note:
            yield Log(task.note, "warning")
        if not cfg.base and not resume and (u := undertrained(ws)):  # it starts from that run
            yield Log(undertrained_message(u), "warning")
        lora = (
            LoRAConfig(cfg.lora_rank, cfg.lora_alpha, cfg.lora_dropout, tuple(cfg.lora_targets)) if cfg.lora else None
        )
        if lora:
            apply_lora(model, lora)
            if cfg.lora_train_embeddings:  # as PEFT's modules_to_save for new chat tokens
                model.tok_emb.weight.requires_grad_(True)
        torch.manual_seed(cfg.seed)  # training draws the same numbers with or without adapters
        meta = {
            "lora": {
                "rank": cfg.lora_rank,
                "alpha": cfg.lora_alpha,
                "dropout": cfg.lora_dropout,
                "targets": list(cfg.lora_targets),
            }
            if lora
            else None
        }
        for ev in st.train(model, task, control, meta):
            if lora and dist.current().is_main and isinstance(ev, Finished):
                path = st.run_dir / "adapter.safetensors"
                save_adapter(path, model, lora, st.meta)
                ev.result["adapter"] = str(path)
            if isinstance(ev, Finished):
                ev.result["replay_rows"] = task.replayed
            yield ev
