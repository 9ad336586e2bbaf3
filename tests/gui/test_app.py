"""The desktop app opens (offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui.app import build_window  # noqa: E402


def test_main_window_opens(qtbot):
    win = build_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.isVisible() and win.windowTitle() == "LM Dojo"


def test_qt_calls_keep_their_reference_to_none(qtbot):
    """PySide6 6.12.0 dropped a reference to None on every call of a void method: on Python 3.11
    the app then died with "deallocating None" after enough labels were updated (pyproject.toml
    excludes that version)."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 10  # a few may come and go; 1000 calls must not cost 1000


def test_the_window_fits_a_1280_by_720_screen(window, qtbot, tmp_path):
    """Every page scrolls rather than pushing the window past a small laptop's screen."""
    assert window.create_workspace(str(tmp_path / "ws"), demo=True)
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 680, (window.pages[row].stage, hint)
    window.resize(1280, 680)
    qtbot.waitUntil(lambda: window.height() <= 680)
    assert window.width() <= 1280
