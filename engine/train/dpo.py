"""DPO: make preferred answers likelier and rejected ones less likely, against a frozen reference.

No reward model and no sampling: the policy (a copy of the SFT model) is trained on preference
pairs with DPO's loss (engine.losses.dpo_loss), which keeps it close to the reference through β.
The reference's log-probabilities are computed once, before training. Logged: the implicit rewards
β·(log π − log π_ref) of chosen and rejected answers, their margin and accuracy; held out: the
share of pairs where the policy itself gives the chosen answer the higher log-probability, and the
KL divergence to the reference on held-out answers. `lmdojo-cli dpo WS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.config import StageConfig, build_config, defaults, knob
from engine.data.shards import EpochOrder
from engine.events import Control, Finished, Log
from engine.io.workspace import Workspace
from engine.losses import IGNORE_INDEX, dpo_loss, sequence_logprobs
from engine.tokenizer import PAD, load_tokenizer, special_id
from engine.train.prefdata import PairData, PairTask, load_pairs, pad_batch
from engine.train.stage import open_stage

STAGE = "dpo"


@dataclass
@defaults(
    lr=0.0001,
    batch_size=(16, "Pairs per step."),
    warmup_steps=10,
    max_steps=200,
    eval_every=(25, "Steps between held-out measurements."),
    sample_every=(0, "Not used by DPO."),
    checkpoint_every=100,
)
class DPOConfig(StageConfig):
    ref: str = knob("", "Frozen reference model (default: the starting model).")
    prefs: str = knob("", "Preference pairs: a JSONL file (default: the workspace's preference store).")
    beta: float = knob(0.1, "How far the policy may move from the reference: lower moves further.", min=1e-4, max=10.0)
    val_fraction: float = knob(0.2, "Share of pairs held out to measure preference accuracy.", min=0.0, max=0.5)


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> DPOConfig:
    return build_config(DPOConfig, toml, sets, toml_name=toml_name)


class DPOTask(PairTask):
    def __init__(self, ws: Workspace, cfg: DPOConfig, tok, ref_model, device: torch.device):
        self.cfg, self.device, self.ref = cfg, device, ref_model.to(device).eval()
        self.data = PairData(tok, load_pairs(ws, cfg.prefs), ref_model.cfg.block_size, cfg.val_fraction, cfg.seed)
        self.tokens_per_row = self.data.tokens_per_row
        self.pad = special_id(tok, PAD)
        self.order = EpochOrder(len(self.data.train), cfg.seed)
        # the reference never changes: its log-probs once, not at every step
        self.ref_train = self.logprobs(self.ref, self.data.train)
        self.ref_val = self.logprobs(self.ref, self.data.val)
        self._logs: list[dict] = []

    def _batch(self, pairs) -> tuple[torch.Tensor, torch.Tensor]:
        """Chosen answers then rejected answers: inputs and labels (2B, T)."""
        x, y, _ = pad_batch([c for _, c, _ in pairs] + [r for _, _, r in pairs], self.pad, self.device)
        return x, y

    def _forward(self, model, pairs) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self._batch(pairs)
        lp = sequence_logprobs(model(x)[0], y)
        return lp[: len(pairs)], lp[len(pairs) :]

    @torch.no_grad()
    def logprobs(self, model, pairs) -> torch.Tensor:
        """(N, 2): log π(chosen), log π(rejected) for every pair."""
        out = [torch.zeros(0, 2)]
        for i in range(0, len(pairs), self.cfg.batch_size):
            c, r = self._forward(model, pairs[i : i + self.cfg.batch_size])
            out.append(torch.stack([c, r], dim=1).cpu())
        return torch.cat(out)

    def loss(self, model, rows):
        pc, pr = self._forward(model, [self.data.train[int(i)] for i in rows])
        ref = self.ref_train[torch.as_tensor(rows)].to(self.device)
        loss, rc, rr = dpo_loss(pc, pr, ref[:, 0], ref[:, 1], self.cfg.beta)
        self._logs.append(
            {"chosen": float(rc.mean()), "rejected": float(rr.mean()), "accuracy": float((rc > rr).float().mean())}
        )
        return loss, None

    def step_metrics(self) -> dict[str, float]:
        logs, self._logs = self._logs, []
        if not logs:
            return {}
        c, r = np.mean([x["chosen"] for x in logs]), np.mean([x["rejected"] for x in logs])
        return {
            "rewards/chosen": float(c),
            "rewards/rejected": float(r),
            "rewards/margin": float(c - r),
            "rewards/accuracy": float(np.mean([x["accuracy"] for x in logs])),
        }

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        """Held-out losses and accuracies, and the mean per-token KL(π ‖ π_ref) over the held-out
        answers' tokens (full distributions), from one policy pass over the held-out pairs."""
        if not self.data.val:
            return {}
        model.eval()
        pol, kl_total, kl_n = [], 0.0, 0
        for i in range(0, len(self.data.val), self.cfg.batch_size):
            chunk = self.data.val[i : i + self.cfg.batch_size]
            x, y = self._batch(chunk)
            logits = model(x)[0]
            lp = sequence_logprobs(logits, y)
            pol.append(torch.stack([lp[: len(chunk)], lp[len(chunk) :]], dim=1).cpu())
            logp = torch.log_softmax(logits.float(), -1)
            logq = torch.log_softmax(self.ref(x)[0].float(), -1)
            mask = y != IGNORE_INDEX
            kl_total += float((logp.exp() * (logp - logq)).sum(-1)[mask].sum())
            kl_n += int(mask.sum())
        model.train()
        pol = torch.cat(pol)
        loss, rc, rr = dpo_loss(pol[:, 0], pol[:, 1], self.ref_val[:, 0], self.ref_val[:, 1], self.cfg.beta)
        return {
            "val/loss": float(loss),
            "val/pref_accuracy": float((pol[:, 0] > pol[:, 1]).float().mean()),
            "val/reward_accuracy": float((rc > rr).float().mean()),
            "val/margin": float((rc - rr).mean()),
            "val/kl": kl_total / max(1, kl_n),
        }


def run(
    ws: Workspace,
    cfg: DPOConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    with open_stage(ws, STAGE, DPOConfig, cfg or make_config(sets=overrides), resume, overrides) as st:
        ref_path = ckpt.resolve(ws.runs_dir, st.cfg.ref) if st.cfg.ref else st.parent
        ref_model, _ = ckpt.load_gpt(ref_path, "cpu", st.tokenizer_hash)
        task = DPOTask(ws, st.cfg, load_tokenizer(ws.tokenizer_path), ref_model, st.device)
        before = task.logprobs(st.model.to(st.device).eval(), task.data.val)  # the starting model
        acc_before = float((before[:, 0] > before[:, 1]).float().mean()) if len(before) else None
        if task.data.note:
            yield Log(task.data.note, "warning")
        for ev in st.train(st.model, task, control, {"reference": str(ref_path)}):
            if isinstance(ev, Finished):
                final = task.evaluate(st.model)

                def r4(key):
                    return round(final[key], 4) if key in final else None

                ev.result |= {
                    "heldout_pref_accuracy_before": None if acc_before is None else round(acc_before, 4),
                    "heldout_pref_accuracy_after": r4("val/pref_accuracy"),
                    "heldout_reward_accuracy": r4("val/reward_accuracy"),
                    "kl": round(final["val/kl"], 5) if "val/kl" in final else None,
                    "heldout_pairs": len(task.data.val),
                    "train_pairs": len(task.data.train),
                    "note": task.data.note,
                }
            yield ev
