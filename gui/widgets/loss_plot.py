"""Live training graphs (pyqtgraph): loss raw and smoothed, validation points, one extra series.

Events only append to growable numpy buffers and mark keys dirty; a timer redraws what changed at
most once a second, so a fast job never floods the GUI thread, and 100k points stay fluid (peak
downsampling, clip to view).
"""

from __future__ import annotations

import csv
import math
import numbers

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.labels import metric_label

LOSS, VAL, LR = "train/loss", "val/loss", "train/lr"
_SMOOTHING, _EXTRA = object(), object()  # dirty markers besides metric keys
RAW_COLOR, SMOOTH_COLOR, VAL_COLOR, EXTRA_COLOR = (59, 130, 246, 70), (59, 130, 246), (245, 130, 30), (40, 170, 100)
BAND_COLOR = (150, 120, 200, 45)  # a faint violet: in the back, apart from the blue/orange of the run
OVERLAY_COLORS = ["#9a9a9a", "#b294c7", "#7fb3a8", "#c9a16b", "#8fa4c7"]  # muted: other runs stay in the back
_BLOCK = 64
REDRAW_MS = 1000


class _Column:
    """A growable float array: amortised doubling, never a Python list of points."""

    __slots__ = ("a", "n")

    def __init__(self):
        self.a, self.n = np.empty(1024), 0

    def append(self, v: float):
        if self.n == len(self.a):
            self.a = np.concatenate([self.a, np.empty_like(self.a)])
        self.a[self.n] = v
        self.n += 1

    def extend(self, values: np.ndarray):
        while self.n + len(values) > len(self.a):
            self.a = np.concatenate([self.a, np.empty_like(self.a)])
        self.a[self.n : self.n + len(values)] = values
        self.n += len(values)

    def view(self) -> np.ndarray:
        return self.a[: self.n]


def ema(values, smoothing: float, acc: float = 0.0, count: int = 0) -> tuple[np.ndarray, float]:
    """TensorBoard's smoothing: an exponential moving average, debiased by 1 - smoothing**i.

    Continues from a running state (`acc`, the un-debiased average after `count` points), so new
    points extend an earlier result. Vectorised: each block of 64 points is one matrix product
    from a zero start, then the carry from the block before is added.
    Returns (smoothed values, the running `acc` after the last one).
    """
    y = np.asarray(values, dtype=float)
    n, k = len(y), float(smoothing)
    if n == 0:
        return np.empty(0), acc
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK)
    padded[:n] = y
    t = np.arange(_BLOCK)
    lag = t[:, None] - t[None, :]
    weights = np.where(lag >= 0, k ** np.maximum(lag, 0), 0.0) * (1 - k)  # weights[t, j] = (1-k) k^(t-j)
    local = padded.reshape(blocks, _BLOCK) @ weights.T
    carry, c, k_block = np.empty(blocks), acc, k**_BLOCK
    for b in range(blocks):
        carry[b] = c
        c = local[b, -1] + k_block * c
    running = (local + np.outer(carry, k ** (t + 1))).ravel()[:n]
    debias = 1.0 - k ** np.arange(count + 1, count + n + 1, dtype=float)
    return running / debias, float(running[-1])


class _StepAxis(pg.AxisItem):
    """The step axis; in log mode only 1, 2 and 5 times a power of ten are labelled, as plain numbers."""

    def logTickStrings(self, values, scale, spacing):
        return [_step_label(float(f"{10**v:.2g}")) for v in values]


def _step_label(x: float) -> str:
    if f"{x:.0e}"[0] not in "125":  # 3, 4, 6… times a power of ten: unlabelled, or the labels collide
        return ""
    return f"{x / 1e6:g}M" if x >= 1e6 else f"{x / 1e3:g}k" if x >= 1e4 else f"{x:g}"


