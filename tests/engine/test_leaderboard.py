"""The leaderboard: Bradley–Terry strengths of runs from the judgements in a real preference store,
checked against a direct fit of the same penalised likelihood; bootstrap intervals; the CLI."""

import json
import math

import pytest
import torch

from engine.cli import main
from engine.compare.leaderboard import ELO_SCALE, LAMBDA, leaderboard
from engine.io.workspace import Workspace
from engine.rlhf.prefs import PrefStore


def answers(store: PrefStore, prompt: str, runs: list[str | None]) -> list[int]:
    pid = store.add_prompt(prompt)
    return [store.add_response(pid, f"{prompt} answer {k} by {run}", run_id=run) for k, run in enumerate(runs)]


def direct_fit(games: list[tuple[str, str, float]], runs: list[str]) -> dict[str, float]:
    """The same objective, summed pair by pair and climbed with L-BFGS in float64."""
    index = {r: k for k, r in enumerate(runs)}
    a = torch.tensor([index[g[0]] for g in games])
    b = torch.tensor([index[g[1]] for g in games])
    w = torch.tensor([g[2] for g in games], dtype=torch.float64)
    s = torch.zeros(len(runs), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [s], lr=1, max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        d = s[a] - s[b]
        ll = (w * torch.nn.functional.logsigmoid(d) + (1 - w) * torch.nn.functional.logsigmoid(-d)).sum()
        loss = -(ll - LAMBDA * (s * s).sum() / 2)
        loss.backward()
        return loss

    opt.step(closure)
    return {r: float(s[k].detach()) for r, k in index.items()}


def test_scores_match_a_direct_fit_and_skip_what_says_nothing_about_runs(tmp_path):
    with PrefStore(tmp_path / "p.sqlite") as s:
        expected = []  # (first run, second run, how much of a win the first got)
        for k in range(4):  # rankings of three answers from three runs: A > B > C, and once B > A > C
            ids = answers(s, f"q{k}", ["A", "B", "C"])
            order = [ids[1], ids[0], ids[2]] if k == 3 else ids
            s.rank(s.add_prompt(f"q{k}"), order, "human:x")
            best, mid, worst = ("B", "A", "C") if k == 3 else ("A", "B", "C")
            expected += [(best, mid, 1.0), (best, worst, 1.0), (mid, worst, 1.0)]
        ids = answers(s, "p1", ["C", "A"])
        s.choose(s.add_prompt("p1"), ids[0], ids[1], "human:x")  # C beats A once
        expected.append(("C", "A", 1.0))
        ids = answers(s, "p2", ["B", "C"])
        s.choose(s.add_prompt("p2"), ids[0], ids[1], "human:y", tie=True)
        expected.append(("B", "C", 0.5))
        ids = answers(s, "p3", ["C", "B"])
        gone = s.choose(s.add_prompt("p3"), ids[0], ids[1], "human:x")
        s.delete_judgement(gone)  # deleted: ignored
        ids = answers(s, "p4", ["C", "C"])
        s.choose(s.add_prompt("p4"), ids[0], ids[1], "human:x")  # one run against itself: ignored
        ids = answers(s, "p5", [None, "A"])
        s.choose(s.add_prompt("p5"), ids[0], ids[1], "human:x")  # an imported answer: ignored
        s.thumb(ids[1], True, "human:x")  # a thumb compares nothing
        r = leaderboard(s, bootstrap=20)

    assert r["pairs"] == len(expected) == 14 and r["judgements"] == 6 and r["lambda"] == LAMBDA
    want = direct_fit(expected, ["A", "B", "C"])
    got = {x["run"]: x for x in r["runs"]}
    assert [x["run"] for x in r["runs"]] == sorted(want, key=want.get, reverse=True)
    for run, score in want.items():
        assert got[run]["score"] == pytest.approx(score, abs=1e-4)
        assert got[run]["elo"] == pytest.approx(1000 + ELO_SCALE * score, abs=0.05)
    assert sum(x["score"] for x in r["runs"]) == pytest.approx(0, abs=1e-6)  # the penalty centres them
    a = got["A"]
    assert (a["wins"], a["losses"], a["ties"], a["games"], a["judgements"]) == (7, 2, 0, 9, 5)
    assert a["win_rate"] == pytest.approx(7 / 9, abs=1e-4)
    b = got["B"]
    assert (b["wins"], b["losses"], b["ties"], b["games"]) == (5, 3, 1, 9)
    assert b["win_rate"] == pytest.approx(5.5 / 9, abs=1e-4)


def test_a_run_that_never_lost_ranks_first_with_a_finite_score(tmp_path):
    with PrefStore(tmp_path / "p.sqlite") as s:
        for k in range(6):
            ids = answers(s, f"q{k}", ["champ", "B", "C"])
            s.rank(s.add_prompt(f"q{k}"), ids if k % 2 else [ids[0], ids[2], ids[1]], "rules")
        r = leaderboard(s, bootstrap=50)
    top = r["runs"][0]
    assert top["run"] == "champ" and top["win_rate"] == 1.0 and top["losses"] == top["ties"] == 0
    assert all(math.isfinite(x[k]) for x in r["runs"] for k in ("score", "elo", "ci_low", "ci_high"))
    assert top["score"] > r["runs"][1]["score"] + 1


def games_between(s: PrefStore, n: int, start: int = 0) -> None:
    """n pair judgements of A against B; A wins two in three."""
    for k in range(start, start + n):
        a, b = answers(s, f"g{k}", ["A", "B"])
        better, worse = (a, b) if k % 3 else (b, a)
        s.choose(s.add_prompt(f"g{k}"), better, worse, "human:x")


def test_the_interval_holds_the_estimate_and_narrows_with_more_judgements(tmp_path):
    widths = []
    with PrefStore(tmp_path / "p.sqlite") as s:
        games_between(s, 12)
        few = leaderboard(s, bootstrap=200, seed=1)
        games_between(s, 108, start=12)
        many = leaderboard(s, bootstrap=200, seed=1)
        again = leaderboard(s, bootstrap=200, seed=1)
    assert many == again  # seeded
    for r in (few, many):
        assert [x["run"] for x in r["runs"]] == ["A", "B"]
        for x in r["runs"]:
            assert x["ci_low"] <= x["elo"] <= x["ci_high"]
        widths.append(r["runs"][0]["ci_high"] - r["runs"][0]["ci_low"])
    assert widths[0] > 1.5 * widths[1] > 0


def test_no_judgements_no_runs(tmp_path):
    with PrefStore(tmp_path / "p.sqlite") as s:
        assert leaderboard(s) == {"runs": [], "pairs": 0, "judgements": 0, "lambda": LAMBDA}
        ids = answers(s, "q", ["A", "A"])
        s.choose(s.add_prompt("q"), ids[0], ids[1], "human:x")
        assert leaderboard(s)["runs"] == []


def test_cli_prints_the_leaderboard(tmp_path, capsys):
    ws = Workspace.create(tmp_path / "ws")
    assert main(["leaderboard", str(ws.root)]) == 0
    assert "no judgements" in capsys.readouterr().out
    with PrefStore(ws.db_path) as s:
        games_between(s, 6)
        ids = answers(s, "other", ["A", "B"])
        s.choose(s.add_prompt("other"), ids[1], ids[0], "rules")
    assert main(["leaderboard", str(ws.root), "--json"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [x["run"] for x in r["runs"]] == ["A", "B"] and r["pairs"] == 7
    assert main(["leaderboard", str(ws.root), "--judge", "rules", "--json"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [x["run"] for x in r["runs"]] == ["B", "A"] and r["pairs"] == 1
    assert main(["leaderboard", str(ws.root)]) == 0
    table = capsys.readouterr().out
    assert "elo" in table and "4-3-0" in table and "7 pairs from 7 judgements" in table
    assert main(["leaderboard", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_a_run_with_few_judgements_says_how_many_more_it_needs(tmp_path, capsys):
    from engine.compare.leaderboard import MIN_JUDGEMENTS

    with PrefStore(tmp_path / "p.sqlite") as s:
        games_between(s, 1)
        one = leaderboard(s, bootstrap=50)
        games_between(s, MIN_JUDGEMENTS - 1, start=1)
        enough = leaderboard(s, bootstrap=50)
    assert [x["needs"] for x in one["runs"]] == [MIN_JUDGEMENTS - 1] * 2  # not "1340 – 1340"
    assert [x["needs"] for x in enough["runs"]] == [0, 0]
