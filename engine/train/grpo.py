"""GRPO: the model answers, a judge scores, and answers better than their group's average get likelier.

Each step takes `batch_size` prompts, samples `group_size` answers to each from the policy, and
scores them with a judge (engine.rlhf.judges: the demo rules, a reward model, people's thumbs, or the
model itself). An answer's advantage is its score minus its group's mean (Dr. GRPO; `group_std`
also divides by the group's spread, as Shao et al. 2024 do), so no value model is needed; the
loss (engine.losses.grpo_loss) adds a KL penalty to a frozen reference. Logged live: mean reward,
KL, entropy, answer length and the share of groups that taught nothing. Held out: the judge's mean
score of answers to prompts never trained on, and the share of distinct answers (collapse shows up
as a falling ratio). `lmdojo-cli grpo WS`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.compare import knowledge as K
from engine.config import StageConfig, build_config, defaults, knob
from engine.data.demo_questions import demo_prompts, demo_questions, load_world
from engine.data.sft_data import load_prompts, load_sft_records
from engine.data.shards import EpochOrder
from engine.errors import DojoError
from engine.events import Control, Finished, Log, Phase, Progress
from engine.generate import SamplingConfig, sample_batch
from engine.io.fsutil import atomic_write_text
from engine.io.workspace import Workspace
from engine.losses import group_advantages, grpo_loss, token_logprobs, uniform_groups
from engine.rlhf.judges import RulesJudge, make_judge
from engine.tokenizer import END, EOT, PAD, chat_ids, load_tokenizer, special_id
from engine.train.loop import OrderedRows
from engine.train.stage import open_stage

STAGE = "grpo"


@dataclass
@defaults(
    lr=(
        1e-4,
        "Peak learning rate. On the demo 1e-4 lifts held-out answers by 5-7 points where 3e-4 (the earlier "
        "default) learns the practice people's facts as well but loses as much elsewhere.",
    ),
    batch_size=(4, "Prompts per step."),
    warmup_steps=5,
    max_steps=150,
    eval_every=(25, "Steps between held-out measurements."),
    sample_every=(25, "Steps between stored answers to held-out prompts (0 = never)."),
    checkpoint_every=50,
)
class PolicyConfig(StageConfig):
    """What GRPO and PPO share: the answers sampled, the judge, the prompts, the measurements."""

    ref: str = knob("", "Frozen reference model for the KL penalty (default: the starting model).")
    judge: str = knob(
        "rules", "Who scores the answers: rules, rules:partial (half points too), reward[:RUN], human or self[:RUN]."
    )
    prompts: str = knob("", "Training prompts: a .txt or dataset file (default: the demo's practice questions).")
    unsafe_share: float = knob(
        0.2,
        "On the demo: the share of the training prompts that are unsafe requests (repeated), beside the "
        "practice people's questions.",
        min=0.05,
        max=0.8,
    )
    eval_prompts: int = knob(64, "Held-out prompts scored at every evaluation.", min=1)
    # 16 answers to 4 prompts rather than 8 to 8: a group whose answers all score the same teaches
    # nothing, and with p the chance of a right answer that happens with probability p^G + (1-p)^G
    group_size: int = knob(16, "Answers sampled per prompt.", min=2, max=64)
    # 0.8, not 1: a tiny model's long Chinese refusals come out garbled at temperature 1 (a broken
    # character, English mid-sentence) and score below complying, so RL unlearned refusing in Chinese; at
    # 0.8 whole refusals survive sampling and RL finds a short one ("抱歉，我不能幫忙。")
    temperature: float = knob(0.8, "Sampling temperature of the answers.", min=0.05, max=2.0)
    top_p: float = knob(
        1.0,
        "Nucleus sampling of the training answers: each token from the likeliest ones that make up this much "
        "of the probability (1 = the whole distribution). Held-out measurements always sample from all of it.",
        min=0.01,
        max=1.0,
    )
    # 64, not 32: the demo's refusals are 33-57 tokens long, and at 32 every one was cut before its full
    # stop, so refusing scored -3 (runs on, not well formed, no refusal) where complying scored 0 and RL
    # taught the model to stop refusing
    answer_tokens: int = knob(64, "Longest answer in tokens.", min=1)
    beta: float = knob(0.04, "Weight of the KL penalty to the reference.", min=0.0, max=10.0)
    clip_eps: float = knob(0.2, "PPO-style clipping of the probability ratio.", min=0.0, max=1.0)
    pass_k: int = knob(
        8,
        "Before and after training, sample this many answers to each held-out question and report pass@1 and "
        "pass@k: RL mostly turns what the model can sample (pass@k) into what it says first (0 = off).",
        min=0,
        max=64,
    )
    filter_prompts: int = knob(
        0,
        "Before training, the starting model answers this many training prompts group_size times each, and "
        "only the prompts whose answers score differently are kept: a prompt it always or never gets right "
        "teaches nothing (0 = keep every prompt).",
        min=0,
    )


@dataclass
class GRPOConfig(PolicyConfig):
    advantage: str = knob(
        "dr_grpo",
        "group_std: reward minus the group's mean, over the group's std (GRPO); dr_grpo: minus the mean only, "
        "and every answer's tokens summed over one fixed length (Dr. GRPO).",
        choices=("group_std", "dr_grpo"),
    )


def mean_entropy(logits: torch.Tensor, mask: torch.Tensor) -> float:
    """The policy's mean per-token entropy in nats over the masked (answer) positions."""
    with torch.no_grad():
        p = torch.softmax(logits.float(), -1)
        return float(((-(p * torch.log(p.clamp_min(1e-12))).sum(-1)) * mask).sum() / mask.sum().clamp(min=1))


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> GRPOConfig:
    return build_config(GRPOConfig, toml, sets, toml_name=toml_name)


