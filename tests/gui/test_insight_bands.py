"""The reference-band tab of the pretrain page: on a demo workspace with three tiny pretraining runs it
computes, names the verdict, states the law, and shades exactly the result's band behind the judged run's
curve on the page's loss plot; the band method of the plot on its own."""

import numpy as np
import pytest

from engine.insight import bands
from gui.widgets.loss_plot import LossPlot
from tests.conftest import TINY, run_events


def _pretrain_page(win, ws):
    assert win.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "pretrain")
    win.nav.setCurrentRow(idx)
    return win.pages[idx]


def test_reference_band_tab_judges_the_latest_run(window, qtbot, ws, one_thread):
    from engine.train import pretrain

    for width, steps in ((16, 40), (48, 40), (32, 50)):
        last = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "n_embd": width, "max_steps": steps})))[
            -1
        ].result
    page = _pretrain_page(window, ws)
    panel = page.bands
    names = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "Reference band" in names
    page.tabs.setCurrentIndex(names.index("Reference band"))
    assert panel.isVisible()
    assert len(panel.about.text()) > 200 and "band" in panel.about.text()
    assert page.plot.band_data() is None

    assert panel.compute(), panel.status.text()
    qtbot.waitUntil(lambda: panel.result is not None and not window.ctx.runner.is_busy(), timeout=60_000)
    r = panel.result
    assert r["run"] == last["run"] and r["source"] == "workspace" and r["verdict"] in bands.VERDICTS
    assert panel.verdict.text().startswith('<b style="color:') and panel.verdict_text(r) in panel.verdict.text()
    assert r["run"] in panel.verdict.text() and panel.reason.text() == r["reason"]
    assert f"fitted to {r['fit_points']} points" in panel.law.text() and "other runs" in panel.law.text()

    drawn = page.plot.band_data()
    np.testing.assert_allclose(drawn["steps"], r["steps"])
    np.testing.assert_allclose(drawn["low"], r["loss_low"])
    np.testing.assert_allclose(drawn["high"], r["loss_high"])
    np.testing.assert_allclose(drawn["mid"], r["loss_mid"])
    assert drawn["steps"][-1] == pytest.approx(50)  # tokens converted to the plot's steps
    # the judged run's curves are drawn over it, the band behind them
    page.plot.repaint_now()
    x, y = page.plot.val_curve.getOriginalDataset()
    assert list(x) == [0, 10, 20, 30, 40, 50] and y[-1] == pytest.approx(last["val_loss"])
    assert page.plot.band["fill"].zValue() < page.plot.val_curve.zValue()

    panel.sigmas.setValue(4.0)  # a wider band replaces the first one
    assert panel.compute()
    qtbot.waitUntil(lambda: panel.result["sigmas"] == 4.0 and not window.ctx.runner.is_busy(), timeout=60_000)
    wider = page.plot.band_data()
    assert np.all(wider["high"] - wider["low"] >= drawn["high"] - drawn["low"] - 1e-12)
    assert sum(1 for item in page.plot.loss_plot.items if item is page.plot.band["fill"]) == 1


def test_band_method_shows_and_removes(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(800, 500)
    plot.show()
    qtbot.waitExposed(plot)
    for s in range(1, 4):
        plot.add_metrics(s, {"train/loss": 1.2 - 0.1 * s, "val/loss": 1.1 - 0.1 * s})
    items_before = len(plot.loss_plot.items)
    plot.set_band([1, 2, 3], [1.0, 0.9, 0.8], [1.2, 1.1, 1.0])
    assert len(plot.loss_plot.items) == items_before + 3  # two edges and the fill; no middle line given
    assert "reference band" in [label.text for _, label in plot.legend.items]
    for log_x in (False, True):  # really painted, the legend's sample too, on both axis scales
        plot.log_x.setChecked(log_x)
        plot.repaint_now()
        assert not plot.graphs.grab().isNull()
    assert plot.band_data()["high"].tolist() == [1.2, 1.1, 1.0] and "mid" not in plot.band_data()
    plot.clear()  # a new run's points: the band stays, it belongs to the run's size and tokenizer
    assert plot.band_data() is not None
    plot.remove_band()
    assert plot.band_data() is None and len(plot.loss_plot.items) == items_before
    assert "reference band" not in [label.text for _, label in plot.legend.items]
    with pytest.raises(ValueError):
        plot.set_band([1, 2], [1.0], [1.2, 1.1])
