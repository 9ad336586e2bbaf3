"""A form built from a stage's config dataclass: one field per knob, its help as tooltip,
validation by the engine itself (so the GUI and the CLI accept exactly the same configs)."""

from __future__ import annotations

import dataclasses
import json
import re
import typing

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.config import build_config, to_dict
from engine.errors import ConfigError
from gui.labels import choice_label, config_label, form_message


class ConfigForm(QWidget):
    """Edits a config dataclass. `groups` orders the fields into titled boxes; fields not
    listed are left at their (preset) values. `changed` fires after every edit."""

    changed = Signal()

    def __init__(
        self,
        cls,
        presets: dict | None = None,
        groups: dict[str, list[str]] | None = None,
        labels: dict[str, str] | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.cls, self.presets = cls, presets
        self._fields = {f.name: f for f in dataclasses.fields(cls)}
        self._hints = typing.get_type_hints(cls)
        self._editors: dict[str, QWidget] = {}
        self._values: dict = {}
        self.error: str | None = None  # the engine's message (config keys), for logs and tests
        self.error_text: str | None = None  # the same, as the form shows it (labels, translated)
        self.config = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        groups = groups or {"": [n for n in self._fields]}
        for title, names in groups.items():
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            for name in names:
                editor = self._make_editor(name)
                label = QLabel((labels or {}).get(name) or config_label(name))
                label.setToolTip(f"{name}: {editor.toolTip()}")  # the config key, as in TOML and --set
                form.addRow(label, editor)
            layout.addWidget(box)
        self.message = QLabel()
        self.message.setObjectName("validationMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        layout.addWidget(self.message)
        self.set_values({})

    # -- editors --------------------------------------------------------------------------
    def _make_editor(self, name: str) -> QWidget:
        f, typ = self._fields[name], self._hints[name]
        md = f.metadata
        if "choices" in md:
            w = QComboBox()
            for c in md["choices"]:  # a person reads the label; the config keeps the raw value
                w.addItem(choice_label(name, c), str(c))
                w.setItemData(w.count() - 1, str(c), Qt.ItemDataRole.ToolTipRole)  # the value TOML takes
            w.currentIndexChanged.connect(lambda _=None, n=name: self._edited(n))
        elif typ is bool:
            w = QCheckBox()
            w.toggled.connect(lambda _=None, n=name: self._edited(n))
        elif typ is int and md.get("max", 10**9) <= 2**31 - 1 and md.get("min", 0) >= -(2**31):
            w = QSpinBox()
            w.setRange(int(md.get("min", 0)), int(md.get("max", 2**31 - 1)))
            w.setKeyboardTracking(False)
            w.valueChanged.connect(lambda _=None, n=name: self._edited(n))
        else:  # floats like 3e-4 read best as text; the engine parses and checks them
            w = QLineEdit()
            w.textEdited.connect(lambda _=None, n=name: self._edited(n))
        w.setObjectName(f"field_{name}")
        w.setToolTip(md.get("help", ""))
        self._editors[name] = w
        return w

    def _read(self, name: str):
        w = self._editors[name]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return w.value()
        text = w.text().strip()
        if typing.get_origin(self._hints[name]) is list:
            return json.dumps([s.strip() for s in text.split("|") if s.strip()], ensure_ascii=False)
        return text

    def _write(self, name: str, value):
        w = self._editors[name]
        w.blockSignals(True)
        if isinstance(w, QComboBox):
            i = w.findData(str(value))
            if i >= 0:
                w.setCurrentIndex(i)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif isinstance(value, (list, tuple)):
            w.setText(" | ".join(value))
        else:
            w.setText(f"{value:g}" if isinstance(value, float) else str(value))
        w.blockSignals(False)

    # -- values ---------------------------------------------------------------------------
    def set_values(self, values: dict):
        """Show a config: defaults < preset < `values`."""
        cfg = build_config(self.cls, values, None, self.presets, "form") if values is not None else None
        self._values = to_dict(cfg)
        for name in self._editors:
            self._write(name, self._values[name])
        self._validate()

    def _edited(self, name: str):
        if name == "preset" and self.presets:
            # a new preset brings its model size; the other knobs stay as they are
            self._values.update(self.presets[self._read("preset")])
            self._values["preset"] = self._read("preset")
            for n in self._editors:
                self._write(n, self._values[n])
        else:
            self._values[name] = self._read(name)
        self._validate()
        self.changed.emit()

    def _validate(self):
        for w in self._editors.values():
            w.setStyleSheet("")
        try:
            self.config = build_config(self.cls, self._values, None, self.presets, "form")
            self.error = self.error_text = None
            self.message.setText("")
        except ConfigError as e:
            # `error`: the engine's words (its keys, as in TOML and --set); `error_text`: the labels
            self.config, self.error = None, str(e)
            self.error_text = form_message(self.error)
            self.message.setText(self.error_text)
            bad = self._field_in(self.error)
            if bad in self._editors:
                self._editors[bad].setStyleSheet("border: 1px solid #c0392b;")

    def _field_in(self, message: str) -> str | None:
        for word in re.findall(r"[a-z_0-9]+", message):
            if word in self._editors:
                return word
        return None

    def values(self) -> dict:
        return dict(self._values)

    def editor(self, name: str) -> QWidget:
        return self._editors[name]
