"""The whole story on the demo world: every stage once, in order, with budgets sized from this
machine's measured speed — the guided first run of the app and `lmdojo-cli story WS`.

Each chapter is one stage run with the defaults the README flow uses (clean, tokenize, pretrain the
tiny model, SFT, GRPO with the rules judge), introduced by two sentences of the lecture's point.
The story is resumable: a chapter whose stage is already done in the workspace is skipped, and an
interrupted training run is resumed from its checkpoint, so closing the app costs at most a few
minutes of training.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.config import TokenizerConfig, build_config, knob
from engine.errors import DojoError
from engine.events import Control, Finished, Log
from engine.io.workspace import Workspace

# page (the app's stage page), title, the lecture's point in two sentences
CHAPTERS = (
    (
        "data",
        "Data",
        "A model is what it reads: web text is full of boilerplate, duplicates and junk. Cleaning keeps the "
        "documents worth learning from; the funnel shows what each step removed and why.",
    ),
    (
        "tokenizer",
        "Tokenizer",
        "A model reads tokens, not characters: byte-level BPE merges frequent byte pairs into a vocabulary. "
        "Common words become one token; a rare Chinese character may take several.",
    ),
    (
        "pretrain",
        "Pretraining",
        "Next-token prediction over and over: the loss falls as the model learns the language and the facts "
        "of its world. It does not answer questions yet; it continues text.",
    ),
    (
        "sft",
        "SFT",
        "Fine-tuning on questions and good answers in the chat template teaches the model to answer and to "
        "stop. It cannot add what pretraining did not store: it teaches how to say it.",
    ),
    (
        "rlhf",
        "RLHF",
        "The model answers, a judge scores, and the model is pushed toward what scored well (GRPO). RL "
        "re-weights what the model can already say: refusals, endings, and the judge's loopholes.",
    ),
)


@dataclass
class Chapter:
    """A chapter starts (index counts from 1); `skipped` when its stage was done before."""

    page: str
    title: str
    intro: str
    index: int
    total: int
    skipped: bool = False


@dataclass
class StoryConfig:
    minutes: float = knob(15.0, "About how long the whole story may take on this machine (minutes).", min=1)
    smallest: bool = knob(False, "Tiny models and a few steps each: the whole story in seconds (for tests).")
    threads: int = knob(0, "CPU threads for torch (0 = choose from the load).", min=0)


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> StoryConfig:
    return build_config(StoryConfig, toml, sets, toml_name=toml_name)


# The README flow's budgets (steps) and each training chapter's share of the story's minutes.
FULL = {"pretrain": (700, 0.5), "sft": (600, 0.12), "rlhf": (150, 0.2)}
SMALLEST = {
    "pretrain": {"n_layer": 2, "n_head": 2, "n_embd": 32, "block_size": 32, "batch_size": 4, "max_steps": 10,
                 "eval_every": 5, "eval_batches": 2, "sample_every": 0, "checkpoint_every": 10},
    "sft": {"max_steps": 4, "batch_size": 4, "eval_every": 2, "sample_every": 4, "eval_prompts": 2,
            "sample_tokens": 8, "checkpoint_every": 4},
    "rlhf": {"max_steps": 2, "batch_size": 2, "group_size": 4, "answer_tokens": 8, "eval_prompts": 4,
             "eval_every": 2, "sample_every": 2, "checkpoint_every": 2, "filter_prompts": 0, "pass_k": 0},
}  # fmt: skip


def budgets(cfg: StoryConfig, tokens_per_s: float | None, tokens_per_step: int) -> dict[str, dict]:
    """Each training chapter's settings: the README flow's steps, fewer where this machine's speed
    would not fit them in the chapter's share of `minutes`, and that share as a time limit too."""
    if cfg.smallest:
        return {k: dict(v) for k, v in SMALLEST.items()}
    out = {}
    for page, (steps, share) in FULL.items():
        minutes = cfg.minutes * share
        if page == "pretrain" and tokens_per_s:
            steps = max(50, min(steps, int(minutes * 60 * tokens_per_s / tokens_per_step)))
        out[page] = {"max_steps": steps, "max_minutes": round(minutes, 2)}
    out["pretrain"]["preset"] = "tiny"
    return out


