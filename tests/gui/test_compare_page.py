"""The compare page: two demo checkpoints answer side by side (blind), a key press ranks them, the
judgement is in the store with the right run ids, undo takes it back, and a queue resumes."""

from PySide6.QtCore import Qt

from engine.compare.arena import Queues
from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.rlhf.prefs import PrefStore
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events


def _two_checkpoints(win, tmp_path):
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    ws = win.ctx.ws
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512)))
    pre = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    tuned = run_events(
        sft.run(ws, sft.make_config(sets={"max_steps": "6", "batch_size": "4", "sample_every": "0", "threads": "1"}))
    )
    return ws, pre[-1].result["run"], tuned[-1].result["run"]


def _open_page(win):
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "compare")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    page.refresh()
    page.decoding.editor("max_new_tokens").setValue(12)
    return page


def _run_of(ws, response_id):
    with PrefStore(ws.db_path) as prefs:
        return prefs.conn.execute("SELECT run_id FROM responses WHERE id = ?", (response_id,)).fetchone()[0]


def test_rank_two_checkpoints_blind_and_undo(window, qtbot, tmp_path):
    win = window
    ws, pre, tuned = _two_checkpoints(win, tmp_path)
    page = _open_page(win)
    # a fresh page puts the base and the fine-tuned model side by side
    assert [page.run_boxes[k].currentData() for k in range(2)] == [pre, tuned]
    # before any answer the ranking buttons say what they will do, disabled
    assert [b.text() for b in page.better_buttons] == ["A is better (1)", "B is better (2)"]
    assert not page.better_buttons[0].isEnabled()
    page.blind.setChecked(True)
    page.prompt_edit.setPlainText("Where was Mara Quinn born?")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.session.result is not None, timeout=60_000)

    # tokens streamed into both columns; blind: no run is named until the ranking
    for slot in range(2):
        answer = page.session.result["answers"][page.session.slot_column[slot]]
        assert page.views[slot].tokens and page.views[slot].text().strip() == answer["text"]
        assert pre not in page.views[slot].header_text() and tuned not in page.views[slot].header_text()
    assert page.better_buttons[0].isEnabled() and page.tie_button.isEnabled()

    # key 2: answer B is better -> a pair in the store, B's run chosen over A's
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_2)
    with PrefStore(ws.db_path) as prefs:
        (pair,) = prefs.pairs(include_ties=True)
    winner, loser = page.session.refs[page.session.slot_column[1]], page.session.refs[page.session.slot_column[0]]
    assert (_run_of(ws, pair["chosen_id"]), _run_of(ws, pair["rejected_id"])) == (winner, loser)
    assert pair["judge"].startswith("human") and not pair["tie"]
    assert win.statuses["compare"] == "done"  # someone has judged here
    assert winner in page.views[1].header_text() and loser in page.views[0].header_text()  # revealed
    assert f"#{pair['judgement_id']}" in page.saved_label.text()
    assert page.leaderboard.table.rowCount() == 2
    assert page.leaderboard.table.item(0, 0).text() == winner  # one win is enough to lead
    assert "needs 4 more" in page.leaderboard.table.item(0, 2).text()  # but not for an interval

    # undo: the judgement is gone from the pairs (kept as deleted), and the answers can be ranked again
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with PrefStore(ws.db_path) as prefs:
        assert prefs.pairs(include_ties=True) == []
    assert page.leaderboard.table.rowCount() == 0 and page.tie_button.isEnabled()
    qtbot.mouseClick(page.tie_button, Qt.MouseButton.LeftButton)
    with PrefStore(ws.db_path) as prefs:
        (pair,) = prefs.pairs(include_ties=True)
    assert pair["tie"]

    # thumbs per answer
    qtbot.mouseClick(page.views[0].up, Qt.MouseButton.LeftButton)
    with PrefStore(ws.db_path) as prefs:
        (thumb,) = prefs.thumbs()
    assert thumb["thumb"] == 1 and thumb["response_id"] == page.session.response_id(0)


def test_a_queue_is_ranked_prompt_by_prompt_and_resumes(window, qtbot, tmp_path):
    win = window
    ws, pre, tuned = _two_checkpoints(win, tmp_path)
    page = _open_page(win)
    page.set_prompts([[{"role": "user", "content": t}] for t in ("Hello!", "Who are you?", "你好！")])
    page.count.setValue(2)
    qtbot.mouseClick(page.queue_tab.new_button, Qt.MouseButton.LeftButton)
    assert page.session.queue is not None and page.session.queue.position == 0
    page.setFocus()
    for k in range(2):
        qtbot.keyClick(page, Qt.Key.Key_Space)  # generate the queue's next prompt
        qtbot.waitUntil(lambda: page.session.result is not None and not win.ctx.runner.is_busy(), timeout=60_000)
        assert page.prompt_edit.toPlainText() == ("Hello!", "Who are you?")[k]
        qtbot.keyClick(page, Qt.Key.Key_1)
        assert page.session.queue.position == k + 1 and page.queue_tab.progress.value() == k + 1
    with Queues(ws) as queues:  # another day: the queue knows where it stopped
        (q,) = queues.list()
        assert q.position == 2 and q.current()[-1]["content"] == "你好！"
    with PrefStore(ws.db_path) as prefs:
        assert [j["kind"] for j in prefs.list_judgements()] == ["pair", "pair"]  # two answers: a pair each
