"""The decoding lab: pairwise tallies, the lab at its smallest setting through the CLI (base plain,
base + decoding tricks, base + tricks with a prefix, SFT), its answers in the preference store, and
the message when there is no SFT run."""

import json
from pathlib import Path

import pytest

from engine import labs
from engine.cli import main
from engine.errors import DojoError
from engine.labs.decoding import example_turns, judge_pair, tally, tricked_messages
from engine.rlhf.prefs import PrefStore
from engine.train import pretrain
from tests.conftest import TINY, run_events
from tests.engine.lab_checks import linked_pngs


def test_pairs_and_tallies():
    assert [judge_pair(2, 1), judge_pair(0, 0), judge_pair(-1, 1)] == ["win", "tie", "loss"]
    t = tally(["win", "tie", "loss", "loss"])
    assert t == {"win": 0.25, "tie": 0.25, "loss": 0.5}
    assert tally([]) == {"win": 0.0, "tie": 0.0, "loss": 0.0}
    shots = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]
    ask = [{"role": "system", "content": "own"}, {"role": "user", "content": "q?"}]
    assert tricked_messages(ask, shots, "sys") == [ask[0], *shots, ask[1]]
    assert tricked_messages(ask[1:], shots, "sys")[0] == {"role": "system", "content": "sys"}
    assert tricked_messages(ask[1:], [], None) == ask[1:]


def test_decoding_lab_smallest_via_cli(sft_ws, capsys, one_thread):
    ws, r = sft_ws
    cfg = labs.make_config("decoding", smallest=True)
    shots = example_turns(ws, cfg)
    assert set(shots) == {"en", "zh"} and all(len(v) == 2 * cfg.few_shot for v in shots.values())
    assert [m["role"] for m in shots["en"]] == ["user", "assistant"] * cfg.few_shot

    assert (
        main(["lab", "decoding", str(ws.root), "--smallest", "--json", "--quiet", "--set", "store_answers=true"]) == 0
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["status"] == "done" and out["prompts"] == 8
    for who in ("plain", "decoding", "tricks"):
        rates = [out[f"{k}_rate_{who}_vs_sft"] for k in ("win", "tie", "loss")]
        assert all(0 <= x <= 1 for x in rates) and sum(rates) == pytest.approx(1, abs=1e-3)
    assert out["runs"]["sft"] == r["run"] and out["runs"]["base"] == out["runs"]["base + tricks"] != r["run"]
    assert all(-3 <= v <= 2 for v in out["mean_score"].values())
    assert all(0 <= v <= 1 for v in out["end_rate"].values())
    report = Path(out["report"])
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Decoding") and "## Side by side" in text and "| contest | win | tie | loss |" in text
    pngs = linked_pngs(report)
    assert pngs == ["win_tie_loss.png", "mean_score.png"]
    with PrefStore(ws.db_path) as prefs:
        assert prefs.counts()["responses"] >= 8 * 4  # every contender's answer to every prompt


def test_decoding_lab_needs_an_sft_run(ws, capsys):
    with pytest.raises(DojoError, match="no SFT run .*run lmdojo-cli sft WS first"):
        run_events(labs.run("decoding", ws, labs.make_config("decoding", smallest=True)))
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))
    assert main(["lab", "decoding", str(ws.root), "--smallest"]) == 2
    assert "no SFT run" in capsys.readouterr().err


def test_rules_judge_gives_no_point_for_silence(sft_ws):
    from engine.rlhf.judges import RulesJudge

    ws, _ = sft_ws
    judge = RulesJudge.for_demo(ws)
    question = [{"role": "user", "content": next(iter(judge.facts))}]
    assert judge.score(question, "", ended=True) == 0.0  # ends at once (+1), says nothing (−1)
    fact = judge.facts[question[0]["content"]]
    assert judge.score(question, fact + ".", ended=True) == 2.0
    assert judge.score(question, fact, ended=True) == 1.0  # a word, not a sentence: −1
