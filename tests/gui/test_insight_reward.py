"""The reward-diagnostics tab of the RLHF page: on the demo world with a tiny reward run, planted
judgements and a GRPO run that pads its answers, it computes; its lines hold the result's numbers, its
plots the result's points, and the red banner shows exactly while the alarm fires."""

import numpy as np

from engine.insight.reward import position_bias
from engine.io.store import Store
from engine.rlhf.prefs import PrefStore
from engine.train import reward as reward_stage
from tests.conftest import run_events

PAIR_SETS = {"max_steps": "6", "batch_size": "4", "eval_every": "3", "checkpoint_every": "3", "threads": "1"}


def _grpo_run(ws, run_id: str, length_step: float, gold_falls: bool = False):
    with Store(ws.db_path) as store:
        store.create_run(run_id, "grpo", {}, "lmdojo-cli grpo WS")
        for k in range(12):
            store.log_metrics(
                run_id,
                10 * k,
                {"val/reward": 0.2 + 0.05 * k, "val/kl": 0.002 * (k + 1) ** 2, "val/length": 40 + length_step * k}
                | ({"val/gold": 1.0 - 0.02 * (k - 4) ** 2} if gold_falls else {}),
            )


def _compute(window, qtbot, panel):
    assert panel.compute(), panel.status.text()
    before = panel.result
    qtbot.waitUntil(lambda: panel.result is not before and not window.ctx.runner.is_busy(), timeout=120_000)
    return panel.result


def test_reward_tab_shows_the_result(window, qtbot, sft_ws, one_thread):
    ws, _ = sft_ws
    run = run_events(reward_stage.run(ws, reward_stage.make_config(sets=PAIR_SETS)))[-1].result["run"]
    with PrefStore(ws.db_path) as store:  # a person who always picks the left answer
        for p in store.pairs(judge="demo")[:10]:
            c, r = p["chosen_id"], p["rejected_id"]
            store.choose(p["prompt_id"], c, r, "human:ann", shown=[c, r])
    _grpo_run(ws, "grpo-hack", 8.0)

    assert window.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(window.pages) if p.stage == "rlhf")
    window.nav.setCurrentRow(idx)
    page = window.pages[idx]
    panel = page.reward_tab
    names = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    page.tabs.setCurrentIndex(names.index("Reward diagnostics"))
    assert page.tabs.currentWidget() is panel.tab
    assert panel.isVisible() and len(panel.about.text()) > 300 and "position" in panel.about.text().lower()
    panel.pairs.setValue(0)
    assert panel.options() == {"pairs": "0"}

    r = _compute(window, qtbot, panel)
    assert r["run"] == run and panel.status.text() == ""
    acc, ln, pos = r["accuracy"], r["length"], r["position"]
    x, y = panel.val_curve.getData()
    assert list(x) == [s for s, _ in acc["val"]] and list(y) == [v for _, v in acc["val"]]
    assert len(panel.train_curve.getData()[0]) == len(acc["train"]) > 0
    sx, sy = panel.scatter.getData()
    np.testing.assert_allclose(sx, ln["lengths"])
    np.testing.assert_allclose(sy, ln["rewards"])
    assert len(sx) == ln["answers"] > 0
    assert f"{acc['final_val']:.3f}" in panel.lines["accuracy"].text() and run in panel.lines["accuracy"].text()
    text = panel.lines["length"].text()
    for key in ("spearman", "rm_accuracy", "length_baseline"):
        assert (f"{ln[key]:.3f}" if ln[key] is not None else "—") in text
    assert f"over {ln['answers']} answers" in text and f"On {ln['pairs']} held-out pairs" in text
    assert pos["n"] == pos["first_wins"] == 10 and pos["biased"] is True
    text = panel.lines["position"].text()
    assert "won 10 of 10" in text and f"{pos['low']:.3f}–1.000" in text and "biased" in text
    assert "no answer pair" in panel.lines["agreement"].text()  # one person only
    rp = r["rm_vs_people"]
    assert f"{rp['agreement']:.3f} of {rp['pairs']} pairs" in panel.lines["people"].text() and rp["pairs"] == 10
    al = r["alarm"]
    assert al["fired"] and al["run"] == "grpo-hack"
    assert panel.banner.isVisible() and f"since step {al['from_step']}" in panel.banner.text()
    assert "grpo-hack" in panel.banner.text()
    assert panel.banner.grab().toImage().pixelColor(2, 2).red() > 200  # red, really painted

    _grpo_run(ws, "grpo-healthy", 0.0)  # the newer run keeps its length: the banner goes
    r = _compute(window, qtbot, panel)
    assert r["alarm"]["run"] == "grpo-healthy" and r["alarm"]["fired"] is False
    assert not panel.banner.isVisible() and "quiet in grpo-healthy" in panel.lines["alarm"].text()

    _grpo_run(ws, "grpo-proxy", 0.0, gold_falls=True)  # against a proxy: the gold peaks at step 40, then falls
    r = _compute(window, qtbot, panel)
    oo = r["alarm"]["overoptimisation"]
    assert oo["fired"] and oo["gold_peak_step"] == 40
    assert panel.banner.isVisible() and "Over-optimisation" in panel.banner.text() and "step 40" in panel.banner.text()


def test_reward_tab_says_to_train_a_reward_model_first(window, qtbot, ws):
    assert window.open_workspace(str(ws.root))
    page = next(p for p in window.pages if p.stage == "rlhf")
    panel = page.reward_tab
    assert panel.compute()
    qtbot.waitUntil(
        lambda: not window.ctx.runner.is_busy() and "lmdojo-cli reward" in panel.status.text(), timeout=60_000
    )
    assert panel.result is None and not panel.banner.isVisible()


def test_compare_page_records_the_order_answers_were_shown_in(window, qtbot, sft_ws):
    from PySide6.QtCore import Qt

    ws, _ = sft_ws
    assert window.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(window.pages) if p.stage == "compare")
    window.nav.setCurrentRow(idx)
    page = window.pages[idx]
    page.refresh()
    page.decoding.editor("max_new_tokens").setValue(8)
    page.blind.setChecked(True)  # shuffled columns: the left answer is not always the first run's
    page.prompt_edit.setPlainText("Where was Mara Quinn born?")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.session.result is not None, timeout=60_000)
    session = page.session
    left_to_right = [session.result["answers"][session.slot_column[s]]["response_id"] for s in range(2)]
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_2)  # the right-hand answer is better
    qtbot.mouseClick(page.views[1].down, Qt.MouseButton.LeftButton)
    with PrefStore(ws.db_path) as prefs:
        thumb, pair = prefs.list_judgements()
        bias = position_bias(prefs.list_judgements())
    assert pair["kind"] == "pair" and pair["shown"] == left_to_right and pair["ranking"] == left_to_right[::-1]
    assert thumb["kind"] == "thumb" and thumb["shown"] == left_to_right and thumb["response_id"] == left_to_right[1]
    assert (bias["n"], bias["first_wins"]) == (1, 0)  # the second-shown answer won
