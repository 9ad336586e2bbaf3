"""Estimates before a run, the stage status of a workspace, and token pieces for display."""

import pytest
import torch

from engine.config import MODEL_PRESETS, PretrainConfig, build_config
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.model import GPT, GPTConfig
from engine.tokenizer import token_pieces, train_tokenizer
from engine.train import pretrain
from engine.train.estimate import estimate, flops_per_token, measure_tokens_per_s, model_size
from engine.train.status import DONE, FAILED, INTERRUPTED, NOT_STARTED, stage_status
from tests.conftest import TINY, run_events


@pytest.mark.parametrize("n_experts", [0, 4])
def test_model_size_matches_the_real_model(n_experts):
    mc = GPTConfig(vocab_size=300, block_size=64, n_layer=3, n_head=4, n_embd=64, n_experts=n_experts)
    assert model_size(mc)["params"] == GPT(mc).num_params()
    if n_experts:
        assert model_size(mc)["active_params"] < model_size(mc)["params"]


def test_estimate_of_a_step_budget():
    cfg = build_config(PretrainConfig, None, {"max_steps": "100"}, MODEL_PRESETS)
    mc = pretrain.model_config(cfg, 4096)
    e = estimate(cfg, mc, tokens_per_s=1000.0)
    assert e["tokens"] == 100 * cfg.batch_size * cfg.block_size
    assert e["flops"] == pytest.approx(e["tokens"] * flops_per_token(mc))
    assert e["seconds"] == pytest.approx(e["tokens"] / 1000.0)
    assert estimate(cfg, mc)["seconds"] is None  # no measured speed: no time promised


def test_estimate_of_a_time_budget():
    cfg = build_config(PretrainConfig, None, {"max_minutes": "2"}, MODEL_PRESETS)
    e = estimate(cfg, pretrain.model_config(cfg, 4096), tokens_per_s=500.0)
    assert e["tokens"] == 2 * 60 * 500 and e["seconds"] == 120


def test_measured_throughput_is_positive():
    cfg = build_config(PretrainConfig, None, {**TINY, "max_steps": "1"}, MODEL_PRESETS)
    tps = measure_tokens_per_s(cfg, pretrain.model_config(cfg, 128), torch.device("cpu"), steps=1)
    assert tps > 0


def test_stage_status_follows_the_workspace(tmp_path, ws):
    empty = Workspace.create(tmp_path / "empty")
    s = stage_status(empty)
    assert s["data"] == s["tokenizer"] == s["pretrain"] == NOT_STARTED
    s = stage_status(ws)
    assert s["data"] == NOT_STARTED and s["tokenizer"] == DONE and s["pretrain"] == NOT_STARTED
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "3"})))
    assert stage_status(ws)["pretrain"] == DONE
    with Store(ws.db_path) as store:  # a process that died mid-run leaves its run "running"
        store.set_status(store.runs("pretrain")[-1]["id"], "running")
    assert stage_status(ws)["pretrain"] == INTERRUPTED
    ws.tokenizer_path.write_text(ws.tokenizer_path.read_text() + " ")  # shards no longer match
    assert stage_status(ws)["tokenizer"] == FAILED


def test_token_pieces_cover_the_text_and_mark_partial_characters():
    tok = train_tokenizer(["hello world, 你好世界"] * 30, vocab_size=300)
    text = "hello 你好 𠀋!"
    pieces = token_pieces(tok, text)
    assert [p["id"] for p in pieces] == tok.encode(text, add_special_tokens=False).ids
    rare = [p for p in pieces if text[p["start"] : p["end"]] == "𠀋"]
    assert len(rare) == 4 and all(p["partial"] for p in rare)  # four UTF-8 bytes, one token each
    assert rare[0]["text"] == "f0"
    assert "".join(p["text"] for p in pieces if not p["partial"]) == "hello 你好 !"
