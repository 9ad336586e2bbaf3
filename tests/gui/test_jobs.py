"""The job runner: events cross to the GUI thread, to the handle of the job they belong to; failures
arrive as signals, stop is cooperative."""

import threading
import time

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from engine.errors import DojoError
from engine.events import Finished, Log, Metrics
from gui.jobs import JobRunner


@pytest.fixture
def runner(qtbot):
    r = JobRunner()
    yield r
    if r.is_busy():
        r.stop()
        qtbot.waitUntil(lambda: not r.is_busy(), timeout=10_000)


def counting_job(n, delay=0.0, record=None):
    def make(control):
        for i in range(n):
            if control.cancelled:
                yield Finished("cancelled", {"steps": i})
                return
            control.wait_while_paused()
            if record is not None:
                record.append(threading.current_thread().name)
            time.sleep(delay)
            yield Metrics(i, {"train/loss": float(n - i)})
        yield Finished("done", {"steps": n})

    return make


def test_events_arrive_on_the_gui_thread_in_order(qtbot, runner):
    got, threads = [], []
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        job = runner.start("count", counting_job(50))
        assert job
        job.metrics.connect(lambda step, values: (got.append(step), threads.append(QThread.currentThread())))
    assert blocker.args[:2] == ["count", "done"] and blocker.args[2] == {"steps": 50}
    assert got == list(range(50))
    assert all(t is QApplication.instance().thread() for t in threads)
    assert not runner.is_busy()


def test_the_job_runs_off_the_gui_thread(qtbot, runner):
    names = []
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start("count", counting_job(3, record=names))
    assert names and all(n != threading.main_thread().name for n in names)


@pytest.mark.parametrize(
    "exc, text", [(DojoError("bad input: x"), "bad input: x"), (ZeroDivisionError("boom"), "ZeroDivisionError: boom")]
)
def test_exceptions_become_a_failed_signal(qtbot, runner, exc, text):
    def make(control):
        yield Log("about to fail")
        raise exc

    with qtbot.waitSignal(runner.failed, timeout=10_000) as blocker:
        runner.start("bad", make)
    assert blocker.args == ["bad", text]
    assert not runner.is_busy()
    with qtbot.waitSignal(runner.finished, timeout=10_000):  # and the next job can start
        assert runner.start("count", counting_job(2))


def test_one_job_at_a_time_and_stop_within_a_step(qtbot, runner):
    job = runner.start("slow", counting_job(10_000, delay=0.01))
    assert job
    assert not runner.start("other", counting_job(1))
    qtbot.waitSignal(job.metrics, timeout=10_000).wait()
    with qtbot.waitSignal(runner.finished, timeout=5_000) as blocker:
        runner.stop()
    assert blocker.args[1] == "cancelled" and blocker.args[2]["steps"] < 10_000


def test_pause_and_resume(qtbot, runner):
    steps = []
    runner.start("slow", counting_job(10_000, delay=0.005)).metrics.connect(lambda s, v: steps.append(s))
    qtbot.waitUntil(lambda: len(steps) > 3, timeout=10_000)
    runner.pause()
    qtbot.wait(200)
    n = len(steps)
    qtbot.wait(300)
    assert len(steps) <= n + 1 and runner.is_paused()
    runner.resume()
    qtbot.waitUntil(lambda: len(steps) > n + 5, timeout=10_000)


def test_a_handle_hears_its_own_job_only(qtbot, runner):
    steps = {"first": [], "second": []}

    def failing(control):
        yield Metrics(0, {})
        raise DojoError("no data")

    first = runner.start("first", counting_job(3))
    first.metrics.connect(lambda s, v: steps["first"].append(s))
    with qtbot.waitSignal(first.finished, timeout=10_000) as blocker:
        assert first.is_running()
    assert blocker.args == ["done", {"steps": 3}] and not first.is_running()
    second = runner.start("second", failing)
    second.metrics.connect(lambda s, v: steps["second"].append(s))
    with qtbot.waitSignal(second.failed, timeout=10_000) as blocker:
        pass
    assert blocker.args == ["no data"] and first.name == "first" and second.name == "second"
    assert steps == {"first": [0, 1, 2], "second": [0]}  # the first handle heard nothing of the second job


def test_gui_latency_benchmark_runs(qtbot):
    """The benchmark itself works (its numbers are read by people, not asserted here)."""
    from bench.gui_latency import run

    r = run(2.0, rounds=2)  # both orders of a round: headless first, then the app first
    assert r["ticks"] > 0 and r["train_steps"] > 0 and r["graph_points"] == r["train_steps"]
    assert len(r["throughput_ratio_each"]) == 2 and r["throughput_ratio_gui_to_headless"] > 0
    assert r["p50_ms"] is not None and r["p99_ms"] >= r["p50_ms"]


