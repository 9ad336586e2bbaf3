"""Insight "reward": the hacking alarm, position bias, kappa and length bias on planted cases, and
the whole insight through its CLI on the demo world with a tiny reward run."""

import math

import numpy as np
import pytest

from engine.errors import DojoError
from engine.insight import reward as R
from engine.io.store import Store
from engine.rlhf.judges import make_judge
from engine.rlhf.prefs import PrefStore
from engine.train import reward as reward_stage
from tests.conftest import run_events
from tests.engine.insight_checks import insight_cli

PAIR_SETS = {"max_steps": "6", "batch_size": "4", "eval_every": "3", "checkpoint_every": "3", "threads": "1"}
STEPS = list(range(0, 200, 10))  # 20 eval points


def _trace(reward, kl, length, steps=STEPS):
    return {"reward": list(zip(steps, reward)), "kl": list(zip(steps, kl)), "length": list(zip(steps, length))}


def test_alarm_fires_on_hacking_not_on_healthy_or_noise():
    rng = np.random.default_rng(0)
    t = np.arange(len(STEPS))
    # healthy first, then from step 100 the policy pads: reward, KL and length climb together
    hack = t >= 10
    reward = 0.3 + 0.01 * t + 0.05 * hack * (t - 10) + rng.normal(0, 0.002, len(t))
    kl = 0.02 + 0.001 * np.minimum(t, 10) + 0.02 * hack * (t - 10)
    length = 40 + rng.normal(0, 0.5, len(t)) + 8 * hack * (t - 10)
    a = R.hacking_alarm(_trace(reward, kl, length))
    assert a["fired"] and 60 <= a["from_step"] <= 110, a
    assert all(v > 0.6 for v in a["spearman"].values()) and a["length_rise"] > 0.2
    assert a["kl_end"] > 1.25 * a["kl_start"]

    healthy = R.hacking_alarm(
        _trace(
            0.3 + 0.03 * t, 0.05 * (1 - np.exp(-t / 3)) + rng.normal(0, 0.001, len(t)), 40 + rng.normal(0, 1.0, len(t))
        )
    )
    assert not healthy["fired"] and healthy["from_step"] is None and "length" in healthy["reason"]
    for seed in range(20):  # flat noise: no trend in anything
        r = np.random.default_rng(seed)
        noise = R.hacking_alarm(
            _trace(0.5 + r.normal(0, 0.05, 20), 0.05 + r.normal(0, 0.01, 20), 40 + r.normal(0, 4, 20))
        )
        assert not noise["fired"], (seed, noise)
    few = R.hacking_alarm(_trace([1, 2, 3], [1, 2, 3], [1, 2, 3], steps=[0, 1, 2]))
    assert not few["fired"] and "only 3" in few["reason"]
    # a KL that stays flat while reward and length rise is not hacking by this rule
    assert not R.hacking_alarm(_trace(t, np.full(20, 0.05), 40 + 5 * t))["fired"]


def test_overoptimisation_fires_when_the_proxy_rises_past_the_gold_peak():
    """Gao et al. 2022's shape: the gold rises, peaks, then falls while the proxy keeps rising."""
    t = np.arange(len(STEPS), dtype=float)
    proxy = list(zip(STEPS, 0.2 + 0.1 * t))
    gold = list(zip(STEPS, 1.0 - 0.01 * (t - 8) ** 2))  # peaks at the 9th point (step 80)
    a = R.overoptimisation(proxy, gold)
    assert a["fired"] and a["gold_peak_step"] == 80 and a["gold_end"] < a["gold_peak"] - 0.1, a
    # both rising: the proxy is doing its job
    ok = R.overoptimisation(proxy, list(zip(STEPS, 0.5 + 0.05 * t)))
    assert not ok["fired"] and "before the end" in ok["reason"]
    # the gold falls at once and stays low while the proxy climbs (a collapse onto what the judge likes)
    early = R.overoptimisation(proxy, list(zip(STEPS, np.r_[1.0, np.full(19, 0.8)])))
    assert early["fired"] and early["gold_peak_step"] == 0
    # a gold that wobbles within 0.1 of its peak is noise, not over-optimisation
    assert not R.overoptimisation(proxy, list(zip(STEPS, 1.0 - 0.05 * (t % 2))))["fired"]
    # the gold falls but the proxy falls too: not the proxy's fault
    assert not R.overoptimisation(list(zip(STEPS, 3 - 0.1 * t)), gold)["fired"]
    few = R.overoptimisation(proxy[:3], gold[:3])
    assert not few["fired"] and "only 3" in few["reason"]


