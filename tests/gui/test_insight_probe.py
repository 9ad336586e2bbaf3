"""The memorisation and contamination tab of the data page: on the demo workspace after a tiny
pretraining run and with one SFT example planted verbatim in the corpus, it computes, its tables
hold exactly the result's rows, the planted item is the first flagged row, and the detail view marks
exactly the shared span."""

from PySide6.QtCore import Qt

from gui.insight.probe import MARK_BG, ProbePanel, marked
from tests.conftest import TINY, run_events
from tests.engine.test_insight_probe import plant_duplicate
from tests.gui.text_fragments import background, fragments


def _marked_text(browser) -> list[str]:
    """The text of the view's fragments drawn on the marker colour."""
    return [text for text, fmt in fragments(browser) if background(fmt) == MARK_BG]


def test_marked_by_hand():
    assert marked("a<b>c", 1, 3) == f'a<span style="background-color:{MARK_BG}; color:#000">&lt;b&gt;</span>c'
    assert marked("abc", -1, 2) == "abc"


def test_probe_tab_shows_the_result(window, qtbot, ws):
    from engine.train import pretrain

    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    item, doc_id = plant_duplicate(ws)  # after training: the same tokenizer, so the model still fits
    assert window.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(window.pages) if p.stage == "data")
    window.nav.setCurrentRow(idx)
    page = window.pages[idx]
    panel = page.probe_panel
    assert isinstance(panel, ProbePanel)
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert tabs == ["Cleaning", "Memorisation and contamination"]
    page.tabs.setCurrentWidget(panel.tab)
    assert page.tabs.currentWidget() is panel.tab
    about = panel.about.text()
    assert "exact-continuation rate" in about and "verbatim" in about and "n-grams" in about
    panel.docs.setValue(8)
    with qtbot.waitSignal(panel.computed, timeout=120_000):
        assert panel.compute(), panel.status.text()
    r = panel.result
    m, c = r["memorisation"], r["contamination"]
    assert r["run"] == run[-1].result["run"] and m["docs"] == 8 and c["ngram"] == 8

    assert f"{m['train_exact_rate']:.1%}" in panel.rates.text() and r["run"] in panel.rates.text()
    assert f"{c['flagged_total']} of {c['items_checked']} items flagged" in panel.sets.text()
    t = panel.memorised
    assert t.rowCount() == len(m["examples"]) == 8
    for row, e in enumerate(m["examples"]):
        assert t.item(row, 0).text() == e["id"]
        assert t.item(row, 1).text() == f"{e['matched']}/{e['suffix']}"
        assert t.item(row, 1).data(Qt.ItemDataRole.UserRole) == e["matched"]
    f = panel.flagged
    assert f.rowCount() == len(c["flagged"]) == 20
    for row, it in enumerate(c["flagged"]):
        assert [f.item(row, k).text() for k in range(4)] == [it["set"], it["id"], f"{it['overlap']:.2f}", it["doc_id"]]
        assert f.item(row, 2).data(Qt.ItemDataRole.UserRole) == it["overlap"]
    assert [f.item(0, k).text() for k in range(4)] == ["sft", item, "1.00", doc_id]

    # the first flagged row is selected: the detail view shows the item with the shared span marked
    top = c["flagged"][0]
    assert f.selectionModel().selectedRows()[0].row() == 0
    assert _marked_text(panel.detail) == [top["span"]]
    assert doc_id in panel.detail.toPlainText()
    f.selectRow(3)
    assert _marked_text(panel.detail) == ([c["flagged"][3]["span"]] if c["flagged"][3]["span_start"] >= 0 else [])
    panel.memorised.selectRow(0)
    e = m["examples"][0]
    assert e["prompt"].strip()[:20] in panel.detail.toPlainText()
    assert f"reproduced {e['matched']} of the {e['suffix']} tokens" in panel.detail.toPlainText()
