"""KTO: learn from thumbs up / down alone — no pairs needed (Ethayarajh et al. 2024).

Each example is one answer marked desirable or undesirable. The policy's implicit reward
r = log π(y|x) − log π_ref(y|x) is pushed above a reference point z0 for good answers and below it
for bad ones (engine.losses.kto_loss); z0 estimates KL(π‖π_ref) from mismatched prompt–answer
combinations of the batch. Thumbs come from the preference store; when it holds none, every pair's
chosen answer counts as a thumb up and its rejected one as a thumb down (as the paper does with
comparison data). `lmdojo-cli kto WS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.config import StageConfig, build_config, defaults, knob
from engine.data.shards import EpochOrder, hash_below
from engine.errors import DojoError
from engine.events import Control, Finished, Log
from engine.io.workspace import Workspace
from engine.losses import kto_loss, sequence_logprobs
from engine.tokenizer import PAD, load_tokenizer, special_id
from engine.train.loop import OrderedRows
from engine.train.prefdata import encode_answer, load_pairs, pad_batch
from engine.train.stage import open_stage

STAGE = "kto"


@dataclass
@defaults(
    lr=0.0001,
    batch_size=(16, "Examples per step.", {"min": 2}),
    warmup_steps=10,
    max_steps=200,
    eval_every=(25, "Steps between held-out measurements."),
    sample_every=(0, "Not used by KTO."),
    checkpoint_every=100,
)
class KTOConfig(StageConfig):
    prefs: str = knob("", "Pairs in a JSONL file, split into thumbs (default: the store's thumbs, else its pairs).")
    beta: float = knob(0.1, "How far the policy may move from the reference: lower moves further.", min=1e-4, max=10.0)
    weight_desirable: float = knob(1.0, "Weight of the thumbs-up examples' loss.", min=0.0)
    weight_undesirable: float = knob(1.0, "Weight of the thumbs-down examples' loss.", min=0.0)
    val_fraction: float = knob(0.2, "Share of examples held out.", min=0.0, max=0.5)


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> KTOConfig:
    return build_config(KTOConfig, toml, sets, toml_name=toml_name)


def load_thumbs(ws: Workspace, source: str = "") -> list[dict]:
    """[{"prompt", "messages", "answer", "up"}] from the store's thumbs, else from pairs."""
    if not source:
        from engine.rlhf.prefs import PrefStore

        with PrefStore(ws.db_path) as store:
            thumbs = store.thumbs()
        if thumbs:
            return [
                {"prompt": t["prompt"], "messages": t["messages"], "answer": t["response"], "up": t["thumb"] > 0}
                for t in thumbs
            ]
    out = []
    for p in load_pairs(ws, source):
        for answer, up in ((p["chosen"], True), (p["rejected"], False)):
            out.append({"prompt": p["prompt"], "messages": p.get("messages"), "answer": answer, "up": up})
    return out