def test_cyclic_garbage_is_collected_on_the_gui_thread_while_a_job_runs(qtbot, runner):
    """The job thread must never run the collector (it could destroy Qt wrappers off the GUI thread)."""
    import gc
    import weakref

    class Cycle:
        pass

    seen = {}

    def job(control):
        seen["gc_enabled_in_job"] = gc.isenabled()
        c = Cycle()
        c.self = c  # only the cyclic collector can free it
        seen["ref"] = weakref.ref(c)
        del c
        for _ in range(200):  # allocate a lot: an automatic collection would fire here if enabled
            _ = [[] for _ in range(1000)]
        seen["alive_after_allocating"] = seen["ref"]() is not None
        deadline = time.monotonic() + 5
        while seen["ref"]() is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # the GUI thread's timer collects it
        seen["freed_in_job"] = seen["ref"]() is None
        yield Finished("done", {})

    assert gc.isenabled()
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        assert runner.start("gc", job)
    assert seen == {
        "gc_enabled_in_job": False,
        "ref": seen["ref"],
        "alive_after_allocating": True,
        "freed_in_job": True,
    }
    assert gc.isenabled()  # back on once the job ends


def test_the_panel_shows_a_count_of_its_own_unit_without_tokens(runner, qtbot):
    """A phase that counts prompts or answers (Progress.of) shows its rate per second, not tokens/s."""
    from engine.events import Progress
    from gui.widgets.job_panel import JobPanel

    panel = JobPanel(runner, "test", "Start")
    qtbot.addWidget(panel)
    panel._on_progress(Progress.of(5, 40, time.monotonic() - 2.0, "prompt"))
    assert panel.progress.format() == "prompt 5 / 40" and panel.progress.value() == 5
    assert "per second" in panel.status.text() and "token" not in panel.status.text()
    panel._on_progress(Progress(10, 100, 12_800, 6_400.0, 2.0, 18.0))  # a training step: tokens
    qtbot.waitUntil(lambda: "12,800 tokens" in panel.status.text(), timeout=2_000)


def test_a_flood_of_progress_reports_redraws_the_line_a_few_times_and_ends_on_the_newest(runner, qtbot):
    """A small model reports ~50 steps a second, and each new text lays the page out again: the
    panel shows the first report at once, then at most one every PROGRESS_MS, always the newest."""
    from engine.events import Progress
    from gui.widgets.job_panel import PROGRESS_MS, JobPanel

    panel = JobPanel(runner, "test", "Start")
    qtbot.addWidget(panel)
    shown = []
    real = panel.status.setText
    panel.status.setText = lambda text: (shown.append(text), real(text))
    t0 = time.monotonic()
    for step in range(1, 201):
        panel._on_progress(Progress(step, 200, step * 100, 5_000.0, 1.0, 1.0))
    assert panel.progress.value() == 1 and len(shown) == 1  # the first at once
    qtbot.waitUntil(lambda: panel.progress.value() == 200, timeout=2_000)
    assert "20,000 tokens" in panel.status.text()
    assert len(shown) <= 2 + (time.monotonic() - t0) * 1000 / PROGRESS_MS


def test_the_panel_says_what_the_job_does_between_steps(runner, qtbot):
    """While a job validates or answers its prompts the progress stands still: the status line says
    why, after the last progress, and a new step replaces it; after Stop, 'Stopping…' stays."""
    from engine.events import Phase, Progress
    from gui.widgets.job_panel import JobPanel

    gate = threading.Event()

    def make(control):
        yield Phase("validating")
        yield Progress(1, 10, 2048, 1000.0, 2.0, 18.0)
        yield Phase("answering", 2, 6)
        gate.wait(10)
        yield Progress(2, 10, 4096, 1000.0, 4.0, 16.0)
        while not control.cancelled:
            time.sleep(0.01)
        yield Phase("saving")
        yield Finished("cancelled", {})

    panel = JobPanel(runner, "test", "Start")
    qtbot.addWidget(panel)
    panel.run(make)
    qtbot.waitUntil(lambda: "answering the evaluation prompts 2 / 6" in panel.status.text(), timeout=5_000)
    assert panel.status.text().startswith("2,048 tokens")  # the last progress stays in front
    gate.set()
    qtbot.waitUntil(lambda: panel.status.text().startswith("4,096 tokens"), timeout=5_000)
    assert "answering" not in panel.status.text()
    panel._on_stop()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5_000)
    assert "saving" not in panel.status.text()  # Stopping… was not overwritten; then the end
    assert panel.status.text().startswith("Stopped")


def test_a_job_trains_on_torchs_threads_while_the_gui_thread_works_alone(qtbot, runner):
    """lmdojo's main() makes the GUI thread serial (engine.train.threads.serial_here); torch's count is
    shared by threads that start later, so the job's thread must set its own, or it would train on one."""
    import torch

    from engine.train.threads import TORCH_THREADS

    before = torch.get_num_threads()
    seen = []

    def job(control):
        seen.append(torch.get_num_threads())
        yield Finished("done", {})

    try:
        torch.set_num_threads(1)  # what serial_here leaves: the shared count at one
        handle = runner.start("threads", job)
        with qtbot.waitSignal(handle.finished, timeout=10_000):
            pass
        assert seen == [TORCH_THREADS] and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
