"""The live loss graph: buffered points, timed repaints, smoothing, overlays, exports."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import math

import numpy as np
import pytest

from gui.widgets.loss_plot import LossPlot, ema


@pytest.fixture
def plot(qtbot):
    w = LossPlot()
    qtbot.addWidget(w)
    w.resize(800, 500)
    return w


def drawn(curve) -> tuple[np.ndarray, np.ndarray]:
    x, y = curve.getOriginalDataset()
    return (np.empty(0), np.empty(0)) if x is None else (x, y)


def test_points_are_drawn_by_the_timer_not_per_event(plot, qtbot):
    before = plot.repaint_count
    for s in range(1, 6):
        plot.add_metrics(s, {"train/loss": 10.0 - s, "train/lr": 1e-3})
    assert plot.repaint_count == before  # nothing drawn yet: only marked dirty
    assert plot.point_count("train/loss") == 5
    qtbot.waitUntil(lambda: len(drawn(plot.raw_curve)[0]) == 5, timeout=2000)
    assert plot.repaint_count == before + 1
    np.testing.assert_array_equal(drawn(plot.raw_curve)[1], [9, 8, 7, 6, 5])
    np.testing.assert_array_equal(drawn(plot.extra_curve)[0], [1, 2, 3, 4, 5])
    qtbot.wait(300)
    assert plot.repaint_count == before + 1  # nothing new: the timer draws nothing
    assert not plot.timer.isActive()  # and an idle graph does not wake the GUI thread at all


def test_the_view_follows_the_data_in_steps_and_stops_when_the_user_moves_it(plot, qtbot):
    vb = plot.loss_plot.getViewBox()
    moves = []
    vb.sigRangeChanged.connect(lambda *_: moves.append(1))
    for s in range(1, 201):
        plot.add_metrics(s, {"train/loss": 5.0 - s / 100})
        plot.repaint_now()
        (x0, x1), (y0, y1) = vb.viewRange()
        assert x0 <= 1 and s <= x1 and y0 <= 5.0 - s / 100 <= y1  # every point in sight
    assert len(moves) < 40  # the axes (re-rendered on each move) moved now and then, not 200 times
    vb.setXRange(50, 60, padding=0)
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])  # as a drag or the wheel says
    plot.add_metrics(201, {"train/loss": 2.9})
    plot.repaint_now()
    assert vb.viewRange()[0] == [50, 60]  # the user's view stays
    plot.reset_view()
    assert vb.viewRange()[0][1] >= 201


def test_smoothing_matches_a_hand_computed_debiased_ema(plot, qtbot):
    plot.smoothing.setValue(0.5)
    for s, v in enumerate([1.0, 2.0, 3.0, 4.0], start=1):
        plot.add_metrics(s, {"train/loss": v})
    qtbot.waitUntil(lambda: len(drawn(plot.smooth_curve)[0]) == 4, timeout=2000)
    # acc = 0.5, 1.25, 2.125, 3.0625; debias = 0.5, 0.75, 0.875, 0.9375
    np.testing.assert_allclose(drawn(plot.smooth_curve)[1], [1.0, 5 / 3, 17 / 7, 49 / 15])
    plot.add_metrics(5, {"train/loss": 5.0})  # extended incrementally from the running state
    qtbot.waitUntil(lambda: len(drawn(plot.smooth_curve)[0]) == 5, timeout=2000)
    assert drawn(plot.smooth_curve)[1][-1] == pytest.approx((0.5 * 3.0625 + 0.5 * 5) / 0.96875)
    plot.smoothing.setValue(0.0)  # no smoothing: the raw values
    qtbot.waitUntil(
        lambda: drawn(plot.smooth_curve)[1][0] == 1.0 and drawn(plot.smooth_curve)[1][1] == 2.0, timeout=2000
    )
    np.testing.assert_allclose(drawn(plot.smooth_curve)[1], [1, 2, 3, 4, 5])


def test_vectorised_ema_equals_the_loop_and_continues():
    rng = np.random.default_rng(1)
    y = rng.random(1000) * 5
    for k in (0.0, 0.6, 0.9, 0.99):
        ref, acc, w = [], 0.0, 0.0
        for v in y:
            acc, w = k * acc + (1 - k) * v, k * w + (1 - k)
            ref.append(acc / w)
        np.testing.assert_allclose(ema(y, k)[0], ref, rtol=1e-12)
        head, running = ema(y[:333], k)
        np.testing.assert_allclose(np.r_[head, ema(y[333:], k, running, 333)[0]], ref, rtol=1e-12)


def test_val_points_are_their_own_series(plot, qtbot):
    for s in range(1, 21):
        values = {"train/loss": 5.0}
        if s % 10 == 0:
            values["val/loss"] = 4.0 + s / 100
        plot.add_metrics(s, values)
    assert plot.point_count("val/loss") == 2
    qtbot.waitUntil(lambda: len(drawn(plot.val_curve)[0]) == 2, timeout=2000)
    x, y = drawn(plot.val_curve)
    np.testing.assert_array_equal(x, [10, 20])
    np.testing.assert_allclose(y, [4.1, 4.2])
    assert len(drawn(plot.raw_curve)[0]) == 20


def test_combo_lists_new_keys_and_prefers_lr(plot, qtbot):
    plot.add_metrics(1, {"train/loss": 3.0, "train/grad_norm": 1.5})
    assert [plot.extra.itemData(i) for i in range(plot.extra.count())] == ["train/grad_norm"]
    plot.add_metrics(2, {"train/loss": 3.0, "train/lr": 1e-3, "val/loss": 3.1})
    plot.add_metrics(3, {"rewards/margins": 0.2})
    keys = [plot.extra.itemData(i) for i in range(plot.extra.count())]
    assert keys == ["train/grad_norm", "train/lr", "rewards/margins"]  # not the loss keys of the upper graph
    # a person reads words; an unknown key reads as its last part's words
    assert [plot.extra.itemText(i) for i in range(3)] == ["Gradient norm", "Learning rate", "Margins"]
    assert plot.extra_key() == "train/lr" and plot.extra.currentText() == "Learning rate"
    qtbot.waitUntil(lambda: plot.extra_plot.getAxis("left").labelText == "Learning rate", timeout=2000)
    plot.extra.setCurrentIndex(2)
    qtbot.waitUntil(lambda: len(drawn(plot.extra_curve)[0]) == 1 and drawn(plot.extra_curve)[1][0] == 0.2, timeout=2000)


def test_log_x_toggles_both_plots(plot):
    plot.log_x.setChecked(True)
    assert plot.is_log_x()
    for p in (plot.loss_plot, plot.extra_plot):
        assert p.getAxis("bottom").logMode and p.ctrl.logXCheck.isChecked()
    plot.log_x.setChecked(False)
    assert not plot.loss_plot.getAxis("bottom").logMode


def test_overlays_add_and_remove(plot, qtbot):
    n_items = len(plot.loss_plot.listDataItems())
    series = {"train/loss": [(1, 4.0), (2, 3.0), (3, float("nan"))], "val/loss": [(2, 3.5)]}
    plot.set_overlay("run-0001", series)
    plot.set_overlay("run-0002", series)
    assert plot.overlay_names() == ["run-0001", "run-0002"]
    labels = [label.text for _, label in plot.legend.items]
    assert "run-0001" in labels and "run-0002" in labels
    assert len(plot.loss_plot.listDataItems()) == n_items + 4
    plot.set_overlay("run-0001", series)  # replaced, not doubled
    assert len(plot.loss_plot.listDataItems()) == n_items + 4
    plot.remove_overlay("run-0001")
    assert plot.overlay_names() == ["run-0002"]
    assert "run-0001" not in [label.text for _, label in plot.legend.items]
    plot.clear()  # a new run keeps the comparisons
    assert plot.overlay_names() == ["run-0002"]
    plot.remove_overlay("run-0002")
    plot.remove_overlay("never-added")
    assert len(plot.loss_plot.listDataItems()) == n_items


def test_export_csv_round_trips(plot, tmp_path):
    plot.add_metrics(1, {"train/loss": 2.5, "train/lr": 1e-4})
    plot.add_metrics(2, {"train/loss": 2.25, "val/loss": 2.4})
    plot.set_overlay("old", {"train/loss": [(1, 3.0)], "val/loss": [(2, 3.5)]})
    path = tmp_path / "m.csv"
    plot.export_csv(path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    got = sorted((r["run"], int(r["step"]), r["key"], float(r["value"])) for r in rows)
    assert got == sorted(
        [
            ("current", 1, "train/loss", 2.5),
            ("current", 1, "train/lr", 1e-4),
            ("current", 2, "train/loss", 2.25),
            ("current", 2, "val/loss", 2.4),
            ("old", 1, "train/loss", 3.0),
            ("old", 2, "val/loss", 3.5),
        ]
    )


def test_export_png_writes_a_png(plot, tmp_path):
    for s in range(1, 50):
        plot.add_metrics(s, {"train/loss": 5 / s, "train/lr": 1e-3})
    path = tmp_path / "loss.png"
    plot.export_png(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_non_finite_values_are_skipped(plot, qtbot):
    plot.add_metrics(1, {"train/loss": float("nan"), "train/lr": 1e-3})
    plot.add_metrics(2, {"train/loss": math.inf, "val/loss": -math.inf})
    plot.add_metrics(3, {"train/loss": 2.0})
    assert plot.point_count("train/loss") == 1 and plot.point_count("val/loss") == 0
    steps, values = plot.series("train/loss")
    assert steps.tolist() == [3] and values.tolist() == [2.0]
    qtbot.waitUntil(lambda: len(drawn(plot.smooth_curve)[0]) == 1, timeout=2000)
    assert np.isfinite(drawn(plot.smooth_curve)[1]).all()


def test_100k_points_buffer_and_repaint(plot, qtbot):
    plot.show()
    qtbot.waitExposed(plot)
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.1, 100_000)
    for s in range(100_000):  # no timing assertions: only that it completes and draws
        plot.add_metrics(s, {"train/loss": 3.0 + noise[s], "train/lr": 1e-3})
    assert plot.point_count("train/loss") == 100_000
    before = plot.repaint_count
    qtbot.waitUntil(lambda: plot.repaint_count > before, timeout=5000)
    assert len(drawn(plot.raw_curve)[0]) == 100_000
    plot.grab()  # a real paint of the downsampled curves


def test_clear_forgets_the_run(plot, qtbot):
    plot.add_metrics(1, {"train/loss": 2.0, "train/lr": 1e-3, "val/loss": 2.1})
    plot.repaint_now()
    plot.clear()
    assert plot.point_count("train/loss") == 0 and plot.keys() == [] and plot.extra.count() == 0
    assert len(drawn(plot.raw_curve)[0]) == 0 and len(drawn(plot.val_curve)[0]) == 0
    plot.add_metrics(5, {"train/loss": 1.0})
    qtbot.waitUntil(lambda: len(drawn(plot.smooth_curve)[0]) == 1, timeout=2000)
    assert drawn(plot.smooth_curve)[1].tolist() == [1.0]  # smoothing restarted too


def test_palette_change_recolours(plot):
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette(plot.palette())
    pal.setColor(QPalette.ColorRole.Base, QColor(20, 20, 20))
    pal.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    plot.setPalette(pal)
    assert plot.graphs.backgroundBrush().color() == QColor(20, 20, 20)
    assert plot.loss_plot.getAxis("left").textPen().color() == QColor(230, 230, 230)


def test_a_paired_series_is_drawn_beside_the_lower_graphs(plot, qtbot):
    """The RLHF page pairs a proxy reward with the gold one: both in the lower graph, named in its legend."""
    plot.pair_extra("rl/reward", "rl/gold", "gold")
    plot.prefer_extra("rl/reward")
    plot.add_metrics(1, {"rl/reward": 0.5})
    qtbot.waitUntil(lambda: len(drawn(plot.extra_curve)[0]) == 1, timeout=2000)
    assert len(drawn(plot.partner_curve)[0]) == 0 and plot.partner_series() is None  # no gold yet: nothing beside
    plot.add_metrics(2, {"rl/reward": 0.9, "rl/gold": 0.2})
    plot.add_metrics(3, {"rl/reward": 1.4, "rl/gold": -0.1})
    qtbot.waitUntil(lambda: len(drawn(plot.partner_curve)[0]) == 2, timeout=2000)
    assert drawn(plot.partner_curve)[1].tolist() == [0.2, -0.1] and plot.extra_key() == "rl/reward"
    assert [label.text for _, label in plot.extra_legend.items] == ["Reward (training)", "gold"]
    plot.prefer_extra("rl/gold")  # a series without a partner: drawn alone
    qtbot.waitUntil(lambda: len(drawn(plot.partner_curve)[0]) == 0, timeout=2000)
    assert plot.extra_legend.items == []
