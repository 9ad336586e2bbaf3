"""GUI-thread timer lateness while the app pretrains.

The real main window runs a real tiny pretraining job on its job thread, with the live graph
and samples wired up as a person sees them. A 20 ms QTimer on the GUI thread records how late
each tick fires; the same timer with no job running is the reference, in the same run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

INTERVAL_MS = 20


def _measure(app, seconds: float, until=None) -> np.ndarray:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer

    late: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick():
        now = clock.nsecsElapsed()
        late.append(max(0.0, (now - last[0]) / 1e6 - INTERVAL_MS))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(INTERVAL_MS)
    # A real event loop, as the app has (a polling loop would spend CPU the job needs).
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    watch = QTimer()
    watch.timeout.connect(lambda: until is not None and until() and loop.quit())
    watch.start(50)
    loop.exec()
    watch.stop()
    timer.stop()
    return np.asarray(late[1:])


def _stats(late: np.ndarray) -> dict:
    if not len(late):
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "ticks": 0}
    return {
        "p50_ms": round(float(np.percentile(late, 50)), 2),
        "p99_ms": round(float(np.percentile(late, 99)), 2),
        "max_ms": round(float(late.max()), 2),
        "ticks": int(len(late)),
    }


def run(seconds: float = 20.0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.data.demo import write_demo_world
    from engine.io.store import Store
    from engine.io.workspace import Workspace
    from gui.app import build_window
    from gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="lmdojo-bench-"))
    ws = Workspace.create(tmp / "ws")
    write_demo_world(ws.root)
    for _ in tokenize.run(ws, TokenizerConfig()):
        pass
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    win = build_window(settings)
    win.show()
    win.open_workspace(str(ws.root))
    win.nav.setCurrentRow(2)
    page = win.pages[2]

    # Reference 1: the same job headless (engine only), for the throughput the GUI must not eat.
    from engine.train import pretrain

    values = {"preset": "tiny", "max_minutes": seconds / 60, "sample_every": 100, "eval_every": 50}
    headless = [ev for ev in pretrain.run(ws, pretrain.make_config(values))][-1].result["tokens_per_s"]
    # Reference 2: the GUI thread's timer with no job running.
    idle = _measure(app, min(5.0, seconds / 4))
    results = []
    win.ctx.runner.finished.connect(lambda name, status, result: results.append(result))
    page.form.set_values(values)
    page.start()
    busy = _measure(app, seconds + 30, until=lambda: not win.ctx.runner.is_busy())
    app.processEvents()
    gui_tps = results[-1]["tokens_per_s"] if results else None
    with Store(ws.db_path) as store:
        run_id = store.runs("pretrain")[-1]["id"]
        steps = len(store.metrics(run_id, "train/loss"))
    result = {
        **_stats(busy),
        "idle_p50_ms": _stats(idle)["p50_ms"],
        "idle_p99_ms": _stats(idle)["p99_ms"],
        "p99_ratio_to_idle": None,
        "train_steps": steps,
        "graph_points": page.plot.point_count("train/loss"),
        "graph_repaints": page.plot.repaint_count,
        "interval_ms": INTERVAL_MS,
        "seconds": seconds,
        "gui_tokens_per_s": gui_tps,
        "headless_tokens_per_s": headless,
        "throughput_ratio_gui_to_headless": round(gui_tps / headless, 3) if gui_tps and headless else None,
    }
    if result["idle_p99_ms"]:
        result["p99_ratio_to_idle"] = round(result["p99_ms"] / max(result["idle_p99_ms"], 0.01), 2)
    win.close()
    win.deleteLater()  # tear the window down while Qt is still alive, not in Python's final GC
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    return result
