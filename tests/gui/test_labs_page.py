"""The Labs page lists the labs with their explanations, runs one with the form's settings and
shows its report with the plot."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine import labs
from engine.labs.report import cjk_font
from gui.settings import LANGUAGE_PROPERTY


@pytest.fixture
def fake_lab(monkeypatch):
    monkeypatch.setitem(labs.LABS, "fake", "tests.gui.fake_lab")


def test_labs_page_runs_a_lab_and_shows_its_report(fake_lab, window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "labs")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    names = [page.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.list.count())]
    assert names[:6] == list(labs.LABS)[:6] and "fake" in names
    page.select_lab("chinchilla")
    assert "20" in page.about.text()  # every real lab has its paragraph
    page.select_lab("fake")
    assert page.viewer.toPlainText().startswith("No report yet")
    page.quick_button.click()
    assert page.form.config.points == 3
    page.form.editor("points").setValue(5)
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.panel.state == "done", timeout=60_000)
    assert page.reports.count() == 1
    assert "5 points on a line." in page.viewer.toPlainText()
    # the plot is in the document, loaded from the report's folder
    html = page.viewer.toHtml()
    assert "line.png" in html
    image = page.viewer.document().resource(3, page.viewer.document().baseUrl().resolved("line.png"))
    assert image is not None and not image.isNull()
    assert win.statuses["labs"] == "done"
    # an app that speaks Chinese shows the Chinese report of the same run, with its own plot
    QApplication.instance().setProperty(LANGUAGE_PROPERTY, "zh_TW")
    page.refresh()
    assert "一條線上的 5 個點" in page.viewer.toPlainText()
    # its own plot where a Chinese font is installed; else the English one (never boxes)
    assert ("line.zh_TW.png" if cjk_font() else "(line.png)") in page.viewer.toMarkdown()


def test_labs_page_runs_the_chinchilla_lab_at_its_smallest(window, qtbot, tmp_path):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "labs")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    assert all(page.list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled for i in range(page.list.count()))
    page.select_lab("chinchilla")
    page.quick_button.click()
    qtbot.mouseClick(page.panel.start_button, Qt.MouseButton.LeftButton)
    assert page.form.config is not None, page.form.error
    qtbot.waitUntil(lambda: page.panel.state in ("done", "failed"), timeout=120_000)
    assert page.panel.state == "done", page.panel.log.toPlainText()[-2000:]
    html = page.viewer.toHtml()
    assert "isoflop.png" in html
    doc = page.viewer.document()
    assert not doc.resource(3, doc.baseUrl().resolved("isoflop.png")).isNull()
