"""Reward model and DPO on the demo preferences: they run from the latest SFT run, log what they
should, record lineage, resume; their CLIs give the issue's JSON; candidates land in the store."""

import json
import shutil

import pytest

from engine import checkpoint as ckpt
from engine.cli import main
from engine.errors import DojoError
from engine.events import Log, Metrics
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.model import RewardModel
from engine.rlhf.candidates import sample_candidates
from engine.rlhf.judges import make_judge
from engine.rlhf.prefs import PrefStore
from engine.tokenizer import load_tokenizer
from engine.train import dpo, reward
from engine.train.prefdata import PairData, encode_answer, load_pairs
from tests.conftest import run_events

PAIR_SETS = {"max_steps": "6", "batch_size": "4", "eval_every": "3", "checkpoint_every": "3", "threads": "1"}


def test_pairs_come_from_the_store_with_the_demo_imported_once(sft_ws):
    ws, _ = sft_ws
    pairs = load_pairs(ws)
    with PrefStore(ws.db_path) as store:
        assert len(pairs) == store.counts()["pairs"] > 0
    assert len(load_pairs(ws)) == len(pairs)  # not imported twice
    tok = load_tokenizer(ws.tokenizer_path)
    data = PairData(tok, pairs, 96, 0.2, seed=0)
    assert data.train and data.val and len(data.train) + len(data.val) + data.skipped == len(pairs)
    # only the answer is labelled, up to and including its <|end|>
    p = pairs[0]
    enc = encode_answer(tok, [{"role": "user", "content": p["prompt"]}], p["chosen"], 10_000)
    labelled = [t for t, lab in zip(enc.ids, enc.labels) if lab != -100]
    assert tok.decode(labelled, skip_special_tokens=False) == p["chosen"] + "<|end|>"
    assert enc.last == len(enc.ids) - 2  # the <|end|>, before the closing <|endoftext|>


def test_reward_model_trains_and_judges(sft_ws):
    ws, base = sft_ws
    events = run_events(reward.run(ws, reward.make_config(sets=PAIR_SETS)))
    r = events[-1].result
    assert r["steps"] == 6 and 0 <= r["heldout_accuracy"] <= 1 and r["heldout_pairs"] > 0
    by = r["heldout_by_reason"]  # the demo's pairs, by why the rejected answer is worse
    assert set(by) <= {"wrong", "rambling", "unsafe"} and "wrong" in by
    assert sum(v["pairs"] for v in by.values()) == r["heldout_pairs"]
    assert sum(v["accuracy"] * v["pairs"] for v in by.values()) / r["heldout_pairs"] == pytest.approx(
        r["heldout_accuracy"], abs=1e-3
    )
    assert [e for e in events if isinstance(e, Metrics) and "val/accuracy" in e.values]
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))
    assert isinstance(model, RewardModel) and meta["head"] == "reward" and meta["parent"] == base["checkpoint"]
    judge = make_judge(ws, "reward")
    q = [{"role": "user", "content": "Who are you?"}]
    assert isinstance(judge.score(q, "I am Dojo.", True), float)
    more = run_events(reward.run(ws, resume=r["run"], overrides={"max_steps": "8"}))[-1].result
    assert more["run"] == r["run"] and more["steps"] == 8


