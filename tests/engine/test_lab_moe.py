"""Lab "moe": dense models against mixtures of experts of equal active / total parameters."""

from __future__ import annotations

import json
import math

import pytest

from engine import labs
from engine.errors import DojoError
from engine.events import Control, Finished
from engine.io.workspace import Workspace
from engine.labs import moe
from tests.engine.lab_checks import lab_cli, linked_pngs


def test_model_configs_match_active_and_total_params():
    from engine.train.estimate import model_size

    cfg = labs.make_config("moe")
    mcs = moe.model_configs(cfg, vocab=1000)
    assert list(mcs) == list(moe.RUNS)
    sizes = {name: model_size(mc) for name, (mc, _) in mcs.items()}
    dense, moe_aux, moe_free, total = (sizes[n] for n in moe.RUNS)
    assert dense["params"] == dense["active_params"] == moe_aux["active_params"]
    router = cfg.n_layer * cfg.n_embd * cfg.n_experts  # counted in the MoE's total only
    assert total["params"] == total["active_params"] == moe_aux["params"] - router
    assert moe_aux == moe_free and mcs[moe.RUNS[1]][1] == cfg.moe_aux_weight and mcs[moe.RUNS[2]][1] == 0.0
    assert moe.imbalance([0.25] * 4) == {"max_over_mean": 1.0, "cv": 0.0}
    assert moe.imbalance([0.5, 0.5, 0, 0])["max_over_mean"] == 2.0


def test_smallest_through_the_cli(ws, capsys, one_thread):
    r, report = lab_cli("moe", ws, capsys)
    assert len(linked_pngs(report)) == 3  # val loss bars, training loss, expert loads
    assert json.loads((report.parent / "numbers.json").read_text())["runs"] == r["runs"]
    runs = {x["name"]: x for x in r["runs"]}
    assert list(runs) == list(moe.RUNS)
    for x in r["runs"]:
        for key in ("name", "total_params", "active_params", "val_loss", "train_tokens_per_s"):
            assert key in x
        assert 0 < x["active_params"] <= x["total_params"]
        assert math.isfinite(x["val_loss"]) and x["val_loss"] > 0
        assert x["train_tokens_per_s"] > 0 and x["generate_tokens_per_s"] > 0
        if x["n_experts"]:
            assert x["active_params"] < x["total_params"]
            assert len(x["expert_load"]) == x["n_experts"] == 4
            assert sum(x["expert_load"]) == pytest.approx(1, abs=1e-3)
            for layer in x["expert_load_per_layer"]:
                assert sum(layer) == pytest.approx(1, abs=1e-3) and min(layer) >= 0
            assert x["load_imbalance"]["max_over_mean"] >= 1
        else:
            assert x["active_params"] == x["total_params"] and x["expert_load"] is None
    assert runs["MoE, aux loss"]["active_params"] == runs["dense (active size)"]["active_params"]
    assert isinstance(r["moe_beats_dense_active"], bool) and isinstance(r["aux_balances_load"], bool)
    md = report.read_text(encoding="utf-8")
    assert "max/mean" in md and "## Verdict" in md and "dense (total size)" in md


def test_cancel_and_missing_tokens(ws, tmp_path):
    control = Control()
    control.cancel()
    events = list(moe.run(ws, labs.make_config("moe", smallest=True), control))
    assert isinstance(events[-1], Finished) and events[-1].status == "cancelled"
    assert not (ws.root / "labs").exists() or not any((ws.root / "labs").glob("moe-*"))
    bare = Workspace.create(tmp_path / "bare")
    with pytest.raises(DojoError, match="tokenize"):
        list(labs.run("moe", bare, labs.make_config("moe", smallest=True)))
