"""The tokenizer page asks before replacing a tokenizer that runs were trained with (issue 19, item 8)."""

from PySide6.QtCore import Qt

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.tokenizer import tokenizer_hash
from engine.train import pretrain
from tests.conftest import TINY, run_events


def test_retraining_a_used_tokenizer_asks_first(window, qtbot, tmp_path, monkeypatch):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    ws = win.ctx.ws
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512)))
    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "tokenizer")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    before = tokenizer_hash(ws.tokenizer_path)
    asked = []
    monkeypatch.setattr(page, "confirm_replace", lambda n: asked.append(n) or False)
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    assert asked == [1] and not win.ctx.runner.is_busy() and tokenizer_hash(ws.tokenizer_path) == before
    page.form.editor("vocab_size").setValue(600)
    monkeypatch.setattr(page, "confirm_replace", lambda n: asked.append(n) or True)
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=60_000)
    assert asked == [1, 1] and tokenizer_hash(ws.tokenizer_path) != before
