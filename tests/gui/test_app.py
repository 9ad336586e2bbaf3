"""The desktop app opens (offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui.app import build_window  # noqa: E402


def test_main_window_opens(qtbot):
    win = build_window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.isVisible() and win.windowTitle() == "LM Dojo"


def test_qt_calls_keep_their_reference_to_none(qtbot):
    """PySide6 6.12.0 dropped a reference to None on every call of a void method: on Python 3.11
    the app then died with "deallocating None" after enough labels were updated (pyproject.toml
    excludes that version)."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 10  # a few may come and go; 1000 calls must not cost 1000


def test_the_window_fits_a_1280_by_720_screen(window, qtbot, tmp_path):
    """Every page scrolls rather than pushing the window past a small laptop's screen."""
    assert window.create_workspace(str(tmp_path / "ws"), demo=True)
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 680, (window.pages[row].stage, hint)
    window.resize(1280, 680)
    qtbot.waitUntil(lambda: window.height() <= 680)
    assert window.width() <= 1280


def test_a_reopened_workspace_shows_the_latest_run_at_once(window, qtbot, tmp_path):
    """A finished stage's page is not empty after reopening: its latest run's curves are drawn."""
    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.data.demo import DemoConfig, write_demo_world
    from engine.io.workspace import Workspace
    from engine.train import pretrain
    from tests.conftest import TINY, run_events

    ws = Workspace.create(tmp_path / "ws")
    write_demo_world(ws.root, DemoConfig(people=8, augment_versions=1, stories=2))
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=300)))
    runs = [run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "3"})))[-1].result["run"]]
    runs.append(run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "4"})))[-1].result["run"])
    assert window.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(window.pages) if p.stage == "pretrain")
    window.nav.setCurrentRow(idx)
    page = window.pages[idx]
    assert page.run_list.selected_run() == runs[-1]  # the newest, without a click
    assert page.plot.point_count("train/loss") == 4
    # drawn at once (not at the next redraw tick), the view fitted to the finished run
    assert len(page.plot.raw_curve.getOriginalDataset()[0]) == 4
    (x0, x1), _ = page.plot.loss_plot.getViewBox().viewRange()
    assert x0 < 1 and 4 <= x1 < 4.5
