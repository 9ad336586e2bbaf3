"""The alignment-tax and timeline tabs of the compare page: each computes on a workspace after a tiny
pretrain + SFT, the tax table holds the result's numbers, and the timeline's slider moves through the
checkpoints, marking exactly the text the diff says was inserted (and struck the deleted text)."""

import re

from PySide6.QtCore import Qt

from gui.insight.tax import MEASURES, cell_text
from gui.insight.timeline import INSERT_BG
from tests.conftest import run_events
from tests.gui.text_fragments import background, fragments


def _compare_page(win, ws):
    assert win.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "compare")
    win.nav.setCurrentRow(idx)
    return win.pages[idx]


def _compute(qtbot, panel):
    with qtbot.waitSignal(panel.computed, timeout=120_000):
        assert panel.compute(), panel.status.text()
    assert panel.result is not None
    return panel.result


def test_tax_tab_shows_the_result(window, qtbot, sft_ws):
    ws, sft_result = sft_ws
    page = _compare_page(window, ws)
    panel = page.tax_tab
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "Alignment tax" in tabs and "Timeline" in tabs
    page.tabs.setCurrentWidget(panel.tab)
    assert page.tabs.currentWidget() is panel.tab
    assert "KL" in panel.about.text() and "perplexity" in panel.about.text().lower()
    panel.questions.setValue(5)
    panel.batches.setValue(2)
    r = _compute(qtbot, panel)
    assert [s["stage"] for s in r["stages"]] == ["pretrain", "sft"] and r["questions"] == 5
    t = panel.table
    assert t.rowCount() == 2
    for row, s in enumerate(r["stages"]):
        assert t.item(row, panel.columns.index("run")).text() == s["run"]
        assert t.item(row, panel.columns.index("stage")).text() == s["stage"]
        for key in MEASURES:
            item = t.item(row, panel.columns.index(key))
            assert item.data(Qt.ItemDataRole.UserRole) == s[key]
            assert item.text() == cell_text(key, s[key])
    assert t.item(0, panel.columns.index("kl")).text() == "0.0000"
    for key in MEASURES:
        assert list(panel.bars[key].opts["height"]) == [s[key] for s in r["stages"]]
    assert r["reference"] in panel.status.text()


def _inserted_and_struck(browser):
    """The text of the view's fragments drawn on the insertion colour, and of those struck through."""
    runs = fragments(browser)
    return (
        [text for text, fmt in runs if background(fmt) == INSERT_BG],
        [text for text, fmt in runs if fmt.fontStrikeOut()],
    )


def _squash(texts):
    return re.sub(r"\s", "", "".join(texts))


def test_timeline_tab_scrubs_the_checkpoints(window, qtbot, sft_ws):
    from engine.train import sft

    ws, _ = sft_ws
    # a second SFT run from the first one's base, with checkpoints at 10 and 20: more frames to scrub
    run_events(
        sft.run(
            ws,
            sft.make_config(
                sets={
                    "max_steps": "20",
                    "batch_size": "8",
                    "eval_every": "20",
                    "sample_every": "0",
                    "checkpoint_every": "10",
                    "threads": "1",
                    "lr": "3e-3",
                }
            ),
        )
    )
    page = _compare_page(window, ws)
    panel = page.timeline_tab
    page.tabs.setCurrentWidget(panel.tab)
    assert page.tabs.currentWidget() is panel.tab
    assert "slider" in panel.about.text()
    assert not panel.slider.isEnabled()
    panel.count.setValue(4)
    panel.tokens.setValue(8)
    r = _compute(qtbot, panel)
    frames = r["frames"]
    assert [f["stage"] for f in frames] == ["pretrain", "sft", "sft"] and [f["step"] for f in frames[1:]] == [10, 20]
    assert panel.slider.isEnabled() and panel.slider.maximum() == len(frames) - 1 and panel.slider.value() == 0
    f0 = frames[0]
    assert panel.frame_label.text().startswith(f"{f0['run']} · pretrain · step {f0['step']}")
    assert _inserted_and_struck(panel.view) == ([], [])  # the first checkpoint has nothing to compare with
    shown = panel.view.toPlainText()
    for prompt in r["prompts"]:
        assert prompt in shown
    for k in range(1, len(frames)):
        panel.slider.setValue(k)
        f = frames[k]
        assert panel.frame_label.text().startswith(f"{f['run']} · {f['stage']} · step {f['step']}")
        inserted, struck = _inserted_and_struck(panel.view)
        assert _squash(inserted) == _squash(t for d in f["diffs"] for op, t in d if op == "insert")
        assert _squash(struck) == _squash(t for d in f["diffs"] for op, t in d if op == "delete")
        shown = panel.view.toPlainText()
        assert all(re.sub(r"\s", "", a) in re.sub(r"\s", "", shown) for a in f["answers"])
    assert any(any(f["changed"]) for f in frames[1:])  # pretraining to SFT changes some answer
    panel.slider.setValue(0)
    assert panel.frame_label.text().startswith(f"{f0['run']} · pretrain")
