"""A stage page: a title, one sentence on what the stage does, and the stage's own content."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from gui.context import Context


class StagePage(QWidget):
    stage = ""

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

    def active_form(self):
        """The config form whose settings a start or resume uses (None on pages without one)."""
        return getattr(self, "form", None)

    def resume_overrides(self) -> dict:
        """A resumed run keeps its saved config but takes the machine settings and the budget now
        in the form, so a finished run can be trained further."""
        form = self.active_form()
        cfg = form.config if form is not None else None
        budget = {"max_steps": cfg.max_steps, "max_minutes": cfg.max_minutes} if cfg is not None else {}
        return self.ctx.machine_overrides() | budget


class SettingsScroll(QScrollArea):
    """A column of settings that scrolls down but never sideways: never narrower than its content's
    minimum (the splitter beside it stops there), so no field is cut at the right edge."""

    def __init__(self, settings: QWidget, min_width: int = 360):
        super().__init__()
        self.setWidget(settings)
        self.setWidgetResizable(True)
        self.min_width = min_width

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(self.min_width, inner + 2 * self.frameWidth()), super().minimumSizeHint().height())


def training_layout(settings: QWidget, panel: QWidget, plot: QWidget, tabs: QWidget) -> QSplitter:
    """The training pages' layout: settings scrolling on the left; job controls, the live graphs
    and the tabs below them on the right."""
    scroll = SettingsScroll(settings)
    right = QSplitter(Qt.Orientation.Vertical)
    right.addWidget(plot)
    right.addWidget(tabs)
    right.setStretchFactor(0, 3)
    right.setStretchFactor(1, 2)
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(panel)
    lay.addWidget(right, 1)
    split = QSplitter()
    split.addWidget(scroll)
    split.addWidget(box)
    split.setStretchFactor(1, 1)
    split.setSizes([380, 900])
    return split