def test_wilson_interval_and_correlations():
    low, high = R.wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert R.wilson(0, 10)[0] == 0.0 and R.wilson(10, 10)[1] == 1.0
    x = [1, 2, 3, 4, 5]
    assert R.pearson(x, [2, 4, 6, 8, 10]) == pytest.approx(1.0)
    assert R.spearman(x, [1, 4, 9, 16, 100]) == pytest.approx(1.0)  # monotone, not linear
    assert R.pearson(x, [1, 4, 9, 16, 100]) < 0.95
    assert R.spearman(x, [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    assert R.spearman([1, 1, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9487, abs=1e-4)  # tied ranks averaged
    assert R.pearson(x, [3] * 5) is None and R.spearman([1, 2], [1, 2]) is None


def _pair(cl, rl, cr, rr, k):
    return {
        "chosen_len": cl,
        "rejected_len": rl,
        "chosen_reward": cr,
        "rejected_reward": rr,
        "key_c": (k, "c"),
        "key_r": (k, "r"),
    }


def test_length_bias_on_synthetic_pairs():
    rng = np.random.default_rng(1)
    # an RM that scores length only, on pairs where people chose the longer answer half the time
    pairs = []
    for k in range(40):
        a, b = rng.integers(5, 60, 2)
        while a == b:
            b = rng.integers(5, 60)
        chosen, rejected = (max(a, b), min(a, b)) if k % 2 else (min(a, b), max(a, b))
        pairs.append(_pair(chosen, rejected, 0.1 * chosen, 0.1 * rejected, k))
    lb = R.length_bias(pairs)
    assert lb["pearson"] == pytest.approx(1.0) and lb["spearman"] == pytest.approx(1.0)
    assert lb["rm_prefers_longer"] == 1.0 and lb["rm_accuracy"] == lb["length_baseline"] == 0.5
    assert lb["length_driven"] is True and lb["direction"] == "longer"
    assert lb["answers"] == 80 and lb["unequal_pairs"] == 40
    # the other way: people mostly chose the shorter answer, and the RM scores shortness only
    short = [
        _pair(min(p["chosen_len"], p["rejected_len"]), max(p["chosen_len"], p["rejected_len"]), 0, 0, k)
        for k, p in enumerate(pairs)
    ]
    for k, p in enumerate(short):
        if k % 5 == 0:  # one in five chose the longer one
            p["chosen_len"], p["rejected_len"] = p["rejected_len"], p["chosen_len"]
        p["chosen_reward"], p["rejected_reward"] = -0.1 * p["chosen_len"], -0.1 * p["rejected_len"]
    ls = R.length_bias(short)
    assert ls["length_baseline"] == 0.2 and ls["rm_accuracy"] == 0.8 and ls["rm_prefers_longer"] == 0.0
    assert ls["direction"] == "shorter" and ls["length_driven"] is True and ls["spearman"] == pytest.approx(-1.0)
    # an RM that knows which is right (chosen +1) whatever the length: not length-driven
    fair = [
        _pair(p["chosen_len"], p["rejected_len"], 1 + rng.normal(0, 0.1), rng.normal(0, 0.1), k)
        for k, p in enumerate(pairs)
    ]
    lf = R.length_bias(fair)
    assert lf["rm_accuracy"] == 1.0 and lf["length_driven"] is False and abs(lf["spearman"]) < 0.3
    assert R.length_bias(pairs[:5])["length_driven"] is None  # too few pairs to say


def _store_with_answers(path, n_prompts=30):
    store = PrefStore(path)
    out = []
    for k in range(n_prompts):
        pid = store.add_prompt(f"Question {k}?")
        out.append((pid, [store.add_response(pid, f"answer {k}.{j}") for j in range(3)]))
    return store, out


def test_position_bias_detects_always_first_and_not_balanced(tmp_path):
    store, prompts = _store_with_answers(tmp_path / "dojo.sqlite")
    with store:
        for k, (pid, (a, b, c)) in enumerate(prompts):
            store.choose(pid, a, b, "human:ann", shown=[a, b])  # the left one always wins
            store.choose(pid, b, a, "human:ann", tie=True, shown=[a, b])  # ties say nothing of position
            store.choose(pid, b, a, "rules", shown=[a, b])  # not a person
            store.choose(pid, c, a, "human:ann")  # order unknown
        biased = R.position_bias(store.list_judgements())
    assert biased["n"] == biased["first_wins"] == biased["judgements"] == 30 and biased["rate"] == 1.0
    assert biased["biased"] is True and biased["low"] > 0.85

    store, prompts = _store_with_answers(tmp_path / "balanced.sqlite")
    with store:
        for k, (pid, (a, b, c)) in enumerate(prompts):
            first, second = (a, b) if k % 2 else (b, a)
            store.choose(pid, a, b, "human:bob", shown=[first, second])
        pid, (a, b, c) = prompts[0]
        store.rank(pid, [c, a, b], "human:bob", shown=[a, b, c])  # 3 pairs, first won 1 of them
        balanced = R.position_bias(store.list_judgements())
    assert balanced["n"] == 33 and balanced["first_wins"] == 15 + 1 and balanced["judgements"] == 31
    assert balanced["biased"] is False and balanced["low"] < 0.5 < balanced["high"]
    with PrefStore(tmp_path / "empty.sqlite") as empty:
        none = R.position_bias(empty.list_judgements())
    assert none["rate"] is None and none["biased"] is None and "Compare" in none["reason"]


def test_kappa_by_hand_and_agreement_from_a_store(tmp_path):
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5·0.6 + 0.5·0.4 = 0.5, kappa 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert R.cohen_kappa(a, b) == pytest.approx(0.4)
    assert R.cohen_kappa(["y", "n"], ["y", "n"]) == pytest.approx(1.0)
    # [a a a] [a a b] [b b b]: P_i 1, 1/3, 1 -> P̄ 7/9; p_a 5/9, p_b 4/9 -> P_e 41/81; kappa 22/40
    kappa, pbar = R.fleiss_kappa([["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"]])
    assert kappa == pytest.approx(0.55) and pbar == pytest.approx(7 / 9)

    store, prompts = _store_with_answers(tmp_path / "dojo.sqlite", 4)
    with store:
        for k, (pid, (x, y, _)) in enumerate(prompts):
            store.choose(pid, x, y, "human:ann")
            store.choose(pid, *((x, y) if k < 3 else (y, x)), "human:bob")  # disagree on the last
        store.choose(prompts[0][0], prompts[0][1][2], prompts[0][1][0], "human:ann")  # judged by one only
        two = R.agreement(store.pairs(include_ties=True))
        store.choose(prompts[0][0], prompts[0][1][0], prompts[0][1][1], "human:cy")
        three = R.agreement(store.pairs(include_ties=True))
    assert two["method"] == "cohen" and two["items"] == 4 and two["judges"] == 2 and two["percent"] == 0.75
    assert two["kappa"] == pytest.approx(R.cohen_kappa(["first"] * 4, ["first"] * 3 + ["second"]), abs=1e-4)
    assert three["method"] == "fleiss" and three["judges"] == 3 and three["items"] == 4
    assert R.agreement([])["reason"] and R.agreement([])["kappa"] is None


def _cli(ws, capsys, *sets):
    return insight_cli("reward", ws, capsys, dict(s.split("=", 1) for s in sets))


def test_cli_on_the_demo_world(sft_ws, capsys, one_thread):
    ws, sft = sft_ws
    rc, err = _cli(ws, capsys)  # bad input: exit 2 and one line saying what to do
    assert rc == 2 and "no reward run" in err and "lmdojo-cli reward" in err
    r = run_events(reward_stage.run(ws, reward_stage.make_config(sets=PAIR_SETS)))[-1].result
    with PrefStore(ws.db_path) as store:  # two people judge the same demo pairs, shown chosen-first
        demo = store.pairs(judge="demo")[:12]
        for k, p in enumerate(demo):
            c, rj = p["chosen_id"], p["rejected_id"]
            store.choose(p["prompt_id"], c, rj, "human:ann", shown=[c, rj])
            store.choose(p["prompt_id"], *((c, rj) if k % 3 else (rj, c)), "human:bob", shown=[c, rj])
    with Store(ws.db_path) as store:  # a GRPO run's metrics in which the policy pads its answers
        store.create_run("grpo-fake", "grpo", {}, "lmdojo-cli grpo WS")
        for k, step in enumerate(STEPS):
            store.log_metrics(
                "grpo-fake",
                step,
                {"val/reward": 0.2 + 0.04 * k, "val/kl": 0.002 * (k + 1) ** 2, "val/length": 30 + 6 * k},
            )

    rc, out = _cli(ws, capsys, "pairs=0")
    assert rc == 0 and out["status"] == "done" and out["run"] == r["run"]
    acc = out["accuracy"]
    assert [s for s, _ in acc["val"]] == [0, 3, 6] and all(0 <= v <= 1 for _, v in acc["val"] + acc["train"])
    with Store(ws.db_path) as store:
        assert acc["val"] == [[s, round(v, 5)] for s, v in store.metrics(r["run"], "val/accuracy")]
        assert len(acc["train"]) == len(store.metrics(r["run"], "train/accuracy")) > 0
    # scored again on the same held-out split, the accuracy is the run's own
    ln = out["length"]
    assert ln["pairs"] == r["heldout_pairs"] and ln["rm_accuracy"] == pytest.approx(r["heldout_accuracy"], abs=1e-4)
    assert len(ln["rewards"]) == len(ln["lengths"]) == ln["answers"] > 0 and min(ln["lengths"]) > 0
    for k in ("pearson", "spearman"):
        assert ln[k] is None or -1 <= ln[k] <= 1
    assert 0 <= ln["length_baseline"] <= 1 and ln["length_driven"] in (True, False, None)
    pos = out["position"]
    assert pos["n"] == 24 and pos["first_wins"] == 12 + 8 and pos["rate"] == round(20 / 24, 4)
    assert pos["low"] < pos["rate"] < pos["high"] and pos["biased"] is True
    ag = out["agreement"]
    assert ag["method"] == "cohen" and ag["items"] == 12 and ag["percent"] == round(8 / 12, 4)
    # the RM against people, checked with the reward judge (a separate scoring path)
    judge = make_judge(ws, f"reward:{r['run']}")
    wins = [
        judge.score([{"role": "user", "content": p["prompt"]}], p["chosen"], True)
        > judge.score([{"role": "user", "content": p["prompt"]}], p["rejected"], True)
        for p in demo
        for _ in range(2)
    ]
    flipped = [not w if (k // 2) % 3 == 0 and k % 2 else w for k, w in enumerate(wins)]  # bob's swapped ones
    rp = out["rm_vs_people"]
    assert rp["pairs"] == 24 and rp["agreement"] == pytest.approx(np.mean(flipped), abs=1e-4)
    assert rp["heldout_pairs"] == 24  # all judged after the reward run began
    al = out["alarm"]
    assert al["run"] == "grpo-fake" and al["fired"] is True and al["from_step"] == 0
    assert al["trace"]["length"][-1] == [190, 144.0]
    assert al["overoptimisation"]["fired"] is None and "no gold" in al["overoptimisation"]["reason"]
    assert not math.isnan(out["seconds"])
    # a run against a proxy judge: its gold peaks and falls while the proxy rises
    with Store(ws.db_path) as store:
        store.create_run("ppo-proxy", "ppo", {}, "lmdojo-cli ppo WS --judge reward")
        for k, step in enumerate(STEPS):
            store.log_metrics(
                "ppo-proxy",
                step,
                {"val/reward": 0.1 * k, "val/kl": 0.1, "val/length": 30, "val/gold": 1.0 - 0.01 * (k - 8) ** 2},
            )
    rc, out = _cli(ws, capsys, "policy_run=ppo-proxy", "pairs=5")
    oo = out["alarm"]["overoptimisation"]
    assert oo["fired"] is True and oo["gold_peak_step"] == 80 and out["alarm"]["fired"] is False
    assert "OVER-OPTIMISATION" in R.summary(out)
    # options: a DPO-like run with no length keeps the alarm silent, with its reason
    with Store(ws.db_path) as store:
        store.create_run("dpo-fake", "dpo", {}, "lmdojo-cli dpo WS")
        store.log_metrics("dpo-fake", 1, {"val/kl": 0.1})
    rc, out = _cli(ws, capsys, "policy_run=dpo-fake", "pairs=5")
    assert out["alarm"]["fired"] is None and "val/length" in out["alarm"]["reason"] and out["length"]["pairs"] == 5
    rc, err = _cli(ws, capsys, "policy_run=nope")
    assert rc == 2 and "policy_run: no run 'nope'" in err
    with pytest.raises(DojoError, match="not a reward model"):
        run_events(R.run(ws, R.Config(run=sft["run"])))  # the SFT run
