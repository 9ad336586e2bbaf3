"""PPO with a value head: the model answers, a judge scores, and a learned value says how much of the
score each token earned.

The rollout is GRPO's (engine.train.grpo: `batch_size` prompts, `group_size` answers each, the same
judges), but the advantage comes from a value head on the policy (engine.model.PolicyWithValue)
instead of the group's mean: every answer token gets a reward of −β·(log π − log π_ref) (the KL
penalty, per token, as in InstructGPT), the answer's last token also gets the judge's score, and
generalised advantage estimation (γ, λ) spreads it over the tokens through the value head's
estimates. Each rollout is trained on for `ppo_epochs` optimizer steps, so the probability ratio
moves away from 1 and the clipping (of the ratio, `clip_eps`, and of the value, `clip_value`) does
its work; the value head learns the returns alongside (`vf_coef`). `lmdojo-cli ppo WS`.

Logged live besides GRPO's reward, KL, entropy and length: the value loss, the share of clipped
ratios, and how much of the returns' variance the values explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from engine.config import build_config, defaults, knob
from engine.events import Control
from engine.io.workspace import Workspace
from engine.losses import gae, masked_whiten, ppo_policy_loss, ppo_value_loss, token_logprobs
from engine.model import PolicyWithValue
from engine.train.grpo import GRPOTask, PolicyConfig, mean_entropy, run_policy

STAGE = "ppo"


@dataclass
@defaults(
    lr=(
        3e-5,
        "Peak learning rate. Lower than GRPO's: PPO's advantages are whitened per token (std 1 over the batch), "
        "so the same rate moves each token several times further (on the demo, 3e-4 and 1e-4 cost facts).",
    ),
)
class PPOConfig(PolicyConfig):
    gamma: float = knob(
        1.0, "Discount of later rewards (1: the judge's score counts as much for the first token).", min=0.0, max=1.0
    )
    lam: float = knob(
        0.95, "GAE's λ: 1 uses the observed returns, lower leans on the value head's estimates.", min=0.0, max=1.0
    )
    vf_coef: float = knob(0.1, "Weight of the value head's loss beside the policy's.", min=0.0, max=10.0)
    clip_value: float = knob(
        0.2, "How far a value may move from the rollout's in one step (clipped value loss).", min=0.0, max=100.0
    )
    ppo_epochs: int = knob(2, "Optimizer steps taken on each rollout (1: the ratio never leaves 1).", min=1, max=8)


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> PPOConfig:
    return build_config(PPOConfig, toml, sets, toml_name=toml_name)


@dataclass
class Rollout:
    """One rollout's answers and scores; its first step measures the rest, which the next
    `ppo_epochs − 1` steps reuse."""

    inputs: torch.Tensor
    targets: torch.Tensor
    mask: torch.Tensor
    scores: torch.Tensor  # the judge's score of each answer
    log: dict
    old_logps: torch.Tensor | None = None
    old_values: torch.Tensor | None = None
    advantages: torch.Tensor | None = None
    returns: torch.Tensor | None = None


class PPOTask(GRPOTask):
    def __init__(self, ws: Workspace, cfg: PPOConfig, tok, ref_model, device: torch.device):
        super().__init__(ws, cfg, tok, ref_model, device)
        self.steps = 0  # steps taken: a new rollout every ppo_epochs
        self.rows: np.ndarray | None = None
        self.rollouts: dict[tuple, Rollout] = {}

    def next_rows(self, n: int) -> np.ndarray:
        if self.rows is None or len(self.rows) != n or self.steps % self.cfg.ppo_epochs == 0:
            self.rows, self.rollouts = self.order.take(n), {}
        self.steps += 1
        return self.rows

    def data_state(self) -> dict:
        # a run resumed between two steps on one rollout samples a new one (the rollout is not saved)
        return super().data_state() | {"steps": self.steps}

    def load_data_state(self, state: dict) -> None:
        super().load_data_state(state)
        self.steps = int(state.get("steps", 0))

    def loss(self, model: PolicyWithValue, rows):
        key = tuple(int(i) for i in rows)
        r = self.rollouts.get(key) or self._new(model, key)
        logits, values = model.logits_and_values(r.inputs)
        logits = self.sampled(logits)
        logps = token_logprobs(logits, r.targets)
        if r.old_logps is None:  # the rollout's first step: the policy that sampled is the one being trained
            self._measure(r, logps.detach(), values.detach())
        pg, clipped = ppo_policy_loss(logps, r.old_logps, r.advantages, r.mask, self.cfg.clip_eps)
        vf = ppo_value_loss(values, r.old_values, r.returns, r.mask, self.cfg.clip_value)
        n = r.mask.sum().clamp(min=1)
        resid = ((r.returns - values.detach()) * r.mask).pow(2).sum() / n
        var = ((r.returns - (r.returns * r.mask).sum() / n) * r.mask).pow(2).sum() / n
        self._logs.append(
            r.log
            | {
                "entropy": mean_entropy(logits, r.mask),
                "value_loss": float(vf.detach()),
                "clip_frac": float(clipped),
                "explained_var": float(1 - resid / var.clamp(min=1e-8)),
            }
        )
        return pg + self.cfg.vf_coef * vf, None

    def _new(self, model, key: tuple) -> Rollout:
        """Sample and score a rollout for these rows; the log-probs and values come with the first step."""
        seqs, masks, R, log = self.rollout(model, np.array(key))
        self.rollouts[key] = Rollout(*self.padded(seqs, masks), R.reshape(-1).to(self.device), log)
        return self.rollouts[key]

    @torch.no_grad()
    def _measure(self, r: Rollout, logps: torch.Tensor, values: torch.Tensor) -> None:
        """Per-token rewards (−β·KL to the reference, the judge's score on the last answer token),
        then GAE's advantages (whitened over the batch) and returns from the values."""
        ref_logps = token_logprobs(self.sampled(self.ref(r.inputs)[0]), r.targets)
        kl = (logps - ref_logps) * r.mask  # log π/π_ref of each sampled token
        rewards = -self.cfg.beta * kl
        last = r.mask.cumsum(1).argmax(1)  # each row's last answer token (the first position of its max)
        rows = torch.arange(rewards.size(0), device=rewards.device)
        rewards[rows, last] += r.scores
        adv, returns = gae(rewards, values * r.mask, r.mask, self.cfg.gamma, self.cfg.lam)
        r.old_logps, r.old_values, r.advantages, r.returns = logps, values, masked_whiten(adv, r.mask), returns
        r.log["kl"] = float(kl.sum() / r.mask.sum().clamp(min=1))


def run(
    ws: Workspace,
    cfg: PPOConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    yield from run_policy(
        ws,
        STAGE,
        PPOConfig,
        PPOTask,
        cfg or make_config(sets=overrides),
        control,
        resume,
        overrides,
        policy=PolicyWithValue.from_gpt,
        meta={"head": "value"},
    )
