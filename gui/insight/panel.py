"""The base of every insight panel: title, how-to-read paragraph, Compute, status, result view."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from engine import insight
from engine.errors import DojoError


def small_plot(palette_of: QWidget, object_name: str, title: str) -> pg.PlotWidget:
    """A panel's plot in the window's colours (pyqtgraph draws black by default, whatever the theme),
    the way the loss graph follows the palette."""
    pal = palette_of.palette()
    fg = pal.text().color()
    plot = pg.PlotWidget()
    plot.setObjectName(object_name)
    plot.setBackground(pal.base().color())
    plot.setTitle(title, color=fg.name(), size="9pt")
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setPen(fg)
        plot.getAxis(axis).setTextPen(fg)
    return plot


class InsightPanel(QWidget):
    """Subclasses set `name` (the engine insight), build their view into `self.content` and
    implement show_result(result); options() turns their controls into the insight's --set values.
    The base's own strings are translated under the context "InsightPanel" (self.tr would look
    them up under the subclass's name, where the .ts does not have them)."""

    name = ""
    computed = Signal(dict)  # the result, after show_result ran

    def __init__(self, ctx, title: str, about: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: dict | None = None
        self.setObjectName(f"insight_{self.name}")
        heading = QLabel(f"<b>{title}</b>")
        self.about = QLabel(about)
        self.about.setObjectName("insightAbout")
        self.about.setWordWrap(True)
        self.compute_button = QPushButton(QCoreApplication.translate("InsightPanel", "Compute"))
        self.compute_button.setObjectName("insightCompute")
        self.compute_button.clicked.connect(self.compute)
        self.status = QLabel()
        self.status.setObjectName("insightStatus")
        self.status.setWordWrap(True)
        self.controls = QHBoxLayout()  # subclasses add their option widgets before the button
        self.controls.addStretch(1)
        self.controls.addWidget(self.compute_button)
        self.content = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.about)
        lay.addLayout(self.controls)
        lay.addWidget(self.status)
        lay.addLayout(self.content, 1)
        ctx.runner.busy_changed.connect(lambda busy: self.compute_button.setEnabled(not busy))

    def as_tab(self) -> QScrollArea:
        """The panel inside a frameless scroll area, to add as a tab: the tabs under the graphs are
        short, and a layout squeezed below its minimum draws the panel's rows over each other."""
        self.tab = QScrollArea()
        self.tab.setWidgetResizable(True)
        self.tab.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tab.setWidget(self)
        return self.tab

    @property
    def job_name(self) -> str:
        return f"insight-{self.name}"

    def options(self) -> dict:
        """The insight's options from the panel's controls, as --set values."""
        return {}

    def show_result(self, result: dict) -> None:
        raise NotImplementedError

    @Slot()
    def compute(self) -> bool:
        ws = self.ctx.ws
        if ws is None:
            self.status.setText(QCoreApplication.translate("InsightPanel", "Open a workspace first."))
            return False
        try:
            opts = insight.make_config(self.name, sets=self.options())
        except DojoError as e:
            self.status.setText(str(e))
            return False
        job = self.ctx.runner.start(self.job_name, lambda control: insight.run(self.name, ws, opts, control))
        if job is None:
            self.status.setText(
                QCoreApplication.translate("InsightPanel", "Another job is running; compute this when it has finished.")
            )
            return False
        job.finished.connect(self._on_finished)
        job.failed.connect(self.status.setText)
        self.status.setText(QCoreApplication.translate("InsightPanel", "Computing…"))
        return True

    @Slot(str, dict)
    def _on_finished(self, status: str, result: dict):
        if status != "done":
            self.status.setText(QCoreApplication.translate("InsightPanel", "Stopped before it finished."))
            return
        self.result = result
        self.status.setText("")
        self.show_result(result)
        self.computed.emit(result)
