"""The path a person clicks: demo world → Tokenizer → Pretrain (tiny), watching it learn; Stop works."""

from PySide6.QtCore import Qt

from engine import checkpoint as ckpt
from engine.io.store import Store
from engine.train.status import undertrained

TINY = {"n_layer": 2, "n_head": 2, "n_embd": 32, "block_size": 32, "batch_size": 4}


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def set_form(form, **values):
    for name, value in values.items():
        w = form.editor(name)
        if hasattr(w, "setValue"):
            w.setValue(int(value))
        else:
            w.setText(str(value))
            w.textEdited.emit(str(value))
    assert form.error is None, form.error


def test_start_screen_then_demo_tokenizer_pretrain_and_stop(window, qtbot, tmp_path):
    win = window
    assert win.stack.currentWidget() is win.start_page
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    assert win.stack.currentWidget() is win.wizard
    assert str(tmp_path / "ws") in win.ctx.settings.recent()

    # The wizard opens on the first stage that is not done: Data (the corpus is not cleaned yet).
    assert win.pages[win.nav.currentRow()].stage == "data"
    click(qtbot, win.next_button)  # the tokenizer can read the demo's clean corpus as it is
    tok_page = win.pages[win.nav.currentRow()]
    assert tok_page.stage == "tokenizer"
    # Next waits for what the next stage needs, and the hint says what that is
    assert not win.next_button.isEnabled() and "tokenizer" in win.hint.text().lower()
    set_form(tok_page.form, vocab_size=512)
    click(qtbot, tok_page.panel.start_button)
    qtbot.waitUntil(lambda: tok_page.panel.state == "done", timeout=60_000)
    assert win.statuses["tokenizer"] == "done"
    assert "characters per token" in tok_page.result.text()
    assert tok_page.view.pieces()  # the try-it box shows tokens

    # Pretrain (tiny), through the Next button
    click(qtbot, win.next_button)
    page = win.pages[win.nav.currentRow()]
    assert page.stage == "pretrain"
    set_form(
        page.form,
        **TINY,
        max_minutes="0",
        max_steps="60",
        eval_every=10,
        sample_every=20,
        checkpoint_every=50,
        warmup_steps=5,
    )
    assert "parameters" in page.estimate_label.text()
    click(qtbot, page.panel.start_button)
    assert not page.panel.start_button.isEnabled()  # one job at a time
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=120_000)
    assert win.statuses["pretrain"] == "done"
    assert win.next_button.isEnabled()  # to SFT; a run this short is said to be too short to build on
    u = undertrained(win.ctx.ws)
    assert ("too short" in win.hint.text()) == (u is not None), win.hint.text()
    qtbot.waitUntil(lambda: page.plot.repaint_count > 0, timeout=5_000)
    steps, losses = page.plot.series("train/loss")
    assert len(steps) == 60 and losses[-10:].mean() < losses[:5].mean() - 0.5  # the loss fell
    assert page.plot.point_count("val/loss") >= 6
    assert len(page.samples.items()) >= 2
    with Store(win.ctx.ws.db_path) as store:
        run = store.runs("pretrain")[-1]
    assert ckpt.list_checkpoints(win.ctx.ws.run_dir(run["id"]) / "checkpoints")
    assert (
        page.run_list.table.rowCount() == 1 and page.run_list.table.item(0, 1).data(Qt.ItemDataRole.UserRole) == "done"
    )

    # Stop mid-run: honoured within a step, with a checkpoint
    set_form(page.form, max_steps="1000000")
    click(qtbot, page.panel.start_button)
    qtbot.waitUntil(lambda: page.plot.point_count("train/loss") >= 5, timeout=60_000)
    click(qtbot, page.panel.stop_button)
    assert "Stopping" in page.panel.status.text() and not page.panel.stop_button.isEnabled()  # said at once
    qtbot.waitUntil(lambda: page.panel.state == "cancelled", timeout=30_000)
    assert page.panel.start_button.isEnabled()
    with Store(win.ctx.ws.db_path) as store:
        run = store.runs("pretrain")[-1]
    assert run["status"] == "cancelled"
    saved = ckpt.list_checkpoints(win.ctx.ws.run_dir(run["id"]) / "checkpoints")
    assert saved and ckpt.read_meta(saved[-1])["step"] >= 5

    # ... and the interrupted run can be resumed from the runs table
    page.run_list.table.selectRow(0)
    assert page.run_list.table.item(0, 0).text() == run["id"]
    click(qtbot, page.run_list.resume_button)
    qtbot.waitUntil(lambda: page.panel.state == "running", timeout=10_000)
    click(qtbot, page.panel.stop_button)
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=30_000)


