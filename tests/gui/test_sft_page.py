"""The SFT page fine-tunes the demo pretrain checkpoint and shows the answers as they change."""

from PySide6.QtCore import Qt

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.io.store import Store
from engine.train import pretrain
from tests.conftest import TINY, run_events


def test_sft_page_runs_a_demo_sft(window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    ws = win.ctx.ws
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512)))
    base = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "64"})))
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "sft")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    assert "<|assistant|>" in page.preview_trained_text()  # the template preview shows the rendered chat
    # Chinese whose characters the 512-token vocabulary splits into byte tokens: whole characters, no U+FFFD
    zh = tmp_path / "zh.jsonl"
    zh.write_text(
        '{"messages": [{"role": "user", "content": "你是誰？"}, {"role": "assistant", "content": "我是 Dojo，鱷魚龜。"}]}\n',
        encoding="utf-8",
    )
    qtbot.keyClicks(page.form.editor("data"), str(zh))  # typed, as a person would
    qtbot.waitUntil(lambda: "鱷魚龜" in page.preview_trained_text(), timeout=5_000)
    assert "\ufffd" not in page.preview_trained_text() and "你是誰" in page.preview_trained_text()
    page.form.editor("data").selectAll()
    qtbot.keyClick(page.form.editor("data"), Qt.Key.Key_Backspace)
    assert "<|assistant|>" in page.preview_trained_text() and "鱷魚龜" not in page.preview_trained_text()
    # what the base model knows before fine-tuning: its last memorisation measurement, named
    page.refresh()
    with Store(ws.db_path) as store:
        share = store.metrics(base[-1].result["run"], "val/memorised")[-1][1]
    assert page.knows.isVisibleTo(page) and base[-1].result["run"] in page.knows.text()
    assert f"{share:.0%}" in page.knows.text()
    qtbot.keyClicks(page.form.editor("base"), "no-such-run")  # typed: a run that is not there knows nothing
    assert not page.knows.isVisibleTo(page)
    page.form.editor("base").selectAll()
    qtbot.keyClick(page.form.editor("base"), Qt.Key.Key_Backspace)
    assert page.knows.isVisibleTo(page)
    page.form.editor("max_steps").setValue(8)
    page.form.editor("eval_every").setValue(4)
    page.form.editor("sample_every").setValue(4)
    page.form.editor("eval_prompts").setValue(2)
    assert page.form.config is not None, page.form.error
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=120_000)
    assert page.plot.point_count("train/loss") == 8 and page.plot.point_count("val/loss") >= 2
    assert page.answers.rowCount() == 4  # two prompts at steps 4 and 8, newest first
    assert page.answers.item(0, 0).text() == "8"
    assert win.statuses["sft"] == "done"

    # the runs table shows the run and its lineage (the pretraining checkpoint it started from)
    table = page.run_list.table
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    sft_run = table.item(0, 0).text()
    assert table.item(0, 1).data(Qt.ItemDataRole.UserRole) == "done"
    assert table.item(0, 4).text() == f"{base[-1].result['run']} @ step 10"
    # picking a past run shows its curves and answers
    page.plot.clear()
    page.answers.setRowCount(0)
    table.selectRow(0)
    assert page.plot.point_count("train/loss") == 8 and page.answers.rowCount() == 4
    # ... and resuming it with a bigger budget (the form's) continues the same run
    page.form.editor("max_steps").setValue(12)
    qtbot.mouseClick(page.run_list.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=120_000)
    assert table.rowCount() == 1 and table.item(0, 0).text() == sft_run and table.item(0, 2).text() == "12"
