"""The RLHF page: the demo preferences go into the store, and DPO runs on them from the SFT run."""

from PySide6.QtCore import Qt

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.io.store import Store
from engine.rlhf.prefs import PrefStore
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events


def test_rlhf_page_runs_dpo_on_the_demo_preferences(window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    ws = win.ctx.ws
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512)))
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    base = run_events(
        sft.run(ws, sft.make_config(sets={"max_steps": "6", "batch_size": "4", "sample_every": "0", "threads": "1"}))
    )[-1].result
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "rlhf")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    assert page.judgements.rowCount() == 0
    demo_pairs = len((ws.data_dir / "prefs" / "train.jsonl").read_text(encoding="utf-8").splitlines())
    assert f"Training imports the demo world's {demo_pairs} preference pairs first" in page.counts_label.text()

    # the demo preferences, imported off the GUI thread, show up in the counts and the table
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.judgements.rowCount() > 0, timeout=30_000)
    with PrefStore(ws.db_path) as store:
        pairs = store.counts()["pairs"]
    assert pairs > 100 and f"→ {pairs} training pairs" in page.counts_label.text()

    # DPO, from the latest SFT run
    assert page.method_key() == "dpo"
    form = page.forms["dpo"]
    form.editor("max_steps").setValue(6)
    form.editor("eval_every").setValue(3)
    form.editor("batch_size").setValue(4)
    assert form.config is not None, form.error
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    assert not form.isEnabled()  # the running job read its settings at the start: none can be edited now
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=120_000)
    qtbot.waitUntil(form.isEnabled, timeout=5_000)
    assert page.plot.point_count("rewards/margin") == 6 and page.plot.point_count("val/kl") >= 2
    assert page.plot.extra_key() == "rewards/margin"  # the margin graph, live
    with Store(ws.db_path) as store:
        run = store.runs("dpo")[-1]
    assert run["status"] == "done" and run["parent"] == base["checkpoint"]
    assert page.run_list.table.rowCount() == 1 and page.run_list.table.item(0, 0).text() == run["id"]
    assert win.statuses["rlhf"] == "done"
    # picking the run replays every series, the margin in the lower graph
    page.plot.clear()
    page.run_list.table.selectRow(0)
    assert page.plot.point_count("rewards/margin") == 6 and page.plot.extra_key() == "rewards/margin"

    # switching method shows that method's settings and runs
    page.method.setCurrentIndex(page.method.findData("grpo"))
    assert page.form_stack.currentWidget() is page.forms["grpo"] and page.run_list.table.rowCount() == 0
    page.method.setCurrentIndex(page.method.findData("ppo"))
    assert page.form_stack.currentWidget() is page.forms["ppo"] and page.forms["ppo"].config.ppo_epochs == 2
    assert page.plot.partner_series() is None and page.plot._partners["rl/reward"][0] == "rl/gold"

    # candidates to rank: answers from the SFT run, stored with their run
    page.sample(n=2, limit=3)
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=60_000)
    with PrefStore(ws.db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM responses WHERE run_id = ?", (base["run"],)).fetchone()[0] == 6
    assert "ready to rank" in page.counts_label.text()
