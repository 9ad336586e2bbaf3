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
