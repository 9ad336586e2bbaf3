"""PPO with a value head: runs, resumes, reuses each rollout for ppo_epochs steps, and its policy
loads wherever a chat model does."""

import json

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.cli import main
from engine.events import Metrics
from engine.io.store import Store
from engine.model import GPT, PolicyWithValue, RewardModel
from engine.tokenizer import load_tokenizer
from engine.train import ppo
from tests.conftest import run_events
from tests.engine.test_grpo import GRPO_SETS


def test_ppo_runs_resumes_and_reports_what_grpo_reports(sft_ws, capsys):
    ws, r = sft_ws
    events = run_events(ppo.run(ws, ppo.make_config(sets={**GRPO_SETS, "pass_k": "2"})))
    res = events[-1].result
    assert res["steps"] == 4 and res["judge"] == "rules"
    for key in ("run", "reward_before", "reward_after", "distinct_ratio", "kl", "pass_at_1_after", "pass_at_k_after"):
        assert res[key] is not None and res[key] == res[key]
    live = [e.values for e in events if isinstance(e, Metrics) and "rl/reward" in e.values]
    assert len(live) == 4
    assert all({"rl/kl", "rl/value_loss", "rl/clip_frac", "rl/explained_var"} <= set(v) for v in live)
    assert all(v["rl/clip_frac"] == 0 for v in live[::2])  # a rollout's first step: the ratio is 1
    folder = ckpt.resolve(ws.runs_dir, res["run"])
    assert ckpt.read_meta(folder)["head"] == "value"
    model, _ = ckpt.load_gpt(folder)
    assert isinstance(model, PolicyWithValue) and isinstance(model, GPT)
    assert model.value_head.weight.abs().sum() > 0  # the value head learned something
    with Store(ws.db_path) as store:
        assert store.run(res["run"])["stage"] == "ppo" and store.run(res["run"])["parent"] == r["checkpoint"]
    more = run_events(ppo.run(ws, resume=res["run"], overrides={"max_steps": "6"}))[-1].result
    assert more["run"] == res["run"] and more["steps"] == 6
    # the policy answers like any chat model, and a reward model can start from it (its value head left behind)
    assert (
        main(["generate", str(ws.root), "--run", res["run"], "--prompt", "Who are you?", "--max-new-tokens", "4"]) == 0
    )
    rm = RewardModel.from_gpt(model)
    assert not any(k.startswith("value_head") for k in rm.state_dict())
    capsys.readouterr()
    assert main(["ppo", str(ws.root), "--set", "max_steps=1", "--set", "pass_k=0", "--judge", "rules", "--json"]) == 0
    assert {"run", "reward_before", "reward_after", "distinct_ratio", "kl"} <= set(json.loads(capsys.readouterr().out))


def test_each_rollout_serves_ppo_epochs_steps(sft_ws):
    ws, r = sft_ws
    cfg = ppo.make_config(sets={**GRPO_SETS, "ppo_epochs": "2"})
    sft, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))
    ref, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))
    model = PolicyWithValue.from_gpt(sft).train()
    task = ppo.PPOTask(ws, cfg, load_tokenizer(ws.tokenizer_path), ref, torch.device("cpu"))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    seen = []
    for _ in range(4):
        rows = task.next_rows(2)
        seen.append(tuple(rows))
        loss, _ = task.loss(model, rows)
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen[-1] = (seen[-1], task.step_metrics())
    (rows1, m1), (rows2, m2), (rows3, _), _ = seen
    assert rows1 == rows2 and rows3 != rows1  # two steps per rollout, then new prompts
    assert m1["rl/reward"] == m2["rl/reward"]  # the same answers, scored once
    assert m1["rl/clip_frac"] == 0 and m2["rl/value_loss"] != m1["rl/value_loss"]  # the second step sees moved weights
    state = task.data_state()
    again = ppo.PPOTask(ws, cfg, load_tokenizer(ws.tokenizer_path), ref, torch.device("cpu"))
    again.load_data_state(state)
    assert again.steps == 4 and np.array_equal(again.order.take(2), task.order.take(2))


def test_a_grpo_run_is_not_resumed_as_ppo(sft_ws, capsys):
    from engine.train import grpo

    ws, _ = sft_ws
    g = run_events(grpo.run(ws, grpo.make_config(sets={**GRPO_SETS, "max_steps": "1", "pass_k": "0"})))[-1].result
    capsys.readouterr()
    assert main(["ppo", str(ws.root), "--resume", g["run"], "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {g['run']} is a grpo run, not ppo: resume it with lmdojo-cli grpo"
