"""pass@k (Chen et al. 2021): what a model reaches in k tries, the ceiling RL mostly re-weights towards."""

import json
import math

import pytest

from engine.compare.evaluate import pass_at_k
from tests.conftest import cli


def test_pass_at_k_by_hand():
    hits = [[True, False, False, False], [False] * 4, [True] * 4]
    assert pass_at_k(hits, 1) == pytest.approx((0.25 + 0 + 1) / 3)
    # question 1: 1 − C(3, 2) / C(4, 2) = 1 − 3/6
    assert pass_at_k(hits, 2) == pytest.approx((0.5 + 0 + 1) / 3)
    assert pass_at_k(hits, 4) == pytest.approx((1 + 0 + 1) / 3)
    assert pass_at_k([[True, True, False, False, False]], 3) == pytest.approx(1 - math.comb(3, 3) / math.comb(5, 3))
    with pytest.raises(ValueError, match="at least 4"):
        pass_at_k([[True, False]], 4)


def test_a_model_that_always_answers_the_same_gains_nothing_from_more_tries():
    """Each question's answers all identical: right every time or never, so pass@k = pass@1."""
    hits = [[True] * 8, [False] * 8, [False] * 8, [True] * 8, [False] * 8]
    assert pass_at_k(hits, 8) == pass_at_k(hits, 1) == pytest.approx(0.4)


def test_eval_reports_pass_at_k_per_run(sft_ws, capsys):
    ws, r = sft_ws
    rc, out, err = cli(capsys, "eval", ws.root, "--run", r["run"], "--limit", "6", "--pass-k", "4", "--json")
    assert rc == 0, err
    x = json.loads(out.splitlines()[-1])["runs"][0]
    assert x["pass_k"] == 4 and 0 <= x["pass_at_1"] <= x["pass_at_k"] <= 1
    assert "answer 1/12" in err  # progress on stderr: 6 greedy answers and 6 sampled groups
    # the model's words beside the world's truth, the first thing a reader checks
    ex = x["examples"][0]
    assert set(ex) == {"question", "fact", "answer", "right"} and len(x["examples"]) == 3
    rc, out, err = cli(capsys, "eval", ws.root, "--run", r["run"], "--limit", "6", "--quiet")
    assert rc == 0 and err == ""
    assert f"asked {ex['question']!r}; the world says: {ex['fact']}" in out
    assert f"{r['run']} says {ex['answer']!r}  {'right' if ex['right'] else 'wrong'}" in out
    for bad in ("-1", "65"):
        rc, out, err = cli(capsys, "eval", ws.root, "--run", r["run"], "--pass-k", bad)
        assert rc == 2 and "--pass-k" in err and len(err.strip().splitlines()) == 1


def test_eval_asks_the_split_it_is_told(sft_ws, capsys):
    """--split practice: the questions GRPO and PPO practise on, about people the held-out set never asks about."""
    from engine.data.demo_questions import demo_questions

    ws, r = sft_ws
    rc, out, err = cli(capsys, "eval", ws.root, "--run", r["run"], "--limit", "4", "--split", "practice", "--json")
    assert rc == 0, err
    got = json.loads(out.splitlines()[-1])
    assert got["split"] == "practice" and got["runs"][0]["questions"] == 4
    practice = {q["person"] for q in demo_questions(ws, "practice")}
    assert practice and not practice & {q["person"] for q in demo_questions(ws, "heldout")}
    rc, out, err = cli(capsys, "eval", ws.root, "--run", r["run"], "--split", "everyone")
    assert rc == 2 and "--split" in err


def test_a_broken_question_file_is_named_with_its_line(tmp_path, capsys):
    from engine.data.demo import DemoConfig, write_demo_world
    from engine.io.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    write_demo_world(ws.root, DemoConfig(people=10, augment_versions=1, stories=0))
    path = ws.data_dir / "rl" / "practice.jsonl"
    n = len(path.read_text(encoding="utf-8").splitlines())
    with path.open("a", encoding="utf-8") as f:
        f.write('{"broken\n[1, 2]\n')
    rc, out, err = cli(capsys, "eval", ws.root, "--run", "x", "--split", "practice")
    assert rc == 2 and err.strip() == f"error: {path}:{n + 1}: not a JSON record (Unterminated string starting at)"
    path.unlink()  # a world made before there were practice people
    rc, out, err = cli(capsys, "eval", ws.root, "--run", "x", "--split", "practice")
    assert rc == 2 and "has no practice people" in err
