"""lmdojo: the desktop app. For now a window that opens; the stage wizard comes with its own issue."""
from __future__ import annotations

import sys


def build_window():
    from PySide6.QtWidgets import QLabel, QMainWindow

    win = QMainWindow()
    win.setWindowTitle("LM Dojo")
    label = QLabel("LM Dojo — train a small language model through every stage.\n"
                   "The stage wizard is on its way; meanwhile use lmdojo-cli.")
    label.setMargin(24)
    win.setCentralWidget(label)
    win.resize(640, 360)
    return win


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    win = build_window()
    win.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
