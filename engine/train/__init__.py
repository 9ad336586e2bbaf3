"""The training stages, in the order a model goes through them: the one list that the CLI, the app,
run status, cluster export, labs and insights read.

Each stage is a module `engine.train.NAME` with `make_config(toml, sets, toml_name)` and
`run(ws, cfg, control, resume=None, overrides=None)` (events ending in Finished), and starts or
resumes through engine/train/stage.py.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str  # the CLI verb, the run's stage in the database, engine.train.NAME
    parent: str | None  # a new run starts from the latest run of this stage (None: from scratch)
    page: str  # the app's page that trains it (and whose status its runs make)
    policy: bool  # its runs are chat models that answer prompts (not a reward model)
    judged: bool  # a judge scores its own answers as it trains (logs val/reward, val/kl, val/length)
    help: str  # one line: the CLI's help

    @property
    def module(self):
        return importlib.import_module(f"engine.train.{self.name}")


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage(
            "pretrain", None, "pretrain", True, False, "Pretrain the model on the token shards (next-token prediction)."
        ),
        Stage(
            "sft",
            "pretrain",
            "sft",
            True,
            False,
            "Fine-tune a pretrained run on instruction data (chat template, masked loss).",
        ),
        Stage("reward", "sft", "rlhf", False, False, "Train a reward model on preference pairs (Bradley–Terry)."),
        Stage(
            "dpo",
            "sft",
            "rlhf",
            True,
            False,
            "Direct preference optimisation of the SFT model against a frozen reference.",
        ),
        Stage(
            "kto",
            "sft",
            "rlhf",
            True,
            False,
            "KTO: learn from thumbs up / down (the store's thumbs, else its pairs split).",
        ),
        Stage(
            "grpo",
            "sft",
            "rlhf",
            True,
            True,
            "Group-relative policy optimisation with a judge (rules, reward model, human, self).",
        ),
        Stage(
            "ppo",
            "sft",
            "rlhf",
            True,
            True,
            "PPO with a value head (GAE, clipped value loss) and a judge (rules, reward model, human, self).",
        ),
    )
}

# the stages after SFT that align a chat model to preferences or a judge
RL_STAGES: tuple[str, ...] = tuple(n for n, s in STAGES.items() if s.page == "rlhf" and s.policy)
# the stages whose runs answer prompts, in training order
POLICY_STAGES: tuple[str, ...] = tuple(n for n, s in STAGES.items() if s.policy)
# the stages a judge scores as they train
JUDGED_STAGES: tuple[str, ...] = tuple(n for n, s in STAGES.items() if s.judged)


def stages_of_page(page: str) -> tuple[str, ...]:
    """The stages whose runs the app's `page` trains (rlhf: reward, dpo, kto, grpo, ppo)."""
    return tuple(n for n, s in STAGES.items() if s.page == page)
