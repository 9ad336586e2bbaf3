"""The screenshot tool's clipping check finds what a person would see cut (a header squeezed letter by
letter, a word or special token broken at a line end, a panel scrolling sideways), and the fixes hold:
report tables keep their words whole, a settings column is never narrower than its fields."""

from PySide6.QtWidgets import QLineEdit, QScrollArea, QSplitter, QTableWidget, QTextBrowser, QVBoxLayout, QWidget

from gui.pages.base import SettingsScroll
from gui.screenshots import _broken_words, clipped_widgets
from gui.widgets.tables_in_text import fit_tables

WIDE_TABLE = (
    "| contender | run | mean score | ends | right_fact | refuses_harmless | refuses_unsafe | end rate |\n"
    "|---|---|---|---|---|---|---|---|\n"
    "| base + decoding | pretrain-20261203-071228 | -1.25 | -0.25 | 0 | 0 | -0.25 | 0.375 |\n"
)


def _shown(qtbot, widget, width=300, height=300):
    host = QWidget()
    QVBoxLayout(host).addWidget(widget)
    qtbot.addWidget(host)
    host.resize(width, height)
    host.show()
    qtbot.waitExposed(host)
    return host


def test_a_squeezed_table_header_is_reported_and_a_wide_one_is_not(qtbot):
    table = QTableWidget(1, 2)
    table.setHorizontalHeaderLabels(["Step", "Refusals"])
    host = _shown(qtbot, table)
    table.setColumnWidth(1, 20)
    assert any("header 'Refusals'" in m for m in clipped_widgets(host))
    table.setColumnWidth(1, 200)
    assert not any("Refusals" in m for m in clipped_widgets(host))


def test_a_report_table_keeps_its_words_whole_and_scrolls_sideways(qtbot):
    view = QTextBrowser()
    host = _shown(qtbot, view)
    view.setMarkdown("# Report\n\nSome words before the table.\n\n" + WIDE_TABLE)
    assert _broken_words(view), "Qt squeezes an eight-column table into 300px by breaking words"
    fit_tables(view.document())
    qtbot.wait(10)
    assert _broken_words(view) == []
    assert view.horizontalScrollBar().maximum() > 0  # the table is wider than the view: it scrolls
    assert clipped_widgets(host) == []


def test_a_broken_special_token_is_reported(qtbot):
    view = QTextBrowser()
    host = _shown(qtbot, view, width=160)
    view.setPlainText("<|user|>Where<|end|><|assistant|>He works for Silverleaf Energy.<|end|><|endoftext|>")
    assert any("special token broken" in m for m in _broken_words(view)), host


def test_a_panel_scrolling_sideways_is_reported_and_settings_never_do(qtbot):
    def wide_form():
        inner = QWidget()
        edit = QLineEdit()
        edit.setMinimumWidth(450)
        QVBoxLayout(inner).addWidget(edit)
        return inner

    plain = QScrollArea()
    plain.setWidget(wide_form())
    plain.setWidgetResizable(True)
    host = _shown(qtbot, plain)
    assert any("scrolls sideways" in m for m in clipped_widgets(host))

    split = QSplitter()
    settings = SettingsScroll(wide_form())
    split.addWidget(settings)
    split.addWidget(QWidget())
    host = _shown(qtbot, split, width=900)
    split.setSizes([200, 700])  # a person drags the splitter too far: it stops at the fields' width
    qtbot.wait(10)
    assert settings.viewport().width() >= 450
    assert clipped_widgets(host) == []
