"""The user's settings (QSettings): recent workspaces, device, CPU threads, language, theme."""

from __future__ import annotations

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class AppSettings:
    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings("LM Dojo", "LM Dojo")

    def recent(self) -> list[str]:
        v = self.q.value("recent", [])
        return [v] if isinstance(v, str) else list(v or [])

    def add_recent(self, path: str):
        items = [path] + [p for p in self.recent() if p != path]
        self.q.setValue("recent", items[:MAX_RECENT])

    def remove_recent(self, path: str):
        self.q.setValue("recent", [p for p in self.recent() if p != path])

    def _get(self, key, default, typ):
        v = self.q.value(key, default)
        try:
            return typ(v)
        except (TypeError, ValueError):
            return default

    def device(self) -> str:
        return self._get("device", "auto", str)

    def threads(self) -> int:
        return self._get("threads", 0, int)

    def language(self) -> str:
        return self._get("language", "en", str)

    def theme(self) -> str:
        return self._get("theme", "light", str)

    def set(self, key: str, value):
        self.q.setValue(key, value)
        self.q.sync()


LANGUAGE_PROPERTY = "lmdojoLanguage"


def ui_language() -> str:
    """The language the running app speaks ("en" before a translator was installed)."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    return (app.property(LANGUAGE_PROPERTY) if app is not None else None) or "en"
