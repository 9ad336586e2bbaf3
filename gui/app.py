"""lmdojo: the desktop app.

lmdojo                 the app
lmdojo --smoke-test    check this install end to end, offscreen, and exit (see gui/smoke.py)
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
from pathlib import Path

from engine.malloc import tune

# In a PyInstaller bundle __file__ lies under sys._MEIPASS, where build.spec puts resources/ too.
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
PACKAGE = "lm-dojo"  # the distribution name in pyproject.toml
LOG_NAME = "lmdojo.log"
LOG_MAX_BYTES = 1 << 20  # start the log afresh beyond this: it only catches stray output


def app_version() -> str:
    """The installed version, else the checkout's pyproject.toml (run from source), else "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        pass
    try:
        text = (RESOURCES.parent / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return m.group(1) if m else "unknown"


def icon_path() -> Path:
    """The PNG (rendered from the SVG by resources/packaging/make_icons.py), else the SVG itself."""
    png = ICONS / "lmdojo.png"
    return png if png.is_file() else ICONS / "lmdojo.svg"


def app_icon():
    from PySide6.QtGui import QIcon

    return QIcon(str(icon_path()))


def log_dir() -> Path:
    """Where a windowed build's stray output goes: the platform's place for per-user app logs."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "LM Dojo"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / "LM Dojo"
    return Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state") / "lmdojo"


def _open_log():
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        mode = "w" if path.is_file() and path.stat().st_size > LOG_MAX_BYTES else "a"
        return open(path, mode, encoding="utf-8", errors="replace", buffering=1)
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")


def ensure_std_streams() -> None:
    """A windowed build (PyInstaller console=False on Windows and macOS, pythonw) starts with
    sys.stdout and sys.stderr set to None: the first print, warning or progress line (the engine
    writes progress to stderr) would raise. Point them at a log file instead."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = _open_log()
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def install_translator(app, language: str):
    """Load resources/translations/lmdojo_<language>.qm (English needs none)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    from gui.settings import LANGUAGE_PROPERTY

    app.setProperty(LANGUAGE_PROPERTY, language)  # what the engine's own texts (lab reports) follow
    if language == "en":
        return []
    installed = []
    for folder, name in (
        (TRANSLATIONS, f"lmdojo_{language}"),
        (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{language}"),
    ):
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
    # First of all: in a frozen app, a multiprocessing child (data cleaning's workers) starts this
    # same executable; freeze_support() runs the child's work and exits before any GUI is made.
    # The streams come first only so that such a child, in a windowed build, has them too.
    ensure_std_streams()
    multiprocessing.freeze_support()
    tune()  # glibc's allocator set for training on the job thread, before any thread allocates
    from engine.train.threads import serial_here  # not at the top: data cleaning's workers need no torch

    serial_here()  # torch's parallel work stays on the job thread (see engine.train.threads)
    argv = list(sys.argv if argv is None else argv)
    smoke = "--smoke-test" in argv[1:]
    if smoke:
        argv.remove("--smoke-test")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # must be set before the QApplication exists

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("LM Dojo")
    app.setApplicationVersion(app_version())
    app.setDesktopFileName("lmdojo")  # ties windows to lmdojo.desktop (its icon, on Wayland too)
    app.setWindowIcon(app_icon())
    if smoke:
        from gui import smoke as smoke_test

        return smoke_test.run()

    from gui.settings import AppSettings
    from gui.theme import apply_theme

    settings = AppSettings()
    install_translator(app, settings.language())
    apply_theme(settings.theme())
    win = build_window(settings)
    win.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