def test_job_errors_reach_the_page_and_the_app_survives(window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=False)
    win.nav.setCurrentRow(2)
    page = win.pages[2]
    set_form(page.form, max_steps="5")
    click(qtbot, page.panel.start_button)
    qtbot.waitUntil(lambda: page.panel.state == "failed", timeout=10_000)
    assert page.panel.error.isVisible() and "tokenize" in page.panel.error.text()
    assert page.panel.start_button.isEnabled()
    assert "tokenizer" in win.hint.text().lower() or win.statuses["pretrain"] in ("failed", "not started")


def test_bad_config_is_shown_next_to_the_field(window, qtbot, tmp_path):
    win = window
    win.create_workspace(str(tmp_path / "ws"), demo=True)
    page = win.pages[2]
    page.form.editor("n_head").setValue(3)
    # the form names the fields by their labels, as the person sees them; the engine's message keeps its keys
    assert "divisible by n_head" in page.form.error
    assert page.form.message.text() == "Width (128) must be a multiple of Attention heads (3)"
    assert "n_head" not in page.form.message.text() and "n_embd" not in page.form.message.text()
    assert page.form.config is None
    page.form.editor("n_head").setValue(4)
    assert page.form.message.text() == "" and page.form.config is not None


def test_open_bad_folder_says_why(window, tmp_path):
    (tmp_path / "plain").mkdir()
    assert not window.open_workspace(str(tmp_path / "plain"))
    assert "not an LM Dojo workspace" in window.start_page.error.text()


def test_closing_while_training_asks_then_stops_with_a_checkpoint(window, qtbot, tmp_path):
    win = window
    win.create_workspace(str(tmp_path / "ws"), demo=True)
    tok_page = win.pages[1]
    set_form(tok_page.form, vocab_size=400)
    click(qtbot, tok_page.panel.start_button)
    qtbot.waitUntil(lambda: tok_page.panel.state == "done", timeout=60_000)
    page = win.pages[2]
    win.nav.setCurrentRow(2)
    set_form(page.form, **TINY, max_minutes="0", max_steps="1000000", checkpoint_every=100000)
    click(qtbot, page.panel.start_button)
    qtbot.waitUntil(lambda: page.plot.point_count("train/loss") >= 3, timeout=60_000)
    asked = []
    win.confirm = lambda text: asked.append(text) or True
    win.close()
    assert asked and win.isVisible()  # still open until the job has stopped
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=30_000)
    with Store(win.ctx.ws.db_path) as store:
        run = store.runs("pretrain")[-1]
    assert ckpt.list_checkpoints(win.ctx.ws.run_dir(run["id"]) / "checkpoints")


def test_next_waits_for_what_the_next_stage_needs(window, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    stages = [p.stage for p in win.pages]
    expect = {  # the page shown -> (Next enabled, a word of the hint); a fresh demo world has no runs
        "data": (True, "tokenizer"),
        "tokenizer": (False, "tokenizer"),
        "pretrain": (False, "pretrain"),
        "sft": (False, "SFT"),
        "rlhf": (False, "pretrain"),
        "compare": (True, "Labs"),
    }
    for stage, (enabled, word) in expect.items():
        win.nav.setCurrentRow(stages.index(stage))
        assert win.next_button.isEnabled() == enabled, stage
        assert word in win.hint.text(), (stage, win.hint.text())
    win.nav.setCurrentRow(stages.index("sft"))  # the stage list still opens a page Next would not
    assert win.pages[win.nav.currentRow()].stage == "sft"
