"""SFT: it runs on the demo set from a pretraining run (full and LoRA), records its parent, resumes,
saves the adapter, refuses bad data; eval reports the three numbers."""

import json

import pytest
import torch

from engine import checkpoint as ckpt
from engine.cli import main
from engine.errors import DojoError
from engine.io.store import Store
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events

SFT_SETS = {
    "max_steps": "12",
    "batch_size": "4",
    "eval_every": "6",
    "sample_every": "6",
    "eval_prompts": "2",
    "sample_tokens": "8",
    "checkpoint_every": "6",
    "threads": "1",
}


@pytest.fixture
def pretrained(ws):
    r = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "64"})))
    return ws, r[-1].result


@pytest.mark.parametrize("lora", ["false", "true"])
def test_sft_runs_from_the_latest_pretraining_run(pretrained, lora):
    ws, base = pretrained
    events = run_events(sft.run(ws, sft.make_config(sets={**SFT_SETS, "lora": lora})))
    r = events[-1].result
    assert r["steps"] == 12 and r["val_loss"] is not None
    with Store(ws.db_path) as store:
        run = store.run(r["run"])
        answers = store.samples(r["run"])
    assert run["stage"] == "sft" and run["parent"] == base["checkpoint"]  # lineage: base → SFT
    assert len(answers) == 4  # two evaluation prompts at steps 6 and 12
    assert (ws.run_dir(r["run"]) / "selected.jsonl").is_file()
    model, meta = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, r["run"]))  # a LoRA checkpoint loads merged
    assert meta["stage"] == "sft" and not any("lora" in k for k in model.state_dict())
    if lora == "true":
        from engine.lora import apply_adapter, load_adapter

        adapter = ws.run_dir(r["run"]) / "adapter.safetensors"
        tensors, cfg, info = load_adapter(adapter)
        assert cfg.rank == 8 and info["base_model_config"] == meta["model_config"]
        assert "tok_emb.weight" in tensors  # trained whole next to the adapters (the chat tokens)
        # the adapter file on top of the base model gives the fine-tuned model
        on_base = apply_adapter(ckpt.load_gpt(ckpt.resolve(ws.runs_dir, base["run"]))[0], adapter)
        x = torch.randint(0, model.cfg.vocab_size, (2, 16))
        with torch.no_grad():
            assert torch.allclose(on_base(x)[0], model(x)[0], atol=1e-5)


@pytest.mark.parametrize("embeddings", ["false", "true"])
def test_only_adapters_train_with_lora(pretrained, embeddings):
    ws, base = pretrained
    r = run_events(
        sft.run(ws, sft.make_config(sets={**SFT_SETS, "lora": "true", "lora_train_embeddings": embeddings}))
    )[-1].result
    before, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, base["run"]))
    after = ckpt.load(ckpt.resolve(ws.runs_dir, r["run"])).model
    # the frozen base weights are stored unchanged next to the adapters
    assert (after["blocks.0.attn.qkv.base.weight"] == before.state_dict()["blocks.0.attn.qkv.weight"]).all()
    same_emb = bool((after["tok_emb.weight"] == before.state_dict()["tok_emb.weight"]).all())
    assert same_emb == (embeddings == "false")


def test_sft_resume_continues_the_run(pretrained):
    ws, base = pretrained
    first = run_events(sft.run(ws, sft.make_config(sets=SFT_SETS)))[-1].result
    # a newer pretraining run of another shape must not change what the SFT run goes on from
    run_events(
        pretrain.run(ws, pretrain.make_config(sets={**TINY, "n_embd": "48", "max_steps": "2", "block_size": "64"}))
    )
    more = run_events(sft.run(ws, resume=first["run"], overrides={"max_steps": "18"}))[-1].result
    assert more["run"] == first["run"] and more["steps"] == 18
    assert ckpt.read_meta(ckpt.resolve(ws.runs_dir, more["run"]))["parent"] == base["checkpoint"]


def test_sft_needs_a_base_and_good_data(ws, tmp_path):
    with pytest.raises(DojoError, match="nothing to fine-tune: no pretrain run"):
        list(sft.run(ws, sft.make_config(sets=SFT_SETS)))
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "3"})))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "hi", "output": "hello"}\n{"messages": [{"role": "robot", "content": "x"}]}\n')
    with pytest.raises(DojoError, match=r"bad.jsonl:2"):
        list(sft.run(ws, sft.make_config(sets={**SFT_SETS, "data": str(bad)})))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(DojoError, match="empty"):
        list(sft.run(ws, sft.make_config(sets={**SFT_SETS, "data": str(empty)})))