def run(ws: Workspace, cfg: StoryConfig | None = None, control: Control | None = None) -> Iterator:
    from engine.data import clean, tokenize
    from engine.train import grpo, pretrain, sft
    from engine.train.status import DONE, INTERRUPTED, RUNNING, stage_status

    cfg = cfg or StoryConfig()
    control = control or Control()
    threads = {"threads": cfg.threads} if cfg.threads else {}
    plan: dict[str, dict] | None = None
    results: dict[str, dict] = {}
    for index, (page, title, intro) in enumerate(CHAPTERS, 1):
        if control.cancelled:
            yield Finished("cancelled", {"chapters": results})
            return
        status = stage_status(ws)[page]
        if status == RUNNING:  # another process trains this stage now (a second story, the app)
            raise DojoError(
                f"{title}: another job is running this stage in {ws.root}; wait for it to end (or stop it), "
                "then run the story again to go on"
            )
        if status == DONE:
            yield Chapter(page, title, intro, index, len(CHAPTERS), skipped=True)
            yield Log(f"{index}/{len(CHAPTERS)} {title}: done before, skipped")
            continue
        yield Chapter(page, title, intro, index, len(CHAPTERS))
        yield Log(f"{index}/{len(CHAPTERS)} {title}: {intro}")
        resume = True if status == INTERRUPTED and _resumable(ws, STAGE_OF[page]) else None
        if page == "data":
            events = clean.run(ws, clean.make_config(), control)
        elif page == "tokenizer":
            events = tokenize.run(ws, TokenizerConfig(vocab_size=512) if cfg.smallest else None, control)
        else:
            if plan is None:
                plan = yield from _plan(ws, cfg)
            sets = {**plan[page], **threads}
            if page == "pretrain":
                events = pretrain.run(ws, None if resume else pretrain.make_config(sets=sets), control, resume, sets)
            elif page == "sft":
                events = sft.run(ws, None if resume else sft.make_config(sets=sets), control, resume, sets)
            else:
                sets = {**sets, "judge": "rules"}
                events = grpo.run(ws, None if resume else grpo.make_config(sets=sets), control, resume, sets)
        finished = None
        for ev in events:
            if isinstance(ev, Finished):
                finished = ev  # the chapter's end, not the story's
            else:
                yield ev
        results[page] = {k: v for k, v in (finished.result if finished else {}).items() if k != "config"}
        if finished is None or finished.status != "done":
            yield Finished("cancelled", {"chapters": results, "stopped_in": page})
            return
    yield Finished("done", {"chapters": results})


STAGE_OF = {"data": "clean", "tokenizer": "tokenize", "pretrain": "pretrain", "sft": "sft", "rlhf": "grpo"}


def _resumable(ws: Workspace, stage: str) -> bool:
    """Whether the latest run of `stage` has a checkpoint to go on from (a run killed before its
    first one starts over; the page's latest run may be another stage's, a DPO run on RLHF)."""
    from engine import checkpoint as ckpt
    from engine.io.store import Store

    with Store(ws.db_path) as store:
        runs = store.runs(stage)
    return bool(runs) and bool(ckpt.list_checkpoints(ws.run_dir(runs[-1]["id"]) / "checkpoints"))


def _plan(ws: Workspace, cfg: StoryConfig) -> Iterator:
    """Measure this machine on the tiny model (a few steps), then size the training chapters."""
    if cfg.smallest:
        return budgets(cfg, None, 0)
    import torch

    from engine.data.shards import read_meta
    from engine.train import pretrain
    from engine.train.estimate import measure_tokens_per_s

    pcfg = pretrain.make_config(sets={"preset": "tiny"})
    vocab = int(read_meta(ws.tokens_dir)["vocab_size"])
    tps = measure_tokens_per_s(pcfg, pretrain.model_config(pcfg, vocab), torch.device("cpu"))
    plan = budgets(cfg, tps, pcfg.batch_size * pcfg.grad_accum * pcfg.block_size)
    steps, minutes = plan["pretrain"]["max_steps"], plan["pretrain"]["max_minutes"]
    yield Log(
        f"this machine trains the tiny model at {tps:,.0f} tokens/s: pretraining {steps} steps (at most {minutes:g} min)"
    )
    return plan
