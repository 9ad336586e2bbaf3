"""Reward model: learn people's taste from preference pairs, so it can judge without them.

A scalar head on the SFT model (or any run) reads each answer's last token; the Bradley–Terry loss
−log σ(r_chosen − r_rejected) makes chosen answers score higher. Held-out pair accuracy says
whether it learned the taste or only the training pairs. `lmdojo-cli reward WS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from engine.config import StageConfig, build_config, defaults, knob
from engine.data.shards import EpochOrder
from engine.events import Control, Finished, Log
from engine.io.workspace import Workspace
from engine.losses import bradley_terry_loss
from engine.model import RewardModel
from engine.tokenizer import PAD, load_tokenizer, special_id
from engine.train.prefdata import PairData, PairTask, load_pairs, pad_batch
from engine.train.stage import open_stage

STAGE = "reward"


@dataclass
@defaults(
    lr=(0.0001, "Peak learning rate of AdamW (low: the head learns without washing out what the model knows)."),
    batch_size=(16, "Pairs per step."),
    warmup_steps=10,
    max_steps=100,
    eval_every=(25, "Steps between held-out accuracy measurements."),
    sample_every=(0, "Not used by the reward model."),
    checkpoint_every=100,
)
class RewardConfig(StageConfig):
    prefs: str = knob("", "Preference pairs: a JSONL file (default: the workspace's preference store).")
    val_fraction: float = knob(0.2, "Share of pairs held out to measure accuracy.", min=0.0, max=0.5)
    likelihood: bool = knob(
        True,
        "Also score an answer by the model's own mean log-probability of it, with a "
        "learned weight starting at 1: a small model tells a wrong fact from a right one by "
        "what it would have said, not by its last token's state.",
    )


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> RewardConfig:
    return build_config(RewardConfig, toml, sets, toml_name=toml_name)


class RewardTask(PairTask):
    def __init__(self, ws: Workspace, cfg: RewardConfig, tok, block: int, device: torch.device):
        self.cfg, self.device = cfg, device
        self.data = PairData(tok, load_pairs(ws, cfg.prefs), block, cfg.val_fraction, cfg.seed)
        self.tokens_per_row = self.data.tokens_per_row
        self.pad = special_id(tok, PAD)
        self.order = EpochOrder(len(self.data.train), cfg.seed)
        self._acc: list[float] = []

    def rewards(self, model, pairs) -> tuple[torch.Tensor, torch.Tensor]:
        """Rewards of the chosen and the rejected answers, in one forward pass."""
        x, y, last = pad_batch([c for _, c, _ in pairs] + [r for _, _, r in pairs], self.pad, self.device)
        r = model.reward(x, last + 1, y)
        return r[: len(pairs)], r[len(pairs) :]

    def loss(self, model, rows):
        rc, rr = self.rewards(model, [self.data.train[int(i)] for i in rows])
        self._acc.append(float((rc > rr).float().mean()))
        return bradley_terry_loss(rc, rr), None

    def step_metrics(self) -> dict[str, float]:
        acc, self._acc = self._acc, []
        return {"train/accuracy": float(np.mean(acc))} if acc else {}

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        if not self.data.val:
            return {}
        model.eval()
        rc, rr = self.score(model, self.data.val)
        model.train()
        return {
            "val/loss": float(bradley_terry_loss(rc, rr)),
            "val/accuracy": float((rc > rr).float().mean()),
            "val/reward_chosen": float(rc.mean()),
            "val/reward_rejected": float(rr.mean()),
        }

    @torch.no_grad()
    def score(self, model, pairs) -> tuple[torch.Tensor, torch.Tensor]:
        out_c, out_r = [], []
        for i in range(0, len(pairs), self.cfg.batch_size):
            rc, rr = self.rewards(model, pairs[i : i + self.cfg.batch_size])
            out_c.append(rc)
            out_r.append(rr)
        return torch.cat(out_c), torch.cat(out_r)


def demo_reasons(ws: Workspace, pairs: list[dict], right: list[bool]) -> dict:
    """Held-out accuracy per reason of the demo's pairs (wrong fact, rambling, unsafe): {reason:
    {"accuracy", "pairs"}} for the pairs that are the demo's; empty without a demo world."""
    import json

    path = ws.data_dir / "prefs" / "train.jsonl"
    if not path.is_file():
        return {}
    reason = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        reason[(rec["prompt"], rec["chosen"], rec["rejected"])] = rec.get("metadata", {}).get("reason")
    groups: dict[str, list[bool]] = {}
    for p, ok in zip(pairs, right):
        r = reason.get((p["prompt"], p["chosen"], p["rejected"]))
        if r:
            groups.setdefault(r, []).append(ok)
    return {r: {"accuracy": round(sum(v) / len(v), 4), "pairs": len(v)} for r, v in sorted(groups.items())}


def run(
    ws: Workspace,
    cfg: RewardConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    with open_stage(ws, STAGE, RewardConfig, cfg or make_config(sets=overrides), resume, overrides) as st:
        task = RewardTask(ws, st.cfg, load_tokenizer(ws.tokenizer_path), st.model.cfg.block_size, st.device)
        model = RewardModel.from_gpt(st.model, st.cfg.likelihood)  # a resumed reward model stays as it was
        likelihood = model.likelihood_weight is not None
        if task.data.note:
            yield Log(task.data.note, "warning")
        for ev in st.train(model, task, control, {"head": "reward", "reward_likelihood": likelihood}):
            if isinstance(ev, Finished):
                ev.result |= {
                    "heldout_pairs": len(task.data.val),
                    "train_pairs": len(task.data.train),
                    "heldout_accuracy": None,
                    "note": task.data.note,
                }
                if task.data.val:
                    rc, rr = task.score(model.eval(), task.data.val)
                    by_reason = demo_reasons(ws, [p for p, _, _ in task.data.val], (rc > rr).tolist())
                    ev.result |= {
                        "heldout_accuracy": round(float((rc > rr).float().mean()), 4),
                        **({"heldout_by_reason": by_reason} if by_reason else {}),
                        "reward_mean": round(float(torch.cat([rc, rr]).mean()), 4),
                        "reward_std": round(float(torch.cat([rc, rr]).std()), 4),
                    }
            yield ev
