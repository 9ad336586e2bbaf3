"""What every page shares: the open workspace, the job runner, the user's settings."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine.io.workspace import Workspace
from gui.jobs import JobRunner
from gui.settings import AppSettings


class Context(QObject):
    workspace_changed = Signal()
    stages_changed = Signal()  # a stage's status may have changed (a job ended, files appeared)

    def __init__(self, settings: AppSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.runner = JobRunner(self)
        self.ws: Workspace | None = None
        self.runner.finished.connect(lambda *_: self.stages_changed.emit())
        self.runner.failed.connect(lambda *_: self.stages_changed.emit())
        self.runner.started.connect(lambda *_: self.stages_changed.emit())

    def set_workspace(self, ws: Workspace | None):
        self.ws = ws
        if ws is not None:
            self.settings.add_recent(str(ws.root))
        self.workspace_changed.emit()
        self.stages_changed.emit()

    def machine_overrides(self) -> dict:
        """The device and thread count chosen in Settings, as config keys."""
        return {"device": self.settings.device(), "threads": self.settings.threads()}