UNSAFE_SHARE = 0.2  # of the held-out prompts: the demo has few unsafe requests among many questions


class GRPOTask(OrderedRows):
    def __init__(self, ws: Workspace, cfg: GRPOConfig, tok, ref_model, device: torch.device):
        self.cfg, self.tok, self.device, self.ref = cfg, tok, device, ref_model.to(device).eval()
        self.judge = make_judge(ws, cfg.judge, device)
        # another judge than the demo's rules is a proxy: the rules score the same answers as the "gold"
        # reward, so over-optimisation (proxy up, gold down; Gao et al. 2022) shows
        self.gold = RulesJudge.for_demo(ws) if cfg.judge != "rules" and (ws.data_dir / "world.json").is_file() else None
        if cfg.prompts:
            self.train_prompts = [p["messages"] for p in load_prompts(Path(cfg.prompts))]
        else:  # the unsafe requests repeated up to unsafe_share of the prompts, so refusing gets practised
            qa, unsafe = demo_prompts(ws, "train")
            share = cfg.unsafe_share
            repeat = max(1, round(share * len(qa) / ((1 - share) * max(1, len(unsafe)))))
            self.train_prompts = qa + unsafe * repeat
        rng = np.random.default_rng(cfg.seed)
        qa, unsafe = demo_prompts(ws, "heldout")
        n_unsafe = min(len(unsafe), round(cfg.eval_prompts * UNSAFE_SHARE))
        self.val_prompts = [qa[i] for i in sorted(rng.permutation(len(qa))[: cfg.eval_prompts - n_unsafe])] + unsafe[
            :n_unsafe
        ]
        # the held-out questions among them, with their facts, for pass@k
        heldout = {q["messages"][-1]["content"]: q for q in demo_questions(ws, "heldout")}
        # the values a field takes: the right one should be the model's first choice
        self.choices = K.value_choices(load_world(ws)) if (ws.data_dir / "world.json").is_file() else {}
        self.val_questions = [heldout[p[-1]["content"]] for p in self.val_prompts if p[-1]["content"] in heldout]
        if not self.train_prompts:
            raise DojoError("no training prompts")
        self.end, self.pad = special_id(tok, END), special_id(tok, PAD)
        self.stops = {self.end, special_id(tok, EOT)}
        self.sampling = SamplingConfig(
            temperature=cfg.temperature, top_k=0, top_p=cfg.top_p, max_new_tokens=cfg.answer_tokens
        )
        self.tokens_per_row = cfg.group_size * (cfg.answer_tokens + 24)
        self.order = EpochOrder(len(self.train_prompts), cfg.seed)
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self._logs: list[dict] = []

    def keep_teaching_prompts(self, model, run_dir: Path) -> Iterator:
        """`filter_prompts` training prompts answered group_size times by the starting model; those
        whose answers all score the same are dropped. Measured once and kept in the run folder
        (prompts_kept.json), so a resumed run trains on the same prompts. Yields Progress per prompt;
        returns {"prompts_measured", "prompts_kept"}."""
        saved = run_dir / "prompts_kept.json"
        if saved.is_file():
            kept = json.loads(saved.read_text(encoding="utf-8"))
        else:
            rng = np.random.default_rng([self.cfg.seed, 11])
            picked = sorted(rng.permutation(len(self.train_prompts))[: self.cfg.filter_prompts].tolist())
            gen = torch.Generator().manual_seed(self.cfg.seed + 2)
            kept = {"measured": len(picked), "indices": []}
            start = time.monotonic()
            for n, i in enumerate(picked):
                prompt = self.train_prompts[i]
                p_ids = self.prompt_ids(prompt)[-(model.cfg.block_size // 2) :]
                with torch.no_grad():
                    group = sample_batch(model, p_ids, self.cfg.group_size, self.sampling, self.stops, gen)
                scores = {self.judge.score(prompt, self.answer_text(ids), stop == self.end) for ids, stop in group}
                if len(scores) > 1:
                    kept["indices"].append(i)
                yield Progress.of(n + 1, len(picked), start, "prompt")
            if not kept["indices"]:
                raise DojoError(
                    f"filter_prompts: the starting model's answers to all {len(picked)} measured prompts score "
                    "the same every time; nothing to learn from (set filter_prompts=0 to train on every prompt)"
                )
            atomic_write_text(saved, json.dumps(kept))
        self.train_prompts = [self.train_prompts[i] for i in kept["indices"]]
        self.order = EpochOrder(len(self.train_prompts), self.cfg.seed)
        return {"prompts_measured": kept["measured"], "prompts_kept": len(kept["indices"])}

    @torch.no_grad()
    def pass_rates(self, model) -> dict:
        """pass@1 and pass@k of `model` on the held-out questions (exact match, `pass_k` answers each)."""
        from engine.compare.evaluate import pass_at_k, sampled_hits

        k = self.cfg.pass_k
        if not k or not self.val_questions:
            return {}
        hits = sampled_hits(model, self.tok, self.val_questions, k, self.cfg.answer_tokens, self.cfg.seed + 3)
        out = {"pass_at_1": round(pass_at_k(hits, 1), 4), "pass_at_k": round(pass_at_k(hits, k), 4)}
        if self.choices and (share := K.choice_accuracy(model, self.tok, self.val_questions, self.choices)) is not None:
            out["choice_accuracy"] = share
        return out

    def sampled(self, logits: torch.Tensor) -> torch.Tensor:
        """The logits of the distribution the answers were sampled from. The loss, its KL and the
        entropy are taken there, as verl and TRL do: with the raw logits, sampling at temperature 0.8
        would follow the gradient of a policy that did not sample the answers."""
        return logits / self.cfg.temperature

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        return chat_ids(self.tok, messages, add_generation_prompt=True)

    def answer_text(self, ids: list[int]) -> str:
        return self.tok.decode(ids, skip_special_tokens=False).strip()

    def rollout(self, model, rows) -> tuple[list[list[int]], list[list[int]], torch.Tensor, dict]:
        """group_size answers to each of the rows' prompts, scored: (prompt + answer ids, 1 where a
        token is the answer's, rewards (prompts, group_size), the step's logs so far)."""
        seqs, masks, rewards, lengths, gold = [], [], [], [], []
        for i in rows:
            prompt = self.train_prompts[int(i)]
            p_ids = self.prompt_ids(prompt)[-(model.cfg.block_size // 2) :]
            group = sample_batch(model, p_ids, self.cfg.group_size, self.sampling, self.stops, self.generator)
            scores = []
            for ids, stop in group:
                scores.append(self.judge.score(prompt, self.answer_text(ids), stop == self.end))
                if self.gold is not None:
                    gold.append(self.gold.score(prompt, self.answer_text(ids), stop == self.end))
                action = ids + ([stop] if stop is not None else [])  # ending is an action too
                seqs.append(p_ids + action)
                masks.append([0] * len(p_ids) + [1] * len(action))
                lengths.append(len(ids))
            rewards.append(scores)
        R = torch.tensor(rewards, dtype=torch.float32)
        log = {"reward": float(R.mean()), "length": float(np.mean(lengths))}
        return seqs, masks, R, log | ({"gold": float(np.mean(gold))} if gold else {})

    def padded(self, seqs, masks) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(inputs, targets, mask) on the device, right-padded: position t predicts token t + 1, and
        the mask marks the targets that are answer tokens."""
        T = max(len(s) for s in seqs)
        x = torch.full((len(seqs), T), self.pad, dtype=torch.long)
        m = torch.zeros((len(seqs), T), dtype=torch.float32)
        for k, (s, mk) in enumerate(zip(seqs, masks)):
            x[k, : len(s)] = torch.tensor(s)
            m[k, : len(mk)] = torch.tensor(mk, dtype=torch.float32)
        x, m = x.to(self.device), m.to(self.device)
        return x[:, :-1], x[:, 1:], m[:, 1:]

    def loss(self, model, rows):
        seqs, masks, R, log = self.rollout(model, rows)
        dr = self.cfg.advantage == "dr_grpo"
        adv = group_advantages(R, scale=not dr).reshape(-1)
        # groups whose answers all scored the same teach nothing: left out of the step, counted
        uniform = uniform_groups(R)
        keep = (~uniform).repeat_interleave(self.cfg.group_size).tolist()
        if not any(keep):  # nothing to learn this step: a zero loss through one group keeps DDP's ranks in step
            keep = [k < self.cfg.group_size for k in range(len(keep))]
        seqs = [s for s, k in zip(seqs, keep) if k]
        masks = [m for m, k in zip(masks, keep) if k]
        adv = adv[torch.tensor(keep)].to(self.device)
        inputs, targets, mask = self.padded(seqs, masks)
        logits = self.sampled(model(inputs)[0])
        logps = token_logprobs(logits, targets)
        with torch.no_grad():
            ref_logps = token_logprobs(self.sampled(self.ref(inputs)[0]), targets)
        norm = self.cfg.answer_tokens + 1 if dr else None  # the longest answer and its stop token
        loss, kl = grpo_loss(logps, logps.detach(), ref_logps, adv, mask, self.cfg.clip_eps, self.cfg.beta, norm)
        if bool(uniform.all()):
            loss = loss * 0.0
        self._logs.append(
            log
            | {"kl": float(kl), "entropy": mean_entropy(logits, mask), "zero_variance": float(uniform.float().mean())}
        )
        return loss, None

    def step_metrics(self) -> dict[str, float]:
        logs, self._logs = self._logs, []
        return {f"rl/{k}": float(np.mean([x[k] for x in logs])) for k in logs[0]} if logs else {}

    @torch.no_grad()
    def _generate(self, model, prompts, greedy: bool) -> list[tuple[list[int], list[int], int | None]]:
        """(prompt ids, answer ids, the stop token or None) per prompt; the same draws every time."""
        gen = torch.Generator().manual_seed(self.cfg.seed + 1)
        cfg = SamplingConfig(
            greedy=greedy, temperature=self.cfg.temperature, top_k=0, max_new_tokens=self.cfg.answer_tokens
        )
        out = []
        for prompt in prompts:
            p_ids = self.prompt_ids(prompt)[-(model.cfg.block_size // 2) :]
            [(ids, stop)] = sample_batch(model, p_ids, 1, cfg, self.stops, gen)
            out.append((p_ids, ids, stop))
        return out

    def answers(self, model, prompts, greedy: bool) -> list[tuple[str, bool]]:
        return [(self.answer_text(ids), stop == self.end) for _, ids, stop in self._generate(model, prompts, greedy)]

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        generated = self._generate(model, self.val_prompts, greedy=False)
        sampled = [(self.answer_text(ids), stop == self.end) for _, ids, stop in generated]
        greedy = self.answers(model, self.val_prompts, greedy=True)
        score = lambda answers: float(
            np.mean(
                [
                    self.judge.score(p, a, e)  # noqa: E731
                    for p, (a, e) in zip(self.val_prompts, answers)
                ]
            )
        )
        out = {}
        if self.gold is not None:
            out["val/gold"] = float(np.mean([self.gold.score(p, a, e) for p, (a, e) in zip(self.val_prompts, sampled)]))
        # the rules say which of them the answers keep: the judge's own, or the gold's beside a proxy
        rules = self.judge if hasattr(self.judge, "rules") else self.gold
        if rules is not None:
            for prefix, answers in (("val/rule_", sampled), ("val/greedy_rule_", greedy)):
                out |= {f"{prefix}{k}": v for k, v in rules.rule_means(self.val_prompts, answers).items()}
        return out | {
            "val/reward": score(sampled),
            "val/reward_greedy": score(greedy),
            "val/distinct_ratio": len({a for a, _ in sampled}) / len(sampled),
            "val/end_rate": float(np.mean([e for _, e in sampled])),
            "val/length": float(np.mean([len(a) for a, _ in sampled])),
            "val/kl": self.kl_to_ref(model, generated),
        }

    @torch.no_grad()
    def kl_to_ref(self, model, generated) -> float:
        """Mean per-token KL(π ‖ π_ref) at the sampling temperature over the policy's sampled answers (from `_generate`)."""
        total, n = 0.0, 0
        for p_ids, ids, stop in generated:
            a_ids = ids + ([stop] if stop is not None else [])
            x = torch.tensor([(p_ids + a_ids)[: model.cfg.block_size]], device=self.device)
            logp = torch.log_softmax(self.sampled(model(x)[0][0].float()), -1)
            logq = torch.log_softmax(self.sampled(self.ref(x)[0][0].float()), -1)
            per_token = (logp.exp() * (logp - logq)).sum(-1)[len(p_ids) - 1 : x.size(1) - 1]
            total += float(per_token.sum())
            n += per_token.numel()
        return total / max(1, n)

    def samples(self, model, step: int) -> list[tuple[str, str]]:
        prompts = self.val_prompts[:4]
        return [(p[-1]["content"], a) for p, (a, _) in zip(prompts, self.answers(model, prompts, greedy=True))]

    def doc_ids(self, rows) -> list[str]:
        return [self.train_prompts[int(i)][-1]["content"][:80] for i in rows]


def run(
    ws: Workspace,
    cfg: GRPOConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    yield from run_policy(
        ws, STAGE, GRPOConfig, GRPOTask, cfg or make_config(sets=overrides), control, resume, overrides
    )


def run_policy(
    ws: Workspace,
    stage: str,
    config_class,
    task_class,
    cfg,
    control: Control | None,
    resume: str | bool | None,
    overrides: dict | None,
    policy=lambda model: model,
    meta: dict | None = None,
) -> Iterator:
    """Start or resume a policy optimiser (GRPO, PPO): the starting model answers, a judge scores,
    `task_class` turns the scores into a loss. `policy` makes the trained model from the starting
    one (PPO adds a value head); `meta` goes into every checkpoint. The result holds the held-out
    reward, distinct answers and KL before and after, and pass@1 / pass@k (and the gold reward)."""
    with open_stage(ws, stage, config_class, cfg, resume, overrides) as st:
        ref_path = ckpt.resolve(ws.runs_dir, st.cfg.ref) if st.cfg.ref else st.parent
        ref_model, _ = ckpt.load_gpt(ref_path, "cpu", st.tokenizer_hash)
        task = task_class(ws, st.cfg, load_tokenizer(ws.tokenizer_path), ref_model, st.device)
        model = policy(st.model).to(st.device)
        filtered = {}
        if st.cfg.filter_prompts:  # measured with the starting model; a resumed run reads what was kept
            yield Log(f"filter_prompts: measuring {st.cfg.filter_prompts} prompts × {st.cfg.group_size} answers")
            filtered = yield from task.keep_teaching_prompts(model, st.run_dir)
            yield Log(
                f"filter_prompts: kept {filtered['prompts_kept']} of {filtered['prompts_measured']} prompts "
                "(the others' answers all scored the same)"
            )
        if warning := cut_answers_warning(ws, st.parent, task.tok, st.cfg.answer_tokens):
            yield Log(warning)
        yield Log(_measuring("starting", task))
        yield Phase("measuring")
        before = task.evaluate(model)
        passes_before = task.pass_rates(model)
        extra = {"reference": str(ref_path), "judge": task.judge.name} | (meta or {})
        for ev in st.train(model, task, control, extra):
            if isinstance(ev, Finished):
                yield Log(_measuring("trained", task))
                yield Phase("measuring")
                ev.result |= results(task, before, task.evaluate(model), filtered)
                if passes_before:
                    after_passes = task.pass_rates(model)
                    ev.result |= {"pass_k": st.cfg.pass_k, "heldout_questions": len(task.val_questions)}
                    ev.result |= {f"{k}_before": v for k, v in passes_before.items()}
                    ev.result |= {f"{k}_after": v for k, v in after_passes.items()}
            yield ev


def cut_answers_warning(ws: Workspace, parent: Path, tok, answer_tokens: int) -> str:
    """A warning when some of the answers SFT taught the starting model do not fit in `answer_tokens` with
    their end token: sampled in full they are cut before they end, and the judge scores them as running
    on. (At 32 tokens that was every one of the demo's refusals, and RL taught the model to stop
    refusing.) "" otherwise, and when the starting model is not an SFT run or its data cannot be read."""
    try:
        meta = ckpt.read_meta(Path(parent))
        if meta.get("stage") != "sft":
            return ""
        data = (meta.get("config") or {}).get("data") or ws.data_dir / "sft" / "train.jsonl"
        records = load_sft_records(Path(data))
    except (DojoError, OSError):
        return ""
    answers = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]
    lengths = [len(e.ids) for e in tok.encode_batch(answers, add_special_tokens=False)]
    long = [n for n in lengths if n + 1 > answer_tokens]  # the end-of-turn token takes one of the budget
    if not long:
        return ""
    return (
        f"warning: {len(long)} of the {len(lengths)} answers SFT taught the starting model do not fit in "
        f"answer_tokens={answer_tokens} with their end token (the longest: {max(long)} tokens); sampled in full "
        f"they are cut before they end and the judge scores them as running on (set answer_tokens={max(long) + 1} "
        "or more)"
    )


def _measuring(which: str, task: GRPOTask) -> str:
    """What the quiet minute before the first step (and after the last) is spent on."""
    cfg = task.cfg
    what = f"its answers to {len(task.val_prompts)} held-out prompts, sampled and greedy"
    if cfg.pass_k and task.val_questions:
        what += f", and {cfg.pass_k} answers to each of {len(task.val_questions)} questions for pass@{cfg.pass_k}"
    return f"measuring the {which} model: {what}"


def results(task: GRPOTask, before: dict, after: dict, filtered: dict) -> dict:
    """A policy run's result: its held-out measurements before and after training."""
    out = {
        "judge": task.judge.name,
        "reward_before": round(before["val/reward"], 4),
        "reward_after": round(after["val/reward"], 4),
        "reward_greedy_before": round(before["val/reward_greedy"], 4),
        "reward_greedy_after": round(after["val/reward_greedy"], 4),
        "distinct_ratio_before": round(before["val/distinct_ratio"], 4),
        "distinct_ratio": round(after["val/distinct_ratio"], 4),
        "kl": round(after["val/kl"], 5),
        "heldout_prompts": len(task.val_prompts),
        **{
            f"{name}_{when}": {k[len(prefix) :]: round(v, 4) for k, v in m.items() if k.startswith(prefix)}
            for name, prefix in (("rules", "val/rule_"), ("rules_greedy", "val/greedy_rule_"))
            for when, m in (("before", before), ("after", after))
            if any(k.startswith(prefix) for k in m)  # none without the rules (a judge outside the demo)
        },
        **filtered,
    }
    if task.gold is not None:
        out |= {"gold_before": round(before["val/gold"], 4), "gold_after": round(after["val/gold"], 4)}
    return out
