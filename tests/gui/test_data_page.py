"""The Data page cleans the polluted demo and shows the funnel, the reasons and examples."""

from PySide6.QtCore import Qt


def test_data_page_cleans_the_polluted_demo(window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    page = win.pages[0]
    assert page.stage == "data" and win.nav.currentRow() == 0
    assert page.sources.count() == 1 and page.sources.item(0).text().endswith("raw")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "would drop" in page.preview_label.text(), timeout=30_000)
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=120_000)
    rows = page.funnel.rows()
    assert rows[0]["step"] == "input" and rows[-1]["step"] == "output"
    assert rows[-1]["documents"] < rows[0]["documents"]
    assert page.reasons.rowCount() >= 3
    assert page.examples.toPlainText().strip()  # the first reason's examples are shown
    assert win.statuses["data"] == "done"
    assert win.ctx.ws.training_corpus() == win.ctx.ws.clean_dir
