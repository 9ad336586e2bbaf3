"""Engine jobs on a background thread, their events re-emitted as Qt signals on the GUI thread.

The Qt pattern: a worker QObject moved to a QThread runs the engine's event generator; every
event crosses to the GUI thread through a queued signal; widgets are touched only there.
Stopping is cooperative (engine.events.Control, checked between steps): the job saves a
checkpoint and returns. QThread.terminate() is never used.
"""

from __future__ import annotations

import gc
import logging
import traceback
from typing import Callable, Iterator

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from engine import events as E
from engine.errors import DojoError, TrainingError
from engine.train.threads import job_threads

log = logging.getLogger("lmdojo.jobs")

MakeEvents = Callable[[E.Control], Iterator]
GC_INTERVAL_MS = 500


class GuiThreadGC(QObject):
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. If the job
    thread collects a cycle holding Qt wrappers of widgets, it destroys them off the GUI thread while
    the GUI thread may be deleting widgets too: a deadlock (seen in a test: the worker in gc_collect
    waiting for the GIL inside ~QObject, the GUI thread in ~QWidget waiting for a Qt mutex). So while
    a job runs, automatic collection is off and the GUI thread collects on a timer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(GC_INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self._was_enabled = True

    def begin(self):
        self._was_enabled = gc.isenabled()
        gc.disable()
        # What exists now (the app's widgets, the modules) is never garbage while the job runs: moved
        # out of the collector's sight, each collection looks only at what the job made since. A
        # collection holds the GIL, and then the job's thread waits (it took ~8 ms, twice a second).
        # No full collection before or after the job: one took ~300 ms, a frozen window at Start and
        # at the end; the cycles the freeze kept are the automatic collector's again after it.
        gc.freeze()
        self.timer.start()

    def end(self):
        self.timer.stop()
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()

    @Slot()
    def collect(self):
        # generation 0 as often as the timer fires; the older ones when their thresholds say so
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)


class _Worker(QObject):
    """Lives on the job thread; emits what the engine yields."""

    event = Signal(object)
    done = Signal(object)  # the Finished event, or None when the job ended without one
    failed = Signal(str)

    def __init__(self, make_events: MakeEvents, control: E.Control):
        super().__init__()
        self._make_events, self._control = make_events, control

    @Slot()
    def run(self):
        finished = None
        job_threads()  # the GUI thread runs torch on one thread (gui.app): the job sets its own
        try:
            for ev in self._make_events(self._control):
                if isinstance(ev, E.Finished):
                    finished = ev
                self.event.emit(ev)
        except (DojoError, TrainingError) as e:  # the user can act on these: the message says how
            self.failed.emit(str(e))
            return
        except Exception as e:  # a bug or an environment problem: keep the traceback in the log
            log.error("job failed:\n%s", traceback.format_exc())
            self.failed.emit(f"{type(e).__name__}: {e}")
            return
        self.done.emit(finished)


class Job(QObject):
    """One job, as its starter sees it: its events and its end, and nobody else's. JobRunner.start
    returns it before any event is delivered (they arrive through the GUI thread's event loop), so
    whatever is connected right after the start misses nothing."""

    metrics = Signal(int, dict)
    progress = Signal(object)  # engine.events.Progress
    phase = Signal(object)  # engine.events.Phase: what the job does between steps
    sample = Signal(object)  # engine.events.Sample
    checkpoint = Signal(object)  # engine.events.Checkpoint
    log_message = Signal(str, str)  # message, level
    other = Signal(object)  # events without a signal of their own (e.g. engine.compare.arena.Token)
    finished = Signal(str, dict)  # status (done | cancelled), result
    failed = Signal(str)  # message

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self._running = True

    def is_running(self) -> bool:
        """False from the moment the runner is free again (just before finished or failed)."""
        return self._running


class JobRunner(QObject):
    """Runs one engine job at a time. The job's events go to its own Job handle; the runner's
    signals are the ones every page may care about: a job started or ended, busy, paused."""

    started = Signal(str)  # job name
    finished = Signal(str, str, dict)  # job name, status (done | cancelled), result
    failed = Signal(str, str)  # job name, message
    busy_changed = Signal(bool)
    paused_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._control: E.Control | None = None
        self._job: Job | None = None
        self.name: str | None = None
        self._gc = GuiThreadGC(self)

    # -- control --------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self._thread is not None

    def start(self, name: str, make_events: MakeEvents) -> Job | None:
        """Start a job and return its handle; None (and nothing happens) while another one runs."""
        if self.is_busy():
            return None
        self.name = name
        self._job = Job(name)
        self._control = E.Control()
        self._thread = QThread(self)
        self._thread.setObjectName(f"job-{name}")
        self._worker = _Worker(make_events, self._control)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.event.connect(self._on_event)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._on_thread_finished)
        self._gc.begin()
        self._thread.start()
        self.busy_changed.emit(True)
        self.started.emit(name)
        return self._job

    def pause(self):
        if self._control is not None:
            self._control.pause()
            self.paused_changed.emit(True)

    def resume(self):
        if self._control is not None:
            self._control.resume()
            self.paused_changed.emit(False)

    def stop(self):
        """Ask the job to stop after its current step (it saves a checkpoint first)."""
        if self._control is not None:
            self._control.cancel()
            self.paused_changed.emit(False)

    def is_paused(self) -> bool:
        return self._control is not None and self._control.paused

    def stop_requested(self) -> bool:
        return self._control is not None and self._control.cancelled

    def wait(self, msecs: int = 60_000) -> bool:
        """Block until the job thread ends (used when the app quits)."""
        return self._thread is None or self._thread.wait(msecs)

    # -- events, on the GUI thread --------------------------------------------------------
    @Slot(object)
    def _on_event(self, ev):
        job = self._job
        if isinstance(ev, E.Metrics):
            job.metrics.emit(ev.step, ev.values)
        elif isinstance(ev, E.Progress):
            job.progress.emit(ev)
        elif isinstance(ev, E.Phase):
            job.phase.emit(ev)
        elif isinstance(ev, E.Sample):
            job.sample.emit(ev)
        elif isinstance(ev, E.Checkpoint):
            job.checkpoint.emit(ev)
            job.log_message.emit(self.tr("checkpoint saved: {0}").format(ev.path), "info")
        elif isinstance(ev, E.Log):
            job.log_message.emit(ev.message, ev.level)
        elif not isinstance(ev, E.Finished):
            job.other.emit(ev)

    @Slot(object)
    def _on_done(self, finished):
        self._result = ("finished", finished)
        self._thread.quit()

    @Slot(str)
    def _on_failed(self, message):
        self._result = ("failed", message)
        self._thread.quit()

    @Slot()
    def _on_thread_finished(self):
        kind, payload = getattr(self, "_result", ("failed", "the job ended unexpectedly"))
        name, job = self.name or "", self._job
        self._thread.deleteLater()
        self._worker.deleteLater()
        self._thread = self._worker = self._control = self._job = None
        self._result = None
        self._gc.end()
        job._running = False
        self.busy_changed.emit(False)
        # the runner's listeners (stage status) first, then the job's starter: the order it always had
        if kind == "finished":
            status = payload.status if payload is not None else "done"
            result = payload.result if payload is not None else {}
            self.finished.emit(name, status, result)
            job.finished.emit(status, result)
        else:
            self.failed.emit(name, payload)
            job.failed.emit(payload)
