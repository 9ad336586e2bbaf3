import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from gui.settings import AppSettings


@pytest.fixture
def settings(tmp_path):
    """Settings in a file of the test's own, never the user's."""
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def _english_reports_unless_told(qapp):
    """Each test starts in English: a test that installs a translator also marks the app's language,
    which would make a later test's Labs page show Chinese reports."""
    from gui.settings import LANGUAGE_PROPERTY

    qapp.setProperty(LANGUAGE_PROPERTY, None)
    yield
    qapp.setProperty(LANGUAGE_PROPERTY, None)


@pytest.fixture
def window(qtbot, settings):
    from gui.app import build_window

    win = build_window(settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    runner = win.ctx.runner
    if runner.is_busy():  # never leave a job thread behind
        runner.stop()
        qtbot.waitUntil(lambda: not runner.is_busy(), timeout=60_000)
