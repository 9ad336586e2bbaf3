"""Start / Pause / Resume / Stop, a progress bar with step, tokens/s and ETA, an error banner, a log."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from gui.jobs import Job, JobRunner, MakeEvents


def fmt_duration(s: float | None) -> str:
    if s is None:
        return "–"
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


# The progress line is redrawn at most four times a second: a new text lays the page out again (the
# status label wraps), ~4 ms of the GUI thread each time, and a small model reports 50 steps a second.
PROGRESS_MS = 250


class JobPanel(QWidget):
    """Controls and status of the job a page starts through run(): only that job's events reach it."""

    start_clicked = Signal()

    def __init__(self, runner: JobRunner, job_name: str, start_text: str, can_pause: bool = True, parent=None):
        super().__init__(parent)
        self.runner, self.job_name = runner, job_name
        self.start_button = QPushButton(start_text)
        self.start_button.setObjectName("startButton")
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip(self.tr("Stop after the current step and save a checkpoint"))
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.pause_button.setVisible(can_pause)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.status = QLabel(self.tr("Ready."))
        self.status.setObjectName("jobStatus")
        self.status.setWordWrap(True)
        self._progress_text = ""
        self._pending = None  # the newest progress report not shown yet
        self._shown_at = -1.0
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.timeout.connect(self._show_pending)
        self.error = QLabel()
        self.error.setObjectName("errorBanner")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            "background: #fdecea; color: #8a1c12; border: 1px solid #e6a59d; border-radius: 4px; padding: 6px;"
        )
        self.error.hide()
        self.log = QPlainTextEdit()
        self.log.setObjectName("logPanel")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.error)
        self.start_button.clicked.connect(self._on_start)
        self.pause_button.clicked.connect(self._on_pause)
        self.stop_button.clicked.connect(self._on_stop)
        runner.busy_changed.connect(self._sync)
        runner.paused_changed.connect(self._sync)
        self.state = "idle"  # idle | running | done | cancelled | failed
        self.job: Job | None = None  # this panel's job, from its start until it ends
        self._sync()

    def run(self, make_events: MakeEvents) -> Job | None:
        """Start the page's job and follow it; its handle, for the page's own connections (None:
        another job runs)."""
        job = self.runner.start(self.job_name, make_events)
        if job is None:
            return None
        self.job = job
        job.progress.connect(self._on_progress)
        job.phase.connect(self._on_phase)
        job.log_message.connect(self._on_log)
        job.finished.connect(self._on_finished)
        job.failed.connect(self.show_failure)
        self.state = "running"
        self._t0 = time.monotonic()
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.status.setText(self.tr("Starting…"))
        self._progress_text = self.tr("Starting…")  # what a phase is shown after
        self.log.clear()
        self._sync()  # the runner said it was busy before this job was known to be ours
        return job

    def running(self) -> bool:
        """Whether this panel's job is the one running now."""
        return self.job is not None and self.job.is_running()

    def _on_start(self):
        self.error.hide()
        self.start_clicked.emit()

    def _on_pause(self):
        if self.runner.is_paused():
            self.runner.resume()
        else:
            self.runner.pause()

    def _on_stop(self):
        self.runner.stop()
        self.stop_button.setEnabled(False)  # until this job ends: a second click would change nothing
        self.status.setText(self.tr("Stopping after the current step, then saving a checkpoint…"))

    @Slot()
    def _sync(self, *_):
        busy, mine = self.runner.is_busy(), self.running()
        self.start_button.setEnabled(not busy)
        self.pause_button.setEnabled(busy and mine)
        self.stop_button.setEnabled(busy and mine and not self.runner.stop_requested())
        self.pause_button.setText(self.tr("Resume") if busy and mine and self.runner.is_paused() else self.tr("Pause"))
        if busy and not mine:
            self.start_button.setToolTip(self.tr("Another job is running; one job at a time"))
        else:
            self.start_button.setToolTip("")

    @Slot(object)
    def _on_progress(self, p):
        self._pending = p
        if self._flush.isActive():
            return  # shown when the timer fires, with whatever report is newest then
        wait = self._shown_at + PROGRESS_MS / 1000 - time.monotonic()
        if wait > 0:
            self._flush.start(int(wait * 1000) + 1)
        else:
            self._show_pending()

    def _show_pending(self):
        p, self._pending = self._pending, None
        self._flush.stop()
        if p is None:
            return
        self._shown_at = time.monotonic()
        if p.total_steps:
            self.progress.setRange(0, p.total_steps)
            self.progress.setValue(p.step)
        elif p.eta_s is not None and p.elapsed_s + p.eta_s > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * p.elapsed_s / (p.elapsed_s + p.eta_s)))
        self.progress.setFormat(f"{p.unit} {p.step:,}" + (f" / {p.total_steps:,}" if p.total_steps else ""))
        if p.unit != "step" and p.tokens == p.step:  # counts its own unit (Progress.of): no tokens to show
            text = self.tr("{0:,.1f} per second · elapsed {1} · ETA {2}").format(
                p.tokens_per_s, fmt_duration(p.elapsed_s), fmt_duration(p.eta_s)
            )
        else:
            text = self.tr("{0:,} tokens · {1:,.0f} tokens/s · elapsed {2} · ETA {3}").format(
                p.tokens, p.tokens_per_s, fmt_duration(p.elapsed_s), fmt_duration(p.eta_s)
            )
        self._progress_text = text
        if not self.runner.stop_requested():  # "Stopping…" stays until the job ends
            self.status.setText(text)

    def phase_text(self, p) -> str:
        what = {
            "validating": self.tr("validating"),
            "answering": self.tr("answering the evaluation prompts"),
            "saving": self.tr("saving a checkpoint"),
            "measuring": self.tr("measuring the model on held-out prompts (a minute or more)"),
        }.get(p.what, p.what)
        return f"{what} {p.done} / {p.total}" if p.total else f"{what}…"

    @Slot(object)
    def _on_phase(self, p):
        """Between steps the progress stands still: say why, after the last progress line."""
        if self.runner.stop_requested():
            return  # "Stopping…" stays until the job ends
        self._show_pending()  # the phase follows the newest progress line
        self.status.setText(f"{self._progress_text} · {self.phase_text(p)}")

    @Slot(str, str)
    def _on_log(self, message, level):
        self.log.appendPlainText(("⚠ " if level == "warning" else "") + message)

    @Slot(str, dict)
    def _on_finished(self, status, result):
        self._show_pending()  # the bar's last position, then the end's text over the line
        self.job = None
        self.state = status
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.progress.setValue(self.progress.maximum() if status == "done" else self.progress.value())
        self.status.setText(self.tr("Done.") if status == "done" else self.tr("Stopped; a checkpoint was saved."))
        self._sync()

    @Slot(str)
    def show_failure(self, message: str):
        """The error banner: the job failed, or the page could not start it (e.g. a setting is wrong)."""
        self._pending = None
        self._flush.stop()
        self.job = None
        self.state = "failed"
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.status.setText(self.tr("Failed."))
        self.error.setText(message)
        self.error.show()
        self.log.appendPlainText("✖ " + message)
        self._sync()
