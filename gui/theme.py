"""Light and dark themes: Qt's Fusion style with a palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def apply_theme(name: str):
    app = QApplication.instance()
    app.setStyle("Fusion")
    if name != "dark":
        app.setPalette(app.style().standardPalette())
        return
    p = QPalette()
    base, window, text = QColor(30, 31, 34), QColor(43, 45, 48), QColor(223, 225, 229)
    R = QPalette.ColorRole
    for role, color in (
        (R.Window, window),
        (R.WindowText, text),
        (R.Base, base),
        (R.AlternateBase, window),
        (R.ToolTipBase, window),
        (R.ToolTipText, text),
        (R.Text, text),
        (R.Button, window),
        (R.ButtonText, text),
        (R.BrightText, QColor(255, 90, 90)),
        (R.Link, QColor(110, 170, 255)),
        (R.Highlight, QColor(53, 116, 240)),
        (R.HighlightedText, QColor(255, 255, 255)),
        (R.PlaceholderText, QColor(140, 143, 150)),
    ):
        p.setColor(role, color)
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 122, 128))
    app.setPalette(p)
