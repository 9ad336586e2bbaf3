"""Lab `emergence`: the addition task and its scoring on hand cases, the lab at its smallest, cancel."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine import labs
from engine.errors import ConfigError
from engine.events import Control, Log, Progress
from engine.labs import emergence
from tests.conftest import run_events
from tests.engine.lab_checks import linked_pngs


def test_problem_text_and_tokens():
    assert emergence.problem_text(123, 456, 3, reverse=False) == "123+456=0579"
    assert emergence.problem_text(123, 456, 3, reverse=True) == "123+456=9750"
    assert emergence.problem_text(999, 1, 3, reverse=True) == "999+001=0001"  # 1000, reversed
    assert emergence.answer_digits(95, 7, 2, reverse=False) == "102"
    assert emergence.problem_text(123, 456, 3, reverse=True, reverse_operands=True) == "321+654=9750"
    a, b = np.array([123, 999, 5]), np.array([456, 1, 0])
    for rev, rev_ops in ((False, False), (True, False), (True, True)):
        ids = emergence.tensorize(a, b, 3, rev, rev_ops)
        assert ids.shape == (3, 12)
        for i in range(3):
            assert emergence.decode(ids[i]) == emergence.problem_text(int(a[i]), int(b[i]), 3, rev, rev_ops)
            assert emergence.encode(emergence.decode(ids[i])) == ids[i].tolist()


def test_score_exact_against_per_digit():
    assert emergence.score("579", "579") == (1.0, 1.0)
    exact, digits = emergence.score("589", "579")
    assert exact == 0.0 and digits == pytest.approx(2 / 3)
    assert emergence.score("000", "579") == (0.0, 0.0)
    assert emergence.score("57", "579") == (0.0, pytest.approx(2 / 3))  # a missing digit is wrong


def test_held_out_problems_are_not_trained_on():
    rng = np.random.default_rng(0)
    ea, eb = emergence.make_problems(50, 1, rng)  # 100 possible problems: collisions are certain
    codes = np.unique(ea * 10 + eb)
    ta, tb = emergence.make_problems(500, 1, rng, exclude=codes)
    assert not np.isin(ta * 10 + tb, codes).any()
    assert ((ta >= 0) & (ta < 10) & (tb >= 0) & (tb < 10)).all()


def test_sharpness_and_sizes():
    assert emergence.sharpness([0.0, 0.0, 0.0, 0.9]) == pytest.approx(1.0)
    assert emergence.sharpness([0.1, 0.4, 0.7, 1.0]) == pytest.approx(1 / 3)
    assert emergence.sharpness([0.5, 0.5, 0.4]) == 0.0
    assert emergence.parse_sizes("1x8, 2x64") == [(1, 8), (2, 64)]
    for bad in ("2x64", "2x63,1x8", "two,1x8"):
        with pytest.raises(ConfigError):
            emergence.parse_sizes(bad)


def test_smallest_run(ws):
    cfg = labs.make_config("emergence", smallest=True)
    events = run_events(labs.run("emergence", ws, cfg))
    fin = events[-1]
    assert fin.status == "done", fin.result
    assert any(isinstance(e, Log) for e in events)
    n = len(emergence.parse_sizes(cfg.models))
    assert [p.step for p in events if isinstance(p, Progress)] == list(range(1, n + 1))
    r = fin.result
    for key in ("sizes", "exact_match", "step_accuracy", "answer_loss"):
        assert len(r[key]) == n, key
    assert r["sizes"] == sorted(r["sizes"]) and all(isinstance(s, int) and s > 0 for s in r["sizes"])
    for key in ("exact_match", "step_accuracy"):
        assert all(0.0 <= v <= 1.0 for v in r[key]), key
    assert all(math.isfinite(v) and v > 0 for v in r["answer_loss"])
    for key in ("exact_match", "step_accuracy", "answer_loss"):
        assert 0.0 <= r["sharpness"][key] <= 1.0
    report = Path(r["report"])
    assert report.name == "report.md" and report.parent.parent == ws.root / "labs"
    text = report.read_text(encoding="utf-8")
    assert text.startswith(f"# {emergence.TITLE}") and "## Sharpness" in text and "usual order" in text
    assert {"accuracy.png", "answer_loss.png"} <= set(linked_pngs(report))
    saved = json.loads((report.parent / "numbers.json").read_text(encoding="utf-8"))
    assert saved["exact_match"] == r["exact_match"]


def test_cancelled(ws):
    control = Control()
    seen = []

    def stream():
        for ev in labs.run("emergence", ws, labs.make_config("emergence", smallest=True), control):
            seen.append(ev)
            if isinstance(ev, Progress):
                control.cancel()  # after the first model
            yield ev

    fin = run_events(stream())[-1]
    assert fin.status == "cancelled" and fin.result["report"] is None
    assert sum(isinstance(e, Progress) for e in seen) == 1
    assert not list((ws.root / "labs").glob("emergence-*"))  # nothing half-made is left behind


def test_defaults_and_about():
    cfg = emergence.Config()
    assert len(emergence.parse_sizes(cfg.models)) >= 5 and cfg.threads == 1
    assert (
        "minutes" in emergence.ABOUT.en and "Schaeffer" in emergence.ABOUT.en and "Schaeffer" in emergence.ABOUT.zh_TW
    )


def _rows(exact, per_digit):
    return [
        {
            "params": 1000 * (i + 1),
            "n_layer": 1,
            "n_embd": 8 * (i + 1),
            "exact_match": e,
            "step_accuracy": a,
            "answer_loss": 1.0 - a,
        }
        for i, (e, a) in enumerate(zip(exact, per_digit))
    ]


def test_the_verdict_tells_the_metrics_mirage_from_a_jump_in_the_models():
    cfg = emergence.Config(digits=3)
    # measured at the defaults (usual order): per-digit climbs at every size, exact ≈ per-digit^4
    seen = emergence._analyse(_rows([0.006, 0.01, 0.435, 0.903, 1.0], [0.414, 0.533, 0.828, 0.974, 1.0]), cfg)
    assert seen["mirage"] and seen["independence_gap"] < 0.1
    # measured with reversed answers: a plateau at 50% per digit, then everything at once
    jump = emergence._analyse(_rows([0.002, 0.008, 0.009, 0.016, 1.0], [0.28, 0.50, 0.51, 0.50, 1.0]), cfg)
    assert not jump["mirage"] and jump["sharpness"]["step_accuracy"] > emergence.MIRAGE_SHARPNESS