class LossPlot(QWidget):
    """Call add_metrics(step, {key: value}) per event; the graphs catch up within REDRAW_MS."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.run_name = "current"  # the run column of CSV exports
        self.repaint_count = 0
        self._x: dict[str, _Column] = {}
        self._y: dict[str, _Column] = {}
        self._dirty: set = set()
        self._wanted_extra = LR
        self._overlays: dict[str, dict] = {}
        self._partners: dict[str, tuple[str, str]] = {}  # a lower-graph series -> (one drawn beside it, its name)
        self.band: dict | None = None  # the reference band's items: {"low", "mid", "high", "fill"}
        self._reset_smoothing()

        self.log_x = QCheckBox(self.tr("Log x"))
        self.log_x.setToolTip(self.tr("Logarithmic step axis: early and late training side by side"))
        self.smoothing = QDoubleSpinBox()
        self.smoothing.setRange(0.0, 0.99)
        self.smoothing.setSingleStep(0.05)
        self.smoothing.setValue(0.9)
        self.smoothing.setToolTip(self.tr("How much the training loss curve is smoothed (0 = raw)"))
        self.extra = QComboBox()
        self.extra.setToolTip(self.tr("The series shown in the lower graph"))
        self.extra.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.extra.setMinimumContentsLength(12)
        reset = QPushButton(self.tr("Reset view"))
        # one button with a menu, not two: the graph's toolbar must leave the window 1280 pixels wide
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        png = export_menu.addAction(self.tr("Export PNG…"))
        csv_button = export_menu.addAction(self.tr("Export CSV…"))
        self.export_button.setMenu(export_menu)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 0)
        for w in (
            self.log_x,
            QLabel(self.tr("Smoothing")),
            self.smoothing,
            QLabel(self.tr("Lower graph")),
            self.extra,
            None,
            reset,
            self.export_button,
        ):
            bar.addWidget(w) if w is not None else bar.addStretch(1)

        self.graphs = pg.GraphicsLayoutWidget()
        self.graphs.setMinimumHeight(220)
        self.loss_plot = self.graphs.addPlot(row=0, col=0, axisItems={"bottom": _StepAxis("bottom")})
        self.extra_plot = self.graphs.addPlot(row=1, col=0, axisItems={"bottom": _StepAxis("bottom")})
        self.graphs.ci.layout.setRowStretchFactor(0, 3)
        self.graphs.ci.layout.setRowStretchFactor(1, 1)
        self.extra_plot.setXLink(self.loss_plot)
        self.loss_plot.getAxis("bottom").setStyle(showValues=False)  # the lower graph numbers the steps
        self.loss_plot.setLabel("left", self.tr("loss"))
        self.extra_plot.setLabel("bottom", self.tr("step"))
        self.legend = self.loss_plot.addLegend(offset=(-10, 10))
        self.raw_curve = self._curve(self.loss_plot, self.tr("train"), pg.mkPen(RAW_COLOR, width=1))
        self.smooth_curve = self._curve(self.loss_plot, self.tr("train (smoothed)"), pg.mkPen(SMOOTH_COLOR, width=2))
        self.val_curve = self._curve(
            self.loss_plot,
            self.tr("validation"),
            pg.mkPen(VAL_COLOR, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=VAL_COLOR,
            symbolPen=None,
        )
        self.extra_curve = self._curve(self.extra_plot, None, pg.mkPen(EXTRA_COLOR, width=1.5))
        self.extra_legend = self.extra_plot.addLegend(offset=(-10, -5))  # bottom right: rewards rise to the right
        self.partner_curve = self._curve(
            self.extra_plot, None, pg.mkPen(VAL_COLOR, width=1.5, style=Qt.PenStyle.DashLine)
        )
        # Painting cost is the GUI thread's main work while a job runs (a paint took ~30 ms, most of
        # it re-rendering the axes' text when auto-range moved them at every new point). The axes are
        # cached as pixmaps, and the view follows the data in steps (_follow) so they rarely move.
        self._follow = True
        self._extra_label = None
        for plot in (self.loss_plot, self.extra_plot):
            plot.disableAutoRange()
            plot.getViewBox().sigRangeChangedManually.connect(self._stop_following)
            for side in ("left", "bottom"):
                plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.getAxis("left").enableAutoSIPrefix(False)  # "train/lr (x1e-06)": the values say it
        # No grid: pyqtgraph draws it with the axes, which then cover the whole graph, and each move of
        # the view re-rendered graph-sized axis pictures (paints late by 20-50 ms, ten times a run).

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.graphs, 1)
        self._apply_palette()

        self.log_x.toggled.connect(self._set_log_x)
        self.smoothing.valueChanged.connect(lambda _: self._mark(_SMOOTHING))
        self.extra.currentIndexChanged.connect(lambda _: self._mark(_EXTRA))
        self.extra.activated.connect(lambda _: setattr(self, "_wanted_extra", self.extra_key()))
        reset.clicked.connect(self.reset_view)
        png.triggered.connect(
            lambda: self._ask(
                self.export_png, self.tr("Export graph as PNG"), "loss.png", self.tr("PNG images (*.png)")
            )
        )
        csv_button.triggered.connect(
            lambda: self._ask(
                self.export_csv, self.tr("Export data as CSV"), "metrics.csv", self.tr("CSV files (*.csv)")
            )
        )
        # One redraw at most every REDRAW_MS, started by new data: an idle graph never wakes the GUI
        # thread (each wake-up takes a core from a training thread for a moment).
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._repaint)

    def _mark(self, *keys):
        """Remember what changed and have it drawn within REDRAW_MS."""
        self._dirty.update(keys)
        if not self.timer.isActive():
            self.timer.start()

    @staticmethod
    def _curve(plot, name, pen, **kw):
        c = plot.plot(name=name, pen=pen, **kw)
        c.setDownsampling(auto=True, method="peak")
        c.setClipToView(True)
        return c

    # -- data in --------------------------------------------------------------------------
    def add_metrics(self, step: int, values: dict[str, float]):
        """Append one event's values (non-finite ones are skipped); drawing waits for the timer."""
        for key, v in values.items():
            if not isinstance(v, numbers.Real) or not math.isfinite(v):
                continue
            xs = self._x.get(key)
            if xs is None:
                xs = self._x[key] = _Column()
                self._y[key] = _Column()
                if key not in (LOSS, VAL):  # those two are in the upper graph
                    self.extra.addItem(metric_label(key), key)  # a person reads the label; code, the key
                    self.extra.setItemData(self.extra.count() - 1, key, Qt.ItemDataRole.ToolTipRole)
                    if key == self._wanted_extra or self.extra.count() == 1:
                        self.extra.setCurrentIndex(self.extra.count() - 1)
            xs.append(step)
            self._y[key].append(v)
            self._mark(key)

    def prefer_extra(self, key: str):
        """Show `key` in the lower graph as soon as it has points (now, if it has)."""
        self._wanted_extra = key
        if self.extra.findData(key) >= 0:
            self.extra.setCurrentIndex(self.extra.findData(key))

    def pair_extra(self, key: str, partner: str, name: str):
        """Whenever the lower graph shows `key`, draw `partner` beside it (dashed, named `name` in
        the legend): a proxy reward and the gold one, say."""
        self._partners[key] = (partner, name)
        self._mark(_EXTRA)

    def partner_series(self) -> str | None:
        """The series drawn beside the lower graph's, when it has points."""
        partner, _ = self._partners.get(self.extra_key(), (None, ""))
        return partner if partner in self._x else None

    def extra_key(self) -> str:
        """The metric key the lower graph shows ('' before any)."""
        return self.extra.currentData() or ""

    def is_empty(self) -> bool:
        """No point of the current run yet (overlays of other runs aside)."""
        return not self._x

    def clear(self):
        """Forget the current run's points (for a new run); overlays of other runs stay."""
        self._x.clear()
        self._y.clear()
        self._reset_smoothing()
        self.extra.blockSignals(True)
        self.extra.clear()
        self.extra.blockSignals(False)
        self._dirty.update((LOSS, VAL, _EXTRA))
        self._repaint()

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the (steps, values) received for `key`."""
        return tuple(a.copy() for a in self._data(key))

    def point_count(self, key: str) -> int:
        return self._x[key].n if key in self._x else 0

    def keys(self) -> list[str]:
        return list(self._x)

    # -- overlays of other runs -----------------------------------------------------------
    def set_overlay(self, name: str, series: dict[str, list[tuple[int, float]]]):
        """Show another run's smoothed train loss and dashed val loss behind the current run."""
        self.remove_overlay(name)
        used = {o["color"] for o in self._overlays.values()}
        color = next((c for c in OVERLAY_COLORS if c not in used), OVERLAY_COLORS[len(used) % len(OVERLAY_COLORS)])
        data = {key: _points(pts) for key, pts in series.items()}
        loss, val = data.get(LOSS, _points([])), data.get(VAL, _points([]))
        smooth = self._curve(self.loss_plot, name, pg.mkPen(color, width=1.5))
        dashed = self._curve(
            self.loss_plot, None if len(loss[0]) else name, pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
        )
        for item in (smooth, dashed):
            item.setZValue(-1)
        dashed.setData(*val)
        self._overlays[name] = {"color": color, "data": data, "items": (smooth, dashed)}
        self._draw_overlay(name)

    def _draw_overlay(self, name: str):
        o = self._overlays[name]
        x, y = o["data"].get(LOSS, _points([]))
        o["items"][0].setData(x, ema(y, self.smoothing.value())[0])

    def remove_overlay(self, name: str):
        o = self._overlays.pop(name, None)
        for item in o["items"] if o else ():
            self.legend.removeItem(item)
            self.loss_plot.removeItem(item)

    def overlay_names(self) -> list[str]:
        return list(self._overlays)

    # -- the reference band ---------------------------------------------------------------
    def set_band(self, steps, low, high, mid=None, name: str | None = None):
        """Shade the loss expected between `low` and `high` at `steps` (engine/insight/bands) behind
        every curve, with `mid` as a thin dashed line; replaces the band shown before."""
        self.remove_band()
        x = np.asarray(steps, dtype=float)
        lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        if not (len(x) == len(lo) == len(hi)) or not len(x):
            raise ValueError("a band needs steps, low and high of one non-zero length")
        # The edges are invisible curves: the fill is drawn between their paths, and follows log x with them.
        edge = pg.mkPen(BAND_COLOR[:3] + (90,), width=1)
        items = {"low": pg.PlotDataItem(x, lo, pen=edge), "high": pg.PlotDataItem(x, hi, pen=edge)}
        items["fill"] = pg.FillBetweenItem(items["low"], items["high"], brush=pg.mkBrush(BAND_COLOR))
        if mid is not None:
            items["mid"] = pg.PlotDataItem(
                x,
                np.asarray(mid, dtype=float),
                pen=pg.mkPen(BAND_COLOR[:3] + (160,), width=1, style=Qt.PenStyle.DashLine),
            )
        for key, item in items.items():
            item.setZValue(-3 if key == "fill" else -2)  # behind the run's curves and the overlays (-1)
            self.loss_plot.addItem(item)
        # The legend cannot draw a FillBetweenItem's sample (it reads PlotDataItem options): an empty
        # filled curve stands in for it there.
        self._band_key = pg.PlotDataItem(pen=edge, fillLevel=0, fillBrush=pg.mkBrush(BAND_COLOR[:3] + (110,)))
        self.legend.addItem(self._band_key, name or self.tr("reference band"))
        self.band = items

    def remove_band(self):
        if self.band is None:
            return
        self.legend.removeItem(self._band_key)
        for item in self.band.values():
            self.loss_plot.removeItem(item)
        self.band = None

    def band_data(self) -> dict[str, np.ndarray] | None:
        """The band as drawn: {"steps", "low", "high"} (and "mid"), or None when none is shown."""
        if self.band is None:
            return None
        out = {"steps": self.band["low"].getOriginalDataset()[0]}
        for key in ("low", "high", "mid"):
            if key in self.band:
                out[key] = self.band[key].getOriginalDataset()[1]
        return out

    # -- drawing --------------------------------------------------------------------------
    def _reset_smoothing(self):
        self._smooth = _Column()
        self._smooth_k, self._smooth_acc = None, 0.0

    def _smoothed(self) -> np.ndarray:
        """The EMA of train/loss, extended by only the points that arrived since last time."""
        y, k = self._y[LOSS].view() if LOSS in self._y else np.empty(0), self.smoothing.value()
        if k != self._smooth_k or self._smooth.n > len(y):
            self._reset_smoothing()
            self._smooth_k = k
        done = self._smooth.n
        if done < len(y):
            new, self._smooth_acc = ema(y[done:], k, self._smooth_acc, done)
            self._smooth.extend(new)
        return self._smooth.view()

    def _repaint(self):
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        if LOSS in dirty or _SMOOTHING in dirty:
            x, y = self._data(LOSS)
            self.raw_curve.setData(x, y)
            self.smooth_curve.setData(x, self._smoothed())
        if _SMOOTHING in dirty:
            for name in self._overlays:
                self._draw_overlay(name)
        if VAL in dirty:
            self.val_curve.setData(*self._data(VAL))
        key = self.extra_key()
        partner, name = self._partners.get(key, (None, ""))
        if _EXTRA in dirty or key in dirty or partner in dirty:
            self.extra_curve.setData(*self._data(key))
            self.partner_curve.setData(*self._data(partner))  # nothing to draw when it has no points
            label = (key, partner if partner in self._x else None)
            if label != self._extra_label:  # a new label or legend lays the graphs out again: only on change
                self._extra_label = label
                self.extra_plot.setLabel("left", metric_label(key) if key else "")
                self.extra_legend.clear()
                if partner in self._x:
                    self.extra_legend.addItem(self.extra_curve, metric_label(key))
                    self.extra_legend.addItem(self.partner_curve, name or metric_label(partner))
        if self._follow:  # the lower graph's steps are linked to the upper one's
            _follow_data(self.loss_plot)
            _follow_data(self.extra_plot, x=False, falls=False)
        self.repaint_count += 1

    def _data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._x:
            return np.empty(0), np.empty(0)
        return self._x[key].view(), self._y[key].view()

    def repaint_now(self):
        """Draw everything now instead of at the next tick."""
        self._dirty.update((LOSS, VAL, _EXTRA))
        self._repaint()

    def show_all(self):
        """Draw now and fit the view to the data: a past run, loaded at once."""
        self.repaint_now()
        if self._follow:
            _follow_data(self.loss_plot, force=True, tight=True)
            _follow_data(self.extra_plot, x=False, force=True, tight=True, falls=False)

    def reset_view(self):
        """Follow the data again (after the user panned or zoomed)."""
        self._follow = True
        _follow_data(self.loss_plot, force=True)
        _follow_data(self.extra_plot, x=False, force=True, falls=False)

    def _stop_following(self, *_):
        self._follow = False

    def _set_log_x(self, on: bool):
        for plot in (self.loss_plot, self.extra_plot):
            plot.setLogMode(x=on, y=False)
        self.reset_view()

    def is_log_x(self) -> bool:
        return self.log_x.isChecked()

    def changeEvent(self, event):
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self):
        pal = self.palette()
        bg, fg = pal.base().color(), pal.text().color()
        self.graphs.setBackground(bg)
        for plot in (self.loss_plot, self.extra_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(fg)
                plot.getAxis(axis).setTextPen(fg)
        for legend in (self.legend, self.extra_legend):
            legend.setLabelTextColor(fg)
            for _, label in legend.items:  # setLabelTextColor alone does not redraw existing labels
                label.setText(label.text, color=fg)
            legend.setBrush(QColor(bg.red(), bg.green(), bg.blue(), 200))

    # -- export ---------------------------------------------------------------------------
    def export_png(self, path: str):
        """Both graphs as a PNG image, as they are shown now."""
        self.repaint_now()
        if not self.isVisible():  # never laid out: give the scene a sensible size first
            self.resize(max(self.width(), 900), max(self.height(), 600))
            self.graphs.grab()  # delivers the pending resize events
        exporter = ImageExporter(self.graphs.ci)
        exporter.export(str(path))

    def export_csv(self, path: str):
        """Every point, this run's and the overlays': columns run, step, key, value."""
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["run", "step", "key", "value"])
            runs = [(self.run_name, {k: self._data(k) for k in self._x})]
            runs += [(name, o["data"]) for name, o in self._overlays.items()]
            for run, data in runs:
                for key, (xs, ys) in data.items():
                    w.writerows([run, int(s), key, repr(float(v))] for s, v in zip(xs, ys))

    def _ask(self, export, title: str, default: str, filter_: str):
        path, _ = QFileDialog.getSaveFileName(self, title, default, filter_)
        if path:
            suffix = default[default.rindex(".") :]
            export(path if path.lower().endswith(suffix) else path + suffix)


