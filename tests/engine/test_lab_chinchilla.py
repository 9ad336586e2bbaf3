"""Lab `chinchilla` at its smallest settings: the report's structure, its numbers' ranges, the planner."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from engine import labs
from engine.events import Control, Log, Progress
from engine.labs import chinchilla
from tests.conftest import run_events
from tests.engine.lab_checks import PNG, linked_pngs


def _check_report(result: dict, cfg) -> None:
    report = Path(result["report"])
    assert report.name == "report.md" and report.is_file()
    text = report.read_text(encoding="utf-8")
    assert text.startswith(f"# {chinchilla.TITLE}")
    for heading in ("## Iso-FLOP curves", "## Every run", "## Planner", "## Compared with Chinchilla"):
        assert heading in text
    pngs = linked_pngs(report)
    assert "isoflop.png" in pngs and "optimum.png" in pngs
    for name in pngs:
        data = (report.parent / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 1000
    # one table row per run, and the scratch checkpoints are gone (the numbers stay)
    assert len(result["runs"]) == cfg.budgets * cfg.sizes
    scratch = report.parent / "scratch"
    assert not list(scratch.glob("runs/*/checkpoints")) and not (scratch / "tokens").exists()
    saved = json.loads((report.parent / "numbers.json").read_text(encoding="utf-8"))
    assert saved["optimum_params"] == result["optimum_params"]


def _check_numbers(result: dict, cfg) -> None:
    assert isinstance(result["optimum_params"], int)
    assert 1_000 < result["optimum_params"] < 1_000_000
    assert 0.1 < result["tokens_per_param"] < 10_000 and math.isfinite(result["mean_tokens_per_param"])
    assert isinstance(result["interior"], bool)
    assert math.isfinite(result["params_exponent"])
    assert len(result["budgets"]) == cfg.budgets
    flops = [b["flops"] for b in result["budgets"]]
    assert flops[0] == pytest.approx(cfg.flops) and flops[1] == pytest.approx(cfg.flops * cfg.budget_factor)
    for b in result["budgets"]:
        lo, hi = b["sweep_params"]
        assert lo <= b["optimum_params"] <= hi  # the fitted minimum lies within the sizes trained
        assert b["optimum_tokens"] == pytest.approx(b["flops"] / (6 * b["optimum_params"]))
        assert b["tokens_per_param"] == pytest.approx(b["optimum_tokens"] / b["optimum_params"])
        assert 0.5 < b["optimum_loss"] < 8
    for r in result["runs"]:
        assert r["steps"] >= 1 and r["tokens"] == r["steps"] * cfg.batch_size * cfg.block_size
        # equal compute within a budget: 6·N·D is the budget, up to rounding to whole steps
        step_flops = 6 * r["params"] * cfg.batch_size * cfg.block_size
        assert abs(6 * r["params"] * r["tokens"] - r["flops"]) <= step_flops / 2 + 1
        assert 0.5 < r["val_loss"] < math.log(result["vocab_size"]) + 1
        assert r["non_embedding_params"] < r["params"]
    # a bigger budget reaches a lower loss at its optimum
    assert result["budgets"][-1]["optimum_loss"] < result["budgets"][0]["optimum_loss"]


def test_smallest_run(ws):
    cfg = labs.make_config("chinchilla", smallest=True)
    events = run_events(labs.run("chinchilla", ws, cfg))
    fin = events[-1]
    assert fin.status == "done", fin.result
    assert any(isinstance(e, Log) for e in events)
    progress = [e for e in events if isinstance(e, Progress)]
    assert [p.step for p in progress] == list(range(1, cfg.budgets * cfg.sizes + 1))
    assert all(p.unit == "runs" and p.total_steps == cfg.budgets * cfg.sizes for p in progress)
    _check_numbers(fin.result, cfg)
    _check_report(fin.result, cfg)
    assert Path(fin.result["report"]).parent.parent == ws.root / "labs"
    assert not list((ws.root / "runs").iterdir())  # the user's own runs are not cluttered


def test_cli_json(ws, capsys):
    from engine.cli import main

    rc = main(
        ["lab", "chinchilla", str(ws.root), "--smallest", "--json", "--quiet", "--set", "budgets=2", "--set", "sizes=3"]
    )
    out = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(out)
    assert rc == 0 and result["status"] == "done"
    assert Path(result["report"]).is_file()
    assert result["optimum_params"] > 0 and result["tokens_per_param"] > 0


def test_cancelled(ws):
    control = Control()
    seen = []

    def stream():
        for ev in labs.run("chinchilla", ws, labs.make_config("chinchilla", smallest=True), control):
            seen.append(ev)
            if isinstance(ev, Progress):
                control.cancel()  # after the first run
            yield ev

    fin = run_events(stream())[-1]
    assert fin.status == "cancelled"
    assert sum(isinstance(e, Progress) for e in seen) == 1
    assert not list((ws.root / "labs").glob("chinchilla-*"))  # nothing half-made is left behind


def test_planner_scales():
    small, big = chinchilla.plan(flops=1e15), chinchilla.plan(flops=1e18)
    assert big["params"] > small["params"] and big["tokens"] > small["tokens"]
    assert big["params"] / small["params"] == pytest.approx(math.sqrt(1000))
    for p in (small, big):
        assert p["tokens"] / p["params"] == pytest.approx(20)
        assert 6 * p["params"] * p["tokens"] == pytest.approx(p["flops"])
    # Chinchilla itself: 5.76e23 FLOPs -> about 70B params on 1.4T tokens
    ch = chinchilla.plan(flops=5.76e23)
    assert 6e10 < ch["params"] < 8e10 and 1.2e12 < ch["tokens"] < 1.6e12
    # minutes on a machine
    m1, m10 = chinchilla.plan(minutes=1, flops_per_s=1e10), chinchilla.plan(minutes=10, flops_per_s=1e10)
    assert m10["params"] > m1["params"] and m10["tokens"] > m1["tokens"]
    assert m1["flops"] == pytest.approx(6e11)
    t = chinchilla.plan(minutes=2, tokens_per_s=1000, tokens_per_param=10)
    assert t["tokens"] == pytest.approx(120_000) and t["params"] == pytest.approx(12_000)
    # a fitted ratio: more tokens per parameter -> a smaller model for the same compute
    assert chinchilla.plan(flops=1e15, tokens_per_param=80)["params"] < small["params"]
    with pytest.raises(ValueError):
        chinchilla.plan()


def test_fit_minimum():
    ns = [1e4, 2e4, 4e4, 8e4, 1.6e5]
    losses = [(math.log10(n) - math.log10(4e4)) ** 2 + 2.0 for n in ns]
    fit = chinchilla.fit_minimum(ns, losses)
    assert fit["interior"] and fit["fitted"]
    assert fit["params"] == pytest.approx(4e4, rel=1e-6) and fit["loss"] == pytest.approx(2.0)
    edge = chinchilla.fit_minimum(ns, [5.0, 4.0, 3.0, 2.5, 2.4])
    assert not edge["interior"] and edge["params"] <= 1.6e5


def test_smallest_is_small_and_about_says_the_budget():
    assert chinchilla.Config().sizes >= 5 and 2 <= chinchilla.Config().budgets <= 3
    assert "minutes" in chinchilla.ABOUT.en and all("20" in t for t in (chinchilla.ABOUT.en, chinchilla.ABOUT.zh_TW))
    cfg = labs.make_config("chinchilla", smallest=True)
    assert cfg.flops > 0 and cfg.people <= 100
