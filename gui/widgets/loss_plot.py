"""Live training graphs (pyqtgraph): loss raw and smoothed, validation points, one extra series.

Events only append to numpy buffers; a 10 Hz timer redraws what changed, so a fast job never
floods the GUI thread with repaints, and 100k points stay fluid (peak downsampling, clip to view).
"""
from __future__ import annotations

import csv

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

LOSS, VAL = "train/loss", "val/loss"
OVERLAY_COLORS = ["#8e8e8e", "#b08fc7", "#7fb3a8", "#c9a16b", "#8fa4c7"]


class _Series:
    """A growable (step, value) buffer: amortised doubling, no Python lists of points."""

    def __init__(self):
        self.x = np.empty(256)
        self.y = np.empty(256)
        self.n = 0

    def append(self, step: float, value: float):
        if self.n == len(self.x):
            self.x = np.resize(self.x, 2 * self.n)
            self.y = np.resize(self.y, 2 * self.n)
        self.x[self.n] = step
        self.y[self.n] = value
        self.n += 1

    def data(self):
        return self.x[: self.n], self.y[: self.n]


def ema(values: np.ndarray, smoothing: float) -> np.ndarray:
    """TensorBoard's smoothing: exponential moving average with debiasing."""
    out = np.empty_like(values, dtype=float)
    acc, weight = 0.0, 0.0
    for i, v in enumerate(values):
        acc = smoothing * acc + (1 - smoothing) * v
        weight = smoothing * weight + (1 - smoothing)
        out[i] = acc / weight
    return out


class LossPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self._series: dict[str, _Series] = {}
        self._overlays: dict[str, dict[str, list[tuple[int, float]]]] = {}
        self._overlay_items: dict[str, list] = {}
        self._dirty = False
        self._smoothed_cache: tuple[int, float, np.ndarray] | None = None
        self.repaint_count = 0

        self.log_x = QCheckBox(self.tr("Log x"))
        self.smoothing = QDoubleSpinBox()
        self.smoothing.setRange(0.0, 0.99)
        self.smoothing.setSingleStep(0.05)
        self.smoothing.setValue(0.9)
        self.smoothing.setToolTip(self.tr("How much the training loss curve is smoothed (0 = raw)"))
        self.extra = QComboBox()
        self.extra.setToolTip(self.tr("The series shown in the lower graph"))
        self.extra.setMinimumContentsLength(14)
        png = QPushButton(self.tr("Export PNG…"))
        csv_button = QPushButton(self.tr("Export CSV…"))
        reset = QPushButton(self.tr("Reset view"))
        bar = QHBoxLayout()
        bar.addWidget(self.log_x)
        bar.addWidget(QLabel(self.tr("Smoothing")))
        bar.addWidget(self.smoothing)
        bar.addWidget(QLabel(self.tr("Lower graph")))
        bar.addWidget(self.extra)
        bar.addStretch(1)
        for b in (reset, png, csv_button):
            bar.addWidget(b)

        self.graphs = pg.GraphicsLayoutWidget()
        self.loss_plot = self.graphs.addPlot(row=0, col=0)
        self.extra_plot = self.graphs.addPlot(row=1, col=0)
        self.graphs.ci.layout.setRowStretchFactor(0, 3)
        self.graphs.ci.layout.setRowStretchFactor(1, 1)
        self.extra_plot.setXLink(self.loss_plot)
        self.loss_plot.setLabel("left", self.tr("loss"))
        self.extra_plot.setLabel("bottom", self.tr("step"))
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))
        self.raw_curve = self._curve(self.loss_plot, self.tr("train (raw)"), (70, 130, 220, 70), 1)
        self.smooth_curve = self._curve(self.loss_plot, self.tr("train (smoothed)"), (40, 100, 210), 2)
        self.val_curve = self.loss_plot.plot(name=self.tr("validation"), pen=pg.mkPen((230, 120, 30), width=2),
                                             symbol="o", symbolSize=6, symbolBrush=(230, 120, 30))
        self.extra_curve = self._curve(self.extra_plot, None, (60, 160, 90), 1.5)
        for plot in (self.loss_plot, self.extra_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.graphs, 1)
        self._apply_palette()

        self.log_x.toggled.connect(self._set_log_x)
        self.smoothing.valueChanged.connect(self._mark_dirty)
        self.extra.currentTextChanged.connect(self._mark_dirty)
        reset.clicked.connect(self.reset_view)
        png.clicked.connect(self._ask_png)
        csv_button.clicked.connect(self._ask_csv)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._repaint)
        self.timer.start()

    @staticmethod
    def _curve(plot, name, color, width):
        c = plot.plot(name=name, pen=pg.mkPen(color, width=width))
        c.setDownsampling(auto=True, method="peak")
        c.setClipToView(True)
        return c

    # -- data in --------------------------------------------------------------------------
    def add_metrics(self, step: int, values: dict[str, float]):
        for key, v in values.items():
            if v is None or not np.isfinite(v):
                continue
            s = self._series.get(key)
            if s is None:
                s = self._series[key] = _Series()
                if key not in (LOSS, VAL):
                    self.extra.addItem(key)
                    if key == "train/lr" or self.extra.count() == 1:
                        self.extra.setCurrentText(key)
            s.append(step, v)
        self._dirty = True

    def clear(self):
        self._series.clear()
        self._smoothed_cache = None
        self.extra.blockSignals(True)
        self.extra.clear()
        self.extra.blockSignals(False)
        self._dirty = True
        self._repaint()

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        s = self._series.get(key)
        return s.data() if s else (np.empty(0), np.empty(0))

    def point_count(self, key: str) -> int:
        s = self._series.get(key)
        return s.n if s else 0

    # -- overlays of other runs -----------------------------------------------------------
    def set_overlay(self, name: str, series: dict[str, list[tuple[int, float]]]):
        self.remove_overlay(name)
        self._overlays[name] = series
        color = OVERLAY_COLORS[(len(self._overlays) - 1) % len(OVERLAY_COLORS)]
        items = []
        loss = np.asarray(series.get(LOSS, []), dtype=float).reshape(-1, 2)
        if len(loss):
            c = self._curve(self.loss_plot, f"{name}", color, 1.5)
            c.setData(loss[:, 0], ema(loss[:, 1], self.smoothing.value()))
            items.append(c)
        val = np.asarray(series.get(VAL, []), dtype=float).reshape(-1, 2)
        if len(val):
            c = self.loss_plot.plot(val[:, 0], val[:, 1], pen=pg.mkPen(color, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
            items.append(c)
        self._overlay_items[name] = items

    def remove_overlay(self, name: str):
        for item in self._overlay_items.pop(name, []):
            self.loss_plot.removeItem(item)
            self.legend.removeItem(item)
        self._overlays.pop(name, None)

    def overlay_names(self) -> list[str]:
        return list(self._overlays)

    # -- drawing --------------------------------------------------------------------------
    def _mark_dirty(self, *_):
        self._dirty = True

    def _smoothed(self, y: np.ndarray) -> np.ndarray:
        """EMA of the loss, extended incrementally as points arrive."""
        k = self.smoothing.value()
        cache = self._smoothed_cache
        if cache is None or cache[1] != k or cache[0] > len(y):
            out = ema(y, k)
        else:
            n, _, prev = cache
            if n == len(y):
                return prev
            out = np.empty(len(y))
            out[:n] = prev
            # continue the recursion from the last debiased value
            acc_weight = 1 - k ** n
            acc = prev[n - 1] * acc_weight if n else 0.0
            for i in range(n, len(y)):
                acc = k * acc + (1 - k) * y[i]
                acc_weight = k * acc_weight + (1 - k)
                out[i] = acc / acc_weight
        self._smoothed_cache = (len(y), k, out)
        return out

    def _repaint(self):
        if not self._dirty:
            return
        self._dirty = False
        x, y = self.series(LOSS)
        self.raw_curve.setData(x, y)
        self.smooth_curve.setData(x, self._smoothed(y) if len(y) else y)
        self.val_curve.setData(*self.series(VAL))
        key = self.extra.currentText()
        self.extra_curve.setData(*self.series(key))
        self.extra_plot.setLabel("left", key)
        self.repaint_count += 1

    def repaint_now(self):
        self._dirty = True
        self._repaint()

    def reset_view(self):
        for plot in (self.loss_plot, self.extra_plot):
            plot.enableAutoRange()

    def _set_log_x(self, on: bool):
        for plot in (self.loss_plot, self.extra_plot):
            plot.setLogMode(x=on, y=False)

    def is_log_x(self) -> bool:
        return self.log_x.isChecked()

    def changeEvent(self, event):
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self):
        pal = self.palette()
        self.graphs.setBackground(pal.base().color())
        fg = pal.text().color()
        for plot in (self.loss_plot, self.extra_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(fg)
                plot.getAxis(axis).setTextPen(fg)

    # -- export ---------------------------------------------------------------------------
    def export_png(self, path: str):
        self.repaint_now()
        self.graphs.grab().save(str(path), "PNG")

    def export_csv(self, path: str):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["run", "step", "key", "value"])
            for key, s in self._series.items():
                for step, v in zip(*s.data()):
                    w.writerow(["current", int(step), key, repr(float(v))])
            for name, series in self._overlays.items():
                for key, points in series.items():
                    for step, v in points:
                        w.writerow([name, int(step), key, repr(float(v))])

    def _ask_png(self):
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export graph as PNG"), "loss.png", "PNG (*.png)")
        if path:
            self.export_png(path)

    def _ask_csv(self):
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export data as CSV"), "metrics.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)
