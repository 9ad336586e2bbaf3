"""The guided first run: from the start screen's button through every stage's page to Compare,
at the smallest budgets; stopped midway, the same button resumes it."""

from PySide6.QtCore import Qt

from engine.train.status import DONE, stage_status

SMALLEST = {"smallest": "true", "threads": "1"}


def test_the_whole_story_from_the_start_screen(window, qtbot, tmp_path, monkeypatch):
    win = window
    shown = []
    win.story_bar.chapter_started.connect(shown.append)
    path = str(tmp_path / "LM Dojo story")
    # the button runs the default budget in the documents folder; the test gives its own folder and sizes
    monkeypatch.setattr(win, "start_story", lambda: type(win).start_story(win, path, SMALLEST))
    win.start_page.story_requested.disconnect()
    win.start_page.story_requested.connect(win.start_story)
    assert win.start_page.story_button.text() == "Run the whole story (about 15 minutes)"
    qtbot.mouseClick(win.start_page.story_button, Qt.MouseButton.LeftButton)
    assert win.story_bar.isVisible() and win.ctx.ws is not None and str(win.ctx.ws.root) == path

    # each chapter shows its page, with the lecture's point above it
    qtbot.waitUntil(lambda: "pretrain" in shown, timeout=60_000)
    assert win.pages[win.nav.currentRow()].stage == "pretrain"
    assert "3 of 5" in win.story_bar.title.text() and "Next-token prediction" in win.story_bar.intro.text()
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=180_000)
    assert shown == ["data", "tokenizer", "pretrain", "sft", "rlhf"]
    assert "story is told" in win.story_bar.title.text()
    assert win.pages[win.nav.currentRow()].stage == "compare"  # the last evidence: the user's own ranking
    pretrain_page = next(p for p in win.pages if p.stage == "pretrain")
    assert pretrain_page.plot.point_count("train/loss") == 10  # its curve filled while it trained
    assert all(stage_status(win.ctx.ws)[p] == DONE for p in ("data", "tokenizer", "pretrain", "sft", "rlhf"))


def test_a_stopped_story_resumes_where_it_stopped(window, qtbot, tmp_path):
    win = window
    path = str(tmp_path / "story")
    shown = []
    win.story_bar.chapter_started.connect(shown.append)
    assert win.start_story(path, SMALLEST)
    qtbot.waitUntil(lambda: "pretrain" in shown, timeout=60_000)
    qtbot.mouseClick(win.story_bar.panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=60_000)
    assert "resume" in win.story_bar.intro.text()
    left = [p for p in ("pretrain", "sft", "rlhf") if stage_status(win.ctx.ws)[p] != DONE]
    assert left  # (a chapter of the smallest story takes a second: which one the stop caught may vary)
    shown.clear()
    assert win.start_story(path, SMALLEST)  # the story's folder exists: opened and resumed
    qtbot.waitUntil(lambda: not win.ctx.runner.is_busy(), timeout=180_000)
    assert shown == left  # what was done (data and tokenizer at least) was not run again
    assert all(stage_status(win.ctx.ws)[p] == DONE for p in ("pretrain", "sft", "rlhf"))
