"""`lmdojo --smoke-test` (gui/smoke.py), the About box, and what a windowed build needs.

The smoke test runs in-process here; .ci/release runs it on the built bundle and the installed .deb.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
import warnings
from pathlib import Path

import tomllib

from gui import app as gui_app
from gui import smoke

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_smoke_test_passes_with_stderr_empty(qapp, capfd):
    assert smoke.run() == 0
    out, err = capfd.readouterr()
    assert err == ""
    assert out.startswith("smoke test passed") and out.count("\n") == 1


def test_a_failing_step_is_one_line_naming_it(qapp, capfd, monkeypatch, tmp_path):
    def explode(self):
        raise OSError("disk full\nmore detail")

    monkeypatch.setattr(gui_app, "log_dir", lambda: tmp_path)
    monkeypatch.setattr(smoke.Smoke, "explode", explode, raising=False)
    monkeypatch.setattr(smoke.Smoke, "STEPS", ("explode",))
    assert smoke.run() == 1
    out, err = capfd.readouterr()
    log = tmp_path / "smoke-test.log"
    assert out == "" and err == f"smoke test failed at explode: OSError: disk full (traceback: {log})\n"
    assert "in explode" in log.read_text(encoding="utf-8")


def test_unexpected_warnings_fail_and_expected_ones_do_not(qapp, capfd, monkeypatch):
    from PySide6.QtCore import qWarning

    def quiet(self):
        qWarning("This plugin does not support propagateSizeHints()")

    def noisy(self):
        warnings.warn("something odd")
        qWarning("QPainter::begin: Paint device returned engine == 0")

    monkeypatch.setattr(smoke.Smoke, "quiet", quiet, raising=False)
    monkeypatch.setattr(smoke.Smoke, "noisy", noisy, raising=False)
    monkeypatch.setattr(smoke.Smoke, "STEPS", ("quiet",))
    assert smoke.run() == 0
    monkeypatch.setattr(smoke.Smoke, "STEPS", ("quiet", "noisy"))
    assert smoke.run() == 1
    _, err = capfd.readouterr()
    assert err == "smoke test failed at warnings: unexpected warning: something odd (and 1 more)\n"


def test_main_runs_the_smoke_test_offscreen(qapp, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(smoke, "run", lambda: 7)
    assert gui_app.main(["lmdojo", "--smoke-test"]) == 7
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_windowed_build_without_std_streams_logs_to_a_file(monkeypatch, tmp_path):
    monkeypatch.setattr(gui_app, "log_dir", lambda: tmp_path / "logs")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    gui_app.ensure_std_streams()
    try:
        print("progress line", file=sys.stderr)
        print("stray print")
        assert sys.stdout is sys.stderr
    finally:
        sys.stdout.close()
    assert (tmp_path / "logs" / "lmdojo.log").read_text(encoding="utf-8") == "progress line\nstray print\n"


def test_version_is_the_projects():
    version = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert gui_app.app_version() == version


def test_about_box_shows_version_and_icon(window):
    assert not window.windowIcon().isNull()
    help_menu = window.menuBar().actions()[-1]
    assert help_menu.text() == "&Help"
    assert [a.text() for a in help_menu.menu().actions()] == ["&About LM Dojo…"]
    box = window.about_box()
    assert gui_app.app_version() in box.text()
    assert not box.iconPixmap().isNull()
    assert box.windowTitle() == "About LM Dojo"
