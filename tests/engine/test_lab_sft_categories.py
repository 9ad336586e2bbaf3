"""Lab "sft-categories": probe the base model, categorise the SFT facts, fine-tune per category."""

from __future__ import annotations

import json

import pytest

from engine import labs
from engine.data.demo import fact_value
from engine.errors import DojoError
from engine.labs import sft_categories as lab
from engine.train import pretrain
from tests.conftest import TINY, run_events
from tests.engine.lab_checks import lab_cli, linked_pngs


def test_categories_as_the_paper():
    assert lab.category([True, True], [False]) == "HighlyKnown"
    assert lab.category([True, False], [False]) == "MaybeKnown"
    assert lab.category([False, False], [False, True]) == "WeaklyKnown"
    assert lab.category([False, False], [False, False]) == "Unknown"


def test_probe_prompts_stop_right_before_the_fact(ws):
    people = json.loads((ws.data_dir / "world.json").read_text(encoding="utf-8"))["people"]
    p = people[0]
    for lang in ("en", "zh"):
        for field in ("birthday", "birthplace", "school", "occupation", "employer", "hobby"):
            prompts = lab.probe_prompts(p, field, lang, 4)
            assert 1 <= len(prompts) <= 4
            fact = fact_value(p, field, lang)
            for prompt in prompts:
                assert p[f"name_{lang}"] in prompt and fact not in prompt[-len(fact) - 2 :]
                assert prompt == prompt.rstrip()


def test_needs_a_pretraining_run(ws):
    with pytest.raises(DojoError, match="pretrain"):
        list(labs.run("sft-categories", ws, labs.make_config("sft-categories", smallest=True)))


def test_smallest_through_the_cli(ws, capsys, one_thread):
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    r, report = lab_cli("sft-categories", ws, capsys)
    assert len(linked_pngs(report)) == 2
    assert not (report.parent / "scratch").exists()
    assert set(r["counts"]) == set(lab.CATEGORIES)
    assert sum(r["counts"].values()) == r["facts_probed"] == 16
    assert r["accuracy"] and set(r["accuracy"]) <= set(lab.CATEGORIES)
    for c, acc in r["accuracy"].items():
        assert 0.0 <= acc <= 1.0 and 0.0 <= r["fit_accuracy"][c] <= 1.0
        assert r["counts"][c] >= r["facts_per_category"]
        assert r["examples_per_category"][c] >= r["facts_per_category"]  # each fact has its demo questions
    assert r["heldout_questions"] == 6
    assert r["best_category"] in r["accuracy"]