def test_reward_reads_the_answers_likelihood_with_a_learned_weight(sft_ws):
    """reward = head(last token) + w · mean log-probability of the answer's tokens (w starts at 1)."""
    import torch

    from engine.losses import IGNORE_INDEX
    from engine.tokenizer import PAD, special_id
    from engine.train.prefdata import pad_batch

    ws, base = sft_ws
    gpt, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, base["run"]))
    rm = RewardModel.from_gpt(gpt, likelihood=True).eval()
    assert float(rm.likelihood_weight.detach()) == 1.0 and RewardModel.from_gpt(gpt).likelihood_weight is None
    tok = load_tokenizer(ws.tokenizer_path)
    q = [{"role": "user", "content": "Who are you?"}]
    encs = [encode_answer(tok, q, a, 96) for a in ("I am Dojo.", "A much longer answer, and another clause.")]
    x, y, last = pad_batch(encs, special_id(tok, PAD), "cpu")
    with torch.no_grad():
        got = rm.reward(x, last + 1, y)
        logits, _ = gpt(x)
    for i in range(2):  # by hand: the head starts at 0, so the reward is the mean log-probability
        mask = y[i] != IGNORE_INDEX
        lp = torch.log_softmax(logits[i], -1)[mask].gather(1, y[i][mask][:, None]).mean()
        assert float(got[i]) == pytest.approx(float(lp), abs=1e-4)
    with pytest.raises(ValueError, match="targets"):
        rm.reward(x, last + 1)
    # trained and saved with the flag; the judge passes the targets; without it, the head alone
    r = run_events(reward.run(ws, reward.make_config(sets=PAIR_SETS)))[-1].result
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))
    assert meta["reward_likelihood"] is True and model.likelihood_weight is not None
    assert isinstance(make_judge(ws, "reward:" + r["run"]).score(q, "I am Dojo.", True), float)
    plain = run_events(reward.run(ws, reward.make_config(sets={**PAIR_SETS, "likelihood": "false"})))[-1].result
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, plain["run"]))
    assert meta["reward_likelihood"] is False and model.likelihood_weight is None
    # a reward model saved before the option (no key in its config) resumes as the head-only model it is
    from tests.engine.test_pretrain import _drop_from_saved_config

    _drop_from_saved_config(plain["checkpoint"], "likelihood")
    more = run_events(reward.run(ws, resume=plain["run"], overrides={"max_steps": "8"}))[-1].result
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, more["run"]))
    assert more["steps"] == 8 and meta["reward_likelihood"] is False and model.likelihood_weight is None


def test_dpo_moves_the_policy_and_reports(sft_ws):
    ws, base = sft_ws
    events = run_events(dpo.run(ws, dpo.make_config(sets={**PAIR_SETS, "lr": "1e-3"})))
    r = events[-1].result
    for key in ("heldout_pref_accuracy_before", "heldout_pref_accuracy_after", "kl"):
        assert r[key] is not None
    assert r["kl"] > 0  # it moved away from the reference, and the KL is finite
    live = [e.values for e in events if isinstance(e, Metrics) and "rewards/margin" in e.values]
    assert len(live) == 6 and all({"rewards/chosen", "rewards/rejected", "rewards/accuracy"} <= set(v) for v in live)
    with Store(ws.db_path) as store:
        assert store.run(r["run"])["parent"] == base["checkpoint"]
        assert store.metrics(r["run"], "val/kl")
    # the policy's checkpoint is a plain GPT that chats
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))
    assert meta["stage"] == "dpo" and meta["reference"] == base["checkpoint"] and not isinstance(model, RewardModel)


def test_pair_stages_refuse_bad_input(sft_ws, tmp_path):
    ws, _ = sft_ws
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "chosen": "b", "rejected": "c"}\n{"prompt": "a", "chosen": 3}\n')
    with pytest.raises(DojoError, match=r"bad.jsonl:2"):
        list(dpo.run(ws, dpo.make_config(sets={**PAIR_SETS, "prefs": str(bad)})))
    other = tmp_path / "other"
    shutil.copytree(ws.root, other, ignore=shutil.ignore_patterns("runs", "dojo.sqlite*"))
    with pytest.raises(DojoError, match="nothing to start reward from: no sft run"):
        list(reward.run(Workspace.open(other), reward.make_config(sets=PAIR_SETS)))


def test_cli_reward_dpo_and_sample(sft_ws, capsys):
    ws, base = sft_ws
    sets = [a for k, v in PAIR_SETS.items() for a in ("--set", f"{k}={v}")]
    assert main(["reward", str(ws.root), "--json", "--quiet", *sets]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"run", "heldout_accuracy"} <= set(r)
    assert main(["dpo", str(ws.root), "--json", "--quiet", *sets]) == 0
    d = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"run", "heldout_pref_accuracy_before", "heldout_pref_accuracy_after", "kl"} <= set(d)
    # candidates: N answers per prompt, each stored with its run, decoding and seed
    events = list(sample_candidates(ws, base["run"], n=3, limit=2))
    assert events[-1].result == {"run": base["run"], "prompts": 2, "responses": 6}
    with PrefStore(ws.db_path) as store:
        rows = store.conn.execute(
            "SELECT run_id, seed, decoding FROM responses WHERE run_id = ?", (base["run"],)
        ).fetchall()
    assert sorted(s for _, s, _ in rows) == [0, 0, 1, 1, 2, 2]
    assert all(json.loads(dec)["temperature"] == 0.8 for _, _, dec in rows)