def _points(pts) -> tuple[np.ndarray, np.ndarray]:
    """[(step, value), ...] as two arrays, non-finite values dropped."""
    a = np.asarray(pts, dtype=float).reshape(-1, 2)
    a = a[np.isfinite(a).all(axis=1)]
    return a[:, 0], a[:, 1]


def _follow_data(plot, x: bool = True, force: bool = False, tight: bool = False, falls: bool = True):
    """Keep `plot`'s view around its data, moving it only when the data leaves it or fills less than
    40% of it (a move leaves it half full or more): a view that moves at every point re-renders both
    axes at every paint. `falls`: the series mostly falls (a loss), so the room is below it; else
    there is room on both sides. `tight` fits a finished run's data with a small margin."""
    vb = plot.getViewBox()
    bounds = _data_bounds(plot)
    (x0, x1), (y0, y1) = vb.viewRange()
    for axis, (cur_lo, cur_hi) in ((0, (x0, x1)), (1, (y0, y1))):
        lo, hi = bounds[axis] or (None, None)  # None: nothing drawn on that axis yet
        if axis == 0 and not x:
            continue
        if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        span = max(hi - lo, abs(hi) * 1e-3, 1e-9)
        inside = cur_lo <= lo and hi <= cur_hi
        if not force and inside and (hi - lo) >= 0.4 * (cur_hi - cur_lo):
            continue
        if tight:
            (vb.setXRange if axis == 0 else vb.setYRange)(lo - 0.03 * span, hi + 0.03 * span, padding=0)
        elif axis == 0:  # room to double to the right: a young run's steps grow fast, then moves are rare
            vb.setXRange(lo - 0.02 * span, hi + 1.0 * span, padding=0)
        elif falls:  # an early loss falls fast
            vb.setYRange(lo - 0.6 * span, hi + 0.1 * span, padding=0)
        else:  # a warm-up's learning rate or a reward rises, a KL grows, a loss falls
            vb.setYRange(lo - 0.5 * span, hi + 0.5 * span, padding=0)


def _data_bounds(plot) -> list[tuple[float, float] | None]:
    """[(x min, x max), (y min, y max)] of every curve's data in view coordinates (log10 of the step
    on a log x axis), None for an axis with nothing on it. Not ViewBox.childrenBounds: with
    clipToView a curve reports only the part already in sight, so the view could never grow."""
    log_x = plot.getViewBox().state["logMode"][0]
    lows, highs = [[], []], [[], []]
    for item in plot.listDataItems():
        x, y = item.getOriginalDataset()
        if x is None or not len(x):
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if log_x:
            x = np.log10(x[x > 0]) if (x > 0).any() else x[:0]
        for axis, a in enumerate((x, y)):
            a = a[np.isfinite(a)]
            if len(a):
                lows[axis].append(a.min())
                highs[axis].append(a.max())
    return [(min(lo), max(hi)) if lo else None for lo, hi in zip(lows, highs)]
