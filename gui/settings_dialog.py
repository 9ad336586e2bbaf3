"""Settings: device, CPU threads, language, theme."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from gui.settings import AppSettings

LANGUAGES = {"en": "English", "zh_TW": "繁體中文"}


def detected_devices() -> list[tuple[str, str]]:
    """(device name, what it is) for every device torch can see, plus auto and cpu."""
    import torch

    out = [("cpu", f"CPU ({os.cpu_count()} cores)")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            out.append((f"cuda:{i}", torch.cuda.get_device_name(i)))
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        out.append(("mps", "Apple GPU (Metal)"))
    return out


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        form = QFormLayout(self)
        devices = detected_devices()
        self.device = QComboBox()
        best = devices[-1][1] if len(devices) > 1 else devices[0][1]
        self.device.addItem(self.tr("auto (best available: {0})").format(best), "auto")
        for name, what in devices:
            self.device.addItem(f"{name} — {what}", name)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device())))
        self.threads = QSpinBox()
        self.threads.setRange(0, os.cpu_count() or 1)
        self.threads.setSpecialValueText(self.tr("automatic"))
        self.threads.setValue(settings.threads())
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language())))
        self.theme = QComboBox()
        self.theme.addItem(self.tr("Light"), "light")
        self.theme.addItem(self.tr("Dark"), "dark")
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme())))
        form.addRow(self.tr("Device"), self.device)
        form.addRow(self.tr("CPU threads"), self.threads)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Theme"), self.theme)
        note = QLabel(self.tr("Language changes take effect when LM Dojo is restarted."))
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self):
        s = self.settings
        s.set("device", self.device.currentData())
        s.set("threads", self.threads.value())
        s.set("language", self.language.currentData())
        s.set("theme", self.theme.currentData())
        from gui.theme import apply_theme

        apply_theme(self.theme.currentData())
        super().accept()
