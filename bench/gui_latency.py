"""GUI-thread timer lateness and training throughput while the app pretrains.

The real main window runs a real tiny pretraining job on its job thread, with the live graph
and samples wired up as a person sees them. Throughput: the same job run headless (on the main
thread of a process of its own, as `lmdojo-cli` runs it) and in the app take turns (`rounds` of
each, in the order ABBA…); the median of the rounds' ratios is the share of the engine's speed the
app keeps. Lateness: in one more in-app run, a 20 ms QTimer on the GUI thread records how late each
tick fires; the same timer with no job running is the reference, in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

INTERVAL_MS = 20
# The headless side: lmdojo-cli's way (the job on a process's main thread), one process kept for all
# rounds as the app is, so neither side pays a cold start the other does not. It trains once per line
# it reads and answers with the run's tokens/s.
HEADLESS = """
import json, sys
from engine.malloc import tune
tune()
from engine.io.workspace import Workspace
from engine.train import pretrain
ws = Workspace.open(sys.argv[1])
for line in sys.stdin:
    events = list(pretrain.run(ws, pretrain.make_config(json.loads(line))))
    print(events[-1].result["tokens_per_s"], flush=True)
"""


def _measure(app, seconds: float, until=None, probe: bool = True) -> tuple[np.ndarray, float]:
    """The timer's lateness in ms at each tick, and the GUI thread's CPU seconds per second meanwhile."""
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
    if probe:
        timer.start(INTERVAL_MS)
    # A real event loop, as the app has (a polling loop would spend CPU the job needs).
    loop = QEventLoop()
    cpu, wall = time.thread_time(), time.perf_counter()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    if until is not None:  # a signal, not a polling timer: its wake-ups would be the bench's cost
        until.connect(loop.quit)
    loop.exec()
    if until is not None:
        until.disconnect(loop.quit)
    timer.stop()
    share = (time.thread_time() - cpu) / max(time.perf_counter() - wall, 1e-9)
    return np.asarray(late[1:]), share


def _stats(late: np.ndarray) -> dict:
    if not len(late):
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "ticks": 0}
    return {
        "p50_ms": round(float(np.percentile(late, 50)), 2),
        "p99_ms": round(float(np.percentile(late, 99)), 2),
        "max_ms": round(float(late.max()), 2),
        "ticks": int(len(late)),
    }


def run(seconds: float = 20.0, rounds: int = 5) -> dict:
    import torch

    from engine.train.threads import serial_here

    before = torch.get_num_threads()
    serial_here()  # as lmdojo's main() does
    try:
        return _run(seconds, rounds)
    finally:
        torch.set_num_threads(before)  # for whoever runs on this thread next (the test suite)


def _run(seconds: float, rounds: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.data.demo import write_demo_world
    from engine.io.store import Store
    from engine.io.workspace import Workspace
    from engine.train.threads import TORCH_THREADS
    from gui.app import build_window
    from gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="lmdojo-bench-"))
    ws = Workspace.create(tmp / "ws")
    write_demo_world(ws.root)
    for _ in tokenize.run(ws, TokenizerConfig()):
        pass
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    # Both ways at torch's own thread count: left at 0, each run picks its threads from the load it
    # sees at its start, and on a shared VM two runs could train on different counts.
    threads = TORCH_THREADS
    settings.set("threads", threads)
    win = build_window(settings)
    win.show()
    win.open_workspace(str(ws.root))
    win.nav.setCurrentRow(2)
    page = win.pages[2]
    values = {"preset": "tiny", "max_minutes": seconds / 60, "sample_every": 100, "eval_every": 50, "threads": threads}
    results = []
    job_ended = win.ctx.runner.busy_changed  # emitted (False) as a job ends, before its result
    win.ctx.runner.finished.connect(lambda name, status, result: results.append(result))

    engine_log = (tmp / "headless.log").open("w")
    engine = subprocess.Popen(
        [sys.executable, "-c", HEADLESS, str(ws.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=engine_log,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )

    def headless() -> float:
        engine.stdin.write(json.dumps(values) + "\n")
        engine.stdin.flush()
        line = engine.stdout.readline()
        if not line:
            log = (tmp / "headless.log").read_text(errors="replace").strip().splitlines()
            raise RuntimeError(f"the headless process ended (exit code {engine.wait()}): {log[-1] if log else ''}")
        return float(line)

    def in_app(probe: bool):  # started from the page as a person does; the GUI thread's event loop runs
        page.form.set_values(values)
        page.start()
        late, cpu = _measure(app, seconds + 30, until=job_ended, probe=probe)
        app.processEvents()
        return late, cpu, results[-1]["tokens_per_s"]

    # Throughput: headless and in-app runs take turns, in the order ABBA ABBA…, so a machine that
    # speeds up or slows down (a shared VM moves by ±15% within a minute) weighs on both; each
    # round's ratio compares two neighbouring runs, and the median of the rounds' ratios is the
    # result. The app runs without the lateness probe, whose 50 wake-ups a second are the
    # measurement's cost, not the app's.
    idle, idle_cpu = _measure(app, min(5.0, seconds / 4))
    head_tps, app_tps, app_cpu = [], [], []

    def headless_run():
        head_tps.append(headless())

    def app_run():
        _, cpu, tps = in_app(probe=False)
        app_tps.append(tps)
        app_cpu.append(cpu)

    try:
        for r in range(rounds):
            for one in (headless_run, app_run) if r % 2 == 0 else (app_run, headless_run):
                one()
    finally:
        engine.stdin.close()
        engine.wait()
        engine_log.close()
    # Lateness: one more in-app run with the probe.
    busy, _, probed_tps = in_app(probe=True)
    with Store(ws.db_path) as store:
        run_id = store.runs("pretrain")[-1]["id"]
        steps = len(store.metrics(run_id, "train/loss"))
    ratios = np.asarray(app_tps) / np.asarray(head_tps)
    ratio = float(np.median(ratios))
    result = {
        **_stats(busy),
        "idle_p50_ms": _stats(idle)["p50_ms"],
        "idle_p99_ms": _stats(idle)["p99_ms"],
        "p99_ratio_to_idle": None,
        "gui_thread_cpu_share": round(float(np.median(app_cpu)), 3),  # GUI thread's CPU s per s of the job
        "idle_gui_thread_cpu_share": round(idle_cpu, 3),
        "train_steps": steps,
        "graph_points": page.plot.point_count("train/loss"),
        "graph_repaints": page.plot.repaint_count,
        "interval_ms": INTERVAL_MS,
        "seconds": seconds,
        "rounds": rounds,
        "threads": threads,
        "gui_tokens_per_s": round(float(np.median(app_tps)), 1),
        "headless_tokens_per_s": round(float(np.median(head_tps)), 1),
        "gui_tokens_per_s_each": [round(t, 1) for t in app_tps],
        "headless_tokens_per_s_each": [round(t, 1) for t in head_tps],
        "probed_gui_tokens_per_s": round(probed_tps, 1),
        "throughput_ratio_each": [round(float(x), 3) for x in ratios],
        "throughput_ratio_gui_to_headless": round(ratio, 3),  # median of the rounds' ratios
    }
    if result["idle_p99_ms"]:
        result["p99_ratio_to_idle"] = round(result["p99_ms"] / max(result["idle_p99_ms"], 0.01), 2)
    win.close()
    win.deleteLater()  # tear the window down while Qt is still alive, not in Python's final GC
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    return result