class KTOTask(OrderedRows):
    def __init__(self, ws: Workspace, cfg: KTOConfig, tok, ref_model, device: torch.device):
        self.cfg, self.device, self.ref = cfg, device, ref_model.to(device).eval()
        self.pad = special_id(tok, PAD)
        self.train, self.val = [], []
        for t in load_thumbs(ws, cfg.prefs):
            prompt = t["messages"] or [{"role": "user", "content": t["prompt"]}]
            enc = encode_answer(tok, prompt, t["answer"], ref_model.cfg.block_size)
            if enc is None:
                continue
            held_out = hash_below(f"{cfg.seed}:{t['prompt']}\x00{t['answer']}", cfg.val_fraction)
            (self.val if held_out else self.train).append((t, enc))
        if len(self.train) < 2:
            raise DojoError("too few usable thumbs to train on (need at least 2)")
        self.examples = len(self.train) + len(self.val)
        self.note = (
            None
            if self.val
            else (
                f"no thumb is held out ({len(self.train)} thumbs, val_fraction "
                f"{cfg.val_fraction}): held-out numbers are not measured"
            )
        )
        self.tokens_per_row = int(np.mean([len(e.ids) for _, e in self.train]))
        self.order = EpochOrder(len(self.train), cfg.seed)
        self._logs: list[dict] = []

    def _logps(self, model, encs) -> torch.Tensor:
        x, y, _ = pad_batch(encs, self.pad, self.device)
        return sequence_logprobs(model(x)[0], y)

    def _kto(self, model, items) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(loss, implicit rewards, desirable mask) for a batch; z0 from the batch's answers shifted by
        one prompt (each answer under another example's prompt), as in the paper."""
        encs = [e for _, e in items]
        desirable = torch.tensor([t["up"] for t, _ in items], device=self.device)
        policy = self._logps(model, encs)
        with torch.no_grad():
            ref = self._logps(self.ref, encs)
            shifted = [encode_answer_like(items[i][1], items[(i + 1) % len(items)][1]) for i in range(len(items))]
            z0 = (self._logps(model, shifted) - self._logps(self.ref, shifted)).mean()
        r = policy - ref
        loss = kto_loss(
            policy, ref, desirable, z0, self.cfg.beta, self.cfg.weight_desirable, self.cfg.weight_undesirable
        )
        return loss, r.detach(), desirable

    def loss(self, model, rows):
        loss, r, desirable = self._kto(model, [self.train[int(i)] for i in rows])
        self._logs.append(
            {
                "up": float(r[desirable].mean()) if desirable.any() else float("nan"),
                "down": float(r[~desirable].mean()) if (~desirable).any() else float("nan"),
            }
        )
        return loss, None

    def step_metrics(self) -> dict[str, float]:
        logs, self._logs = self._logs, []
        up, down = np.nanmean([x["up"] for x in logs]), np.nanmean([x["down"] for x in logs])
        return {"rewards/desirable": float(up), "rewards/undesirable": float(down), "rewards/margin": float(up - down)}

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        if not self.val:
            return {}
        model.eval()
        losses, rs, ds = [], [], []
        B = self.cfg.batch_size
        for i in range(0, len(self.val), B):
            chunk = self.val[i : i + B]
            if len(chunk) < 2:
                chunk = self.val[-2:] if len(self.val) >= 2 else chunk + chunk
            loss, r, d = self._kto(model, chunk)
            losses.append(float(loss))
            rs.append(r.cpu())
            ds.append(d.cpu())
        model.train()
        r, d = torch.cat(rs), torch.cat(ds)
        up = float(r[d].mean()) if d.any() else 0.0
        down = float(r[~d].mean()) if (~d).any() else 0.0
        return {
            "val/loss": float(np.mean(losses)),
            "val/margin": up - down,
            "val/reward_desirable": up,
            "val/reward_undesirable": down,
        }

    def samples(self, model, step: int) -> list[tuple[str, str]]:
        return []

    def doc_ids(self, rows) -> list[str]:
        return [self.train[int(i)][0]["prompt"][:80] for i in rows]


def encode_answer_like(answer_of, prompt_of):
    """The answer of one encoded example under the prompt of another (same label layout)."""
    from engine.losses import IGNORE_INDEX
    from engine.train.prefdata import EncodedAnswer

    p_len = next(i for i, x in enumerate(prompt_of.labels) if x != IGNORE_INDEX)
    a_start = next(i for i, x in enumerate(answer_of.labels) if x != IGNORE_INDEX)
    ids = (prompt_of.ids[:p_len] + answer_of.ids[a_start:])[: max(len(prompt_of.ids), len(answer_of.ids))]
    labels = ([IGNORE_INDEX] * p_len + answer_of.labels[a_start:])[: len(ids)]
    return EncodedAnswer(ids, labels)


def run(
    ws: Workspace,
    cfg: KTOConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    with open_stage(ws, STAGE, KTOConfig, cfg or make_config(sets=overrides), resume, overrides) as st:
        ref_model, _ = ckpt.load_gpt(st.parent, "cpu", st.tokenizer_hash)
        task = KTOTask(ws, st.cfg, load_tokenizer(ws.tokenizer_path), ref_model, st.device)
        before = task.evaluate(st.model.to(st.device))
        if task.note:
            yield Log(task.note, "warning")
        for ev in st.train(st.model, task, control, {"reference": st.parent}):
            if isinstance(ev, Finished):
                after = task.evaluate(st.model)
                ev.result |= {
                    "heldout_margin_before": round(before["val/margin"], 4) if before else None,
                    "heldout_margin_after": round(after["val/margin"], 4) if after else None,
                    "examples": task.examples,
                    "note": task.note,
                }
            yield ev