def test_cli_sft_chat_and_eval(pretrained, capsys):
    ws, base = pretrained
    sets = [a for k, v in SFT_SETS.items() for a in ("--set", f"{k}={v}")]
    assert main(["sft", str(ws.root), "--json", "--quiet", "--lora", *sets]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"run", "checkpoint", "val_loss"} <= set(r)
    assert main(["eval", str(ws.root), "--run", base["run"], "--run", r["run"], "--limit", "4", "--json"]) == 0
    ev = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [x["questions"] for x in ev["runs"]] == [4, 4]
    for x in ev["runs"]:
        assert 0 <= x["qa_accuracy"] <= x["qa_contains"] <= 1 and 0 <= x["end_rate"] <= 1 and x["mean_length"] >= 0
        assert 0 <= x["first_token_accuracy"] <= 1 and set(x["qa_by_field"]) == set(x["qa_contains_by_field"])
        assert 0 <= x["choice_accuracy"] <= 1  # the right value its first choice among the field's values
    base_eval, sft_eval = ev["runs"]
    assert 0 <= base_eval["memorisation"]["all"] <= 1 and base_eval["memorisation"]["facts"] > 0  # a pretraining run
    assert "memorisation" not in sft_eval
    assert 0 <= ev["chance_by_field"]["all"] <= 1
    assert main(["eval", str(ws.root), "--run", base["run"], "--limit", "4"]) == 0
    assert "memorised" in capsys.readouterr().out


def test_weighted_examples_train_that_many_times_and_validate_once(ws, tmp_path):
    from engine.tokenizer import load_tokenizer

    rows = [
        {"id": f"r{i}", "prompt": f"question {i}", "response": f"answer {i}"} | ({"weight": 3} if i % 2 else {})
        for i in range(40)
    ]
    data = tmp_path / "weighted.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cfg = sft.make_config(sets={"data": str(data), "val_fraction": "0.2", "replay": "0"})
    task = sft.SFTTask(ws, cfg, load_tokenizer(ws.tokenizer_path), 64, torch.device("cpu"), tmp_path)
    seen = {}
    for r, _ in task.train:
        seen[r["id"]] = seen.get(r["id"], 0) + 1
    held = [r["id"] for r, _ in task.val]
    assert held and not set(held) & set(seen) and len(held) == len(set(held))
    assert seen == {f"r{i}": 3 if i % 2 else 1 for i in range(40) if f"r{i}" not in held}


def test_a_batch_that_cannot_fit_is_refused_before_the_first_step(pretrained):
    from engine.errors import ConfigError
    from engine.io.store import Store

    ws, _ = pretrained
    with pytest.raises(ConfigError, match="batch_size=100000000 does not fit"):
        run_events(sft.run(ws, sft.make_config(sets={**SFT_SETS, "batch_size": "100000000"})))
    with Store(ws.db_path) as store:
        (run,) = store.runs("sft")
    assert run["status"] == "failed" and "does not fit" in run["message"]


def test_sft_from_a_too_short_pretraining_run_warns(pretrained, monkeypatch):
    from engine.events import Log
    from engine.train import status

    ws, base = pretrained  # 10 steps: its loss is near ln V
    u = status.undertrained(ws)
    assert u["run"] == base["run"] and u["step"] == 10 and u["loss"] > 0.5 * u["guess"]
    logs = [e.message for e in run_events(sft.run(ws, sft.make_config(sets=SFT_SETS))) if isinstance(e, Log)]
    assert any("too short to build on" in t and base["run"] in t for t in logs), logs
    monkeypatch.setattr(status, "UNDERTRAINED", 10.0)  # a loss under the threshold: no warning
    assert status.undertrained(ws) is None
    logs = [e.message for e in run_events(sft.run(ws, sft.make_config(sets=SFT_SETS))) if isinstance(e, Log)]
    assert not any("too short" in t for t in logs)


def test_no_pretraining_run_no_warning(ws):
    from engine.train import status

    assert status.undertrained(ws) is None


def test_replay_mixes_pretraining_documents_into_the_rows(pretrained, tmp_path):
    import shutil

    from engine.events import Log
    from engine.tokenizer import load_tokenizer

    ws, base = pretrained
    tok = load_tokenizer(ws.tokenizer_path)
    cfg = sft.make_config(sets={**SFT_SETS, "replay": "0.25"})
    task = sft.SFTTask(ws, cfg, tok, 64, torch.device("cpu"), tmp_path)
    replay = [(r, e) for r, e in task.train if r["id"].startswith("replay:")]
    examples = len(task.train) - len(replay)
    assert task.replayed == len(replay) == round(examples / 3)  # a quarter of all rows
    assert all(
        e.labels == e.ids and 2 <= len(e.ids) <= 65 for _, e in replay
    )  # every token trained, cut to the context
    assert len({r["id"] for r, _ in replay}) > 1
    again = sft.SFTTask(ws, cfg, tok, 64, torch.device("cpu"), tmp_path)  # a resume rebuilds the same rows
    assert [r["id"] for r, _ in again.train] == [r["id"] for r, _ in task.train]
    none = sft.SFTTask(ws, sft.make_config(sets={**SFT_SETS, "replay": "0"}), tok, 64, torch.device("cpu"), tmp_path)
    assert none.replayed == 0 and len(none.train) == examples
    r = run_events(sft.run(ws, cfg))[-1].result
    assert r["replay_rows"] == task.replayed and r["steps"] == 12

    shutil.rmtree(ws.tokens_dir)  # a base model from elsewhere, no shards: fine-tuning goes on without replay
    events = run_events(sft.run(ws, sft.make_config(sets={**SFT_SETS, "base": base["checkpoint"]})))
    assert any(isinstance(e, Log) and "without replay" in e.message for e in events)
    assert events[-1].result["replay_rows"] == 0
