"""The cleaning funnel: one bar per step, as wide as the share of the input that is left."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

from gui.labels import step_label

ROW = 26


class FunnelView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("funnelView")
        self._rows: list[dict] = []
        self.by = "documents"  # or "chars"

    def set_funnel(self, funnel: list[dict]):
        self._rows = list(funnel)
        self.updateGeometry()
        self.update()

    def rows(self) -> list[dict]:
        return list(self._rows)

    def step_labels(self) -> list[str]:
        """The names drawn beside the bars, in the current language."""
        return [step_label(row["step"]) for row in self._rows]

    def _label_width(self) -> int:
        # translated names differ in length: the bars start after the longest one
        fm = self.fontMetrics()
        return max([110, *(fm.horizontalAdvance(t) + 12 for t in self.step_labels())])

    def tooltip_at(self, y: float) -> str | None:
        """The engine's name of the row at height `y`, as report.json and the CLI write it."""
        i = int((y - 4) // ROW)
        return self._rows[i]["step"] if y >= 4 and i < len(self._rows) else None

    def event(self, e):
        if e.type() == QEvent.Type.ToolTip:
            tip = self.tooltip_at(e.pos().y())
            if tip is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), tip, self)
            return True
        return super().event(e)

    def sizeHint(self) -> QSize:
        return QSize(420, max(1, len(self._rows)) * ROW + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, max(1, len(self._rows)) * ROW + 8)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if not self._rows:
            p.setPen(pal.placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Run the cleaning to see the funnel."))
            return
        label_w = self._label_width()
        labels = self.step_labels()
        first = max(1, self._rows[0][self.by])
        bar_w = max(10, self.width() - label_w - 150)
        for i, row in enumerate(self._rows):
            y = 4 + i * ROW
            share = row[self.by] / first
            p.setPen(pal.text().color())
            p.drawText(
                QRectF(0, y, label_w - 8, ROW - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                labels[i],
            )
            color = QColor(59, 130, 246) if 0 < i < len(self._rows) - 1 else QColor(40, 170, 100)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(QRectF(label_w, y + 3, max(2.0, bar_w * share), ROW - 10), 3, 3)
            p.setPen(pal.text().color())
            p.drawText(
                QRectF(label_w + bar_w * share + 6, y, 150, ROW - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{row[self.by]:,} ({100 * share:.1f}%)",
            )
