"""Settings: what the dialog saves is what jobs and the app use."""

from PySide6.QtWidgets import QApplication

from gui.settings_dialog import SettingsDialog, detected_devices


def test_settings_dialog_saves_and_applies(qtbot, settings):
    dlg = SettingsDialog(settings)
    qtbot.addWidget(dlg)
    assert dlg.device.itemData(0) == "auto" and dlg.device.findData("cpu") > 0
    assert "CPU" in dict(detected_devices())["cpu"]
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.threads.setValue(1)
    dlg.language.setCurrentIndex(dlg.language.findData("zh_TW"))
    dlg.theme.setCurrentIndex(dlg.theme.findData("dark"))
    dlg.accept()
    assert (settings.device(), settings.threads(), settings.language(), settings.theme()) == ("cpu", 1, "zh_TW", "dark")
    assert QApplication.instance().palette().window().color().lightness() < 100  # dark now
    from gui.theme import apply_theme

    apply_theme("light")
    assert QApplication.instance().palette().window().color().lightness() > 150


def test_machine_settings_reach_the_job_config(window, settings):
    settings.set("device", "cpu")
    settings.set("threads", 1)
    assert window.ctx.machine_overrides() == {"device": "cpu", "threads": 1}


def test_recent_workspaces(settings, tmp_path):
    for i in range(10):
        settings.add_recent(str(tmp_path / f"w{i}"))
    settings.add_recent(str(tmp_path / "w3"))
    recent = settings.recent()
    assert recent[0] == str(tmp_path / "w3") and len(recent) == 8 and len(set(recent)) == 8
    settings.remove_recent(str(tmp_path / "w3"))
    assert str(tmp_path / "w3") not in settings.recent()


def test_a_recent_workspace_that_vanished_is_dropped(window, settings, tmp_path):
    settings.add_recent(str(tmp_path / "gone"))
    window.start_page.refresh()
    assert window.start_page.recent.count() == 1
    assert not window.open_workspace(str(tmp_path / "gone"))
    assert "not found" in window.start_page.error.text()
    assert window.start_page.recent.count() == 0


def test_new_workspace_goes_inside_a_folder_that_has_files(tmp_path):
    from gui.pages.start import new_workspace_path

    assert new_workspace_path(str(tmp_path / "empty"), True) == str(tmp_path / "empty")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x")
    assert new_workspace_path(str(tmp_path / "full"), True) == str(tmp_path / "full" / "LM Dojo demo")
    (tmp_path / "full" / "LM Dojo demo").mkdir()
    assert new_workspace_path(str(tmp_path / "full"), True) == str(tmp_path / "full" / "LM Dojo demo 2")
