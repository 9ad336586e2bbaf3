"""lmdojo: the desktop app."""
from __future__ import annotations

import sys
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"


def install_translator(app, language: str):
    """Load resources/translations/lmdojo_<language>.qm (English needs none)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    if language == "en":
        return []
    installed = []
    for folder, name in ((TRANSLATIONS, f"lmdojo_{language}"),
                         (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{language}")):
        t = QTranslator(app)
        if t.load(name, str(folder)):
            app.installTranslator(t)
            installed.append(t)
    return installed


def build_window(settings=None):
    """The main window over a fresh context (tests pass their own settings)."""
    from gui.context import Context
    from gui.main_window import MainWindow
    from gui.settings import AppSettings

    return MainWindow(Context(settings or AppSettings()))


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.settings import AppSettings
    from gui.theme import apply_theme

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("LM Dojo")
    settings = AppSettings()
    install_translator(app, settings.language())
    apply_theme(settings.theme())
    win = build_window(settings)
    win.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
