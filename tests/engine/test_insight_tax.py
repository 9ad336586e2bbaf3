"""Alignment tax on the demo world: the KL function against its formula, and per stage the KL to the
base model, the held-out pretraining perplexity and the QA accuracy, through the engine and the CLI."""

import json
import math

import pytest
import torch

from engine import insight
from engine.errors import DojoError
from engine.insight import tax
from tests.conftest import run_events
from tests.engine.insight_checks import insight_cli

SMALL = {"questions": "6", "batches": "2", "batch_size": "4", "max_new_tokens": "8"}


def test_mean_token_kl_matches_the_formula_by_hand():
    # one position, vocabulary of 2: p = softmax([0, ln 3]) = (1/4, 3/4), q = (1/2, 1/2)
    lp = torch.tensor([[[0.0, math.log(3.0)]]])
    lq = torch.tensor([[[5.0, 5.0]]])
    want = 0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
    assert tax.mean_token_kl(lp, lq, torch.tensor([[True]])) == pytest.approx(want, abs=1e-6)
    # the mask averages only the chosen positions: a second position with KL 0 halves the mean when counted
    lp2 = torch.cat([lp, lq], 1)
    lq2 = torch.cat([lq, lq], 1)
    assert tax.mean_token_kl(lp2, lq2, torch.tensor([[True, False]])) == pytest.approx(want, abs=1e-6)
    assert tax.mean_token_kl(lp2, lq2, torch.tensor([[True, True]])) == pytest.approx(want / 2, abs=1e-6)
    assert tax.mean_token_kl(lp2, lq2, torch.tensor([[False, False]])) == 0.0


def test_mean_token_kl_is_zero_for_identical_logits_and_positive_otherwise():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(3, 5, 11, generator=g)
    mask = torch.ones(3, 5, dtype=torch.bool)
    assert tax.mean_token_kl(a, a.clone(), mask) == 0.0
    assert tax.mean_token_kl(a, torch.randn(3, 5, 11, generator=g), mask) > 0
    # a constant shift of the logits is the same distribution
    assert tax.mean_token_kl(a, a + 3.0, mask) == pytest.approx(0.0, abs=1e-5)


def test_tax_per_stage_on_the_demo_world(sft_ws, one_thread):
    ws, sft_result = sft_ws
    events = run_events(insight.run("tax", ws, insight.make_config("tax", sets=SMALL)))
    assert events[-1].status == "done"
    r = events[-1].result
    json.dumps(r)
    by_stage = {s["stage"]: s for s in r["stages"]}
    assert list(by_stage) == ["pretrain", "sft"]
    assert r["reference"] == by_stage["pretrain"]["run"]
    assert by_stage["sft"]["run"] == sft_result["run"]
    assert by_stage["pretrain"]["kl"] == 0.0  # the base is its own reference
    assert by_stage["sft"]["kl"] > 0
    for s in r["stages"]:
        assert 1 < s["perplexity"] < 512 * 4 and math.isfinite(s["perplexity"])  # not beyond a vocab-wide guess
        assert s["perplexity"] == pytest.approx(math.exp(s["val_loss"]), rel=1e-5)
        assert 0 <= s["qa_accuracy"] <= 1
        assert s["kl_tokens"] > 0
    assert r["questions"] == 6 and r["windows"] == 8 and r["block"] == 96
    assert "pretrain" in insight.summary("tax", r)


def test_tax_with_the_sft_run_alone_still_measures_to_the_base(sft_ws, one_thread):
    ws, sft_result = sft_ws
    opts = insight.make_config("tax", sets={**SMALL, "runs": json.dumps([sft_result["run"]])})
    r = run_events(insight.run("tax", ws, opts))[-1].result
    assert [s["run"] for s in r["stages"]] == [sft_result["run"]]
    assert r["reference"].startswith("pretrain-") and r["stages"][0]["kl"] > 0


def test_a_bad_run_is_named(sft_ws):
    ws, _ = sft_ws
    opts = insight.make_config("tax", sets={**SMALL, "runs": '["sft-nope"]'})
    with pytest.raises(DojoError, match="sft-nope"):
        run_events(insight.run("tax", ws, opts))


def test_cli_tax_json(sft_ws, capsys, one_thread):
    ws, _ = sft_ws
    rc, r = insight_cli("tax", ws, capsys, SMALL)
    assert rc == 0
    assert r["status"] == "done"
    assert [s["stage"] for s in r["stages"]] == ["pretrain", "sft"]
    assert r["stages"][0]["kl"] == 0.0 and r["stages"][1]["kl"] > 0