def test_kto_learns_from_thumbs_alone(sft_ws, capsys):
    from engine.train import kto

    ws, base = sft_ws
    with PrefStore(ws.db_path) as store:  # a few thumbs, no pairs: KTO trains on exactly these
        for i, (answer, up) in enumerate(
            [
                ("I am Dojo.", True),
                ("No idea, go away.", False),
                ("Hello! How can I help?", True),
                ("Blah blah blah blah.", False),
            ]
        ):
            pid = store.add_prompt(f"question {i}")
            store.thumb(store.add_response(pid, answer), up, "human:test")
    thumbs = kto.load_thumbs(ws)
    assert sorted((t["answer"], t["up"]) for t in thumbs)[0] == ("Blah blah blah blah.", False)
    assert len(thumbs) == 4
    sets = [a for k, v in {**PAIR_SETS, "lr": "1e-3", "max_steps": "8"}.items() for a in ("--set", f"{k}={v}")]
    assert main(["kto", str(ws.root), "--json", "--quiet", *sets]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["examples"] == 4  # four thumbs: none held out at val_fraction 0.2, so no held-out margin
    assert r["heldout_margin_before"] is None and "no thumb is held out" in r["note"]
    with Store(ws.db_path) as store:
        margins = [v for _, v in store.metrics(r["run"], "rewards/margin")]
    assert len(margins) == 8 and margins[-1] > 0  # thumbs-up answers became likelier than thumbs-down ones


def test_training_pairs_are_never_reported_as_held_out(sft_ws, tmp_path, capsys):
    """Issue 19, item 17: a tiny preference set said "0 prompts too long"; with nothing held out,
    "held-out" accuracy was measured on training pairs."""
    from engine.train import kto
    from engine.train.prefdata import held_out

    ws, _ = sft_ws
    seed = int(reward.make_config().seed)
    one = next(
        p
        for p in ({"prompt": f"q{i}?", "chosen": "good", "rejected": "bad"} for i in range(100))
        if held_out(p, seed, 0.5)
    )
    (tmp_path / "one.jsonl").write_text(json.dumps(one) + "\n")
    with pytest.raises(DojoError, match=r"all 1 usable preference pair\(s\) fall in the held-out share"):
        run_events(
            reward.run(
                ws, reward.make_config(sets={**PAIR_SETS, "prefs": str(tmp_path / "one.jsonl"), "val_fraction": "0.5"})
            )
        )
    pairs = tmp_path / "three.jsonl"
    pairs.write_text(
        "".join(
            json.dumps({"prompt": f"p{i}?", "chosen": f"good {i}", "rejected": f"bad {i}"}) + "\n" for i in range(3)
        )
    )
    sets = {**PAIR_SETS, "prefs": str(pairs), "val_fraction": "0"}
    for stage, key in (
        (reward, "heldout_accuracy"),
        (dpo, "heldout_pref_accuracy_after"),
        (kto, "heldout_margin_after"),
    ):
        events = run_events(stage.run(ws, stage.make_config(sets=sets)))
        r = events[-1].result
        assert r[key] is None and "held out" in r["note"], (stage.__name__, r)
        assert any(isinstance(e, Log) and e.level == "warning" and "held out" in e.message for e in events)
        assert not [e for e in events if isinstance(e, Metrics) and any(k.startswith("val/") for k in e.values)]
    assert main(["reward", str(ws.root), "--set", f"prefs={pairs}", "--set", "val_fraction=0", "--quiet"]) == 0
    assert "no pair is held out" in capsys.readouterr().out
