"""A stage page: a title, one sentence on what the stage does, and the stage's own content."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.context import Context


class StagePage(QWidget):
    stage = ""
    built = True

    def __init__(self, ctx: Context, title: str, blurb: str, parent=None):
        super().__init__(parent)
        self.ctx, self.title, self.blurb = ctx, title, blurb
        self.setObjectName(f"page_{self.stage}")
        lay = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>")
        about = QLabel(blurb)
        about.setWordWrap(True)
        lay.addWidget(heading)
        lay.addWidget(about)
        self.body = QVBoxLayout()
        lay.addLayout(self.body, 1)
        ctx.workspace_changed.connect(self.refresh)

    def refresh(self):
        """Re-read what the page shows from the workspace."""


class PlannedPage(StagePage):
    """A stage that is not built yet: says what it will do."""

    built = False

    def __init__(self, ctx, stage: str, title: str, blurb: str, plan: str, parent=None):
        self.stage = stage
        super().__init__(ctx, title, blurb, parent)
        note = QLabel(plan)
        note.setWordWrap(True)
        note.setObjectName("plannedNote")
        note.setStyleSheet("padding: 12px; border: 1px dashed gray; border-radius: 6px;")
        self.body.addWidget(note)
        self.body.addStretch(1)
