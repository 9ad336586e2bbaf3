"""The compare page's tabs: a queue of prompts to label, the leaderboard of all judgements, and
the token-shift view (which tokens alignment changed)."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.compare.arena import Queues
from engine.compare.leaderboard import MIN_JUDGEMENTS
from engine.events import Finished
from engine.train.loop import resolve_device
from gui.widgets.token_view import _Browser, visible

SHIFT_JOB = "token-shift"
SHIFT_COLORS = {"unshifted": "", "marginal": "#ffec99", "shifted": "#ffa8a8"}


class QueueTab(QWidget):
    """Label a whole prompt list: each prompt answered by the chosen runs (N samples each), ranked,
    then the next; the position is saved with every ranking, so a session resumes another day."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        about = QLabel(
            self.tr(
                "A queue takes the prompt list and the runs chosen above. Space goes to the next "
                "prompt; every ranking moves the queue on, and it remembers where you stopped."
            )
        )
        about.setWordWrap(True)
        self.samples = QSpinBox()
        self.samples.setObjectName("queueSamples")
        self.samples.setRange(1, 4)
        self.samples.setToolTip(self.tr("Answers per run and prompt (each with its own seed)"))
        self.new_button = QPushButton(self.tr("New queue from the prompt list"))
        self.new_button.setObjectName("newQueue")
        self.new_button.clicked.connect(self.new_queue)
        self.queues = QComboBox()
        self.queues.setObjectName("queueList")
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setObjectName("resumeQueue")
        self.resume_button.clicked.connect(self.resume)
        self.leave_button = QPushButton(self.tr("Leave the queue"))
        self.leave_button.clicked.connect(self.leave)
        self.progress = QProgressBar()
        self.progress.setObjectName("queueProgress")
        self.progress.setFormat(self.tr("%v / %m prompts"))
        form = QFormLayout()
        form.addRow(self.tr("Answers per run"), self.samples)
        row = QHBoxLayout()
        row.addWidget(self.queues, 1)
        row.addWidget(self.resume_button)
        row.addWidget(self.leave_button)
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addLayout(form)
        lay.addWidget(self.new_button)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addStretch(1)

    def refresh(self):
        self.queues.clear()
        ws = self.page.ctx.ws
        if ws is None:
            return
        with Queues(ws) as queues:
            for q in queues.list():
                self.queues.addItem(self.tr("{0} — {1} / {2}").format(q.name, q.position, len(q.prompts)), q.id)
        q = self.page.session.queue
        self.progress.setVisible(q is not None)
        if q is not None:
            self.progress.setRange(0, len(q.prompts))
            self.progress.setValue(q.position)
            at = self.queues.findData(q.id)
            if at >= 0:
                self.queues.setCurrentIndex(at)

    def new_queue(self):
        page = self.page
        runs = list(dict.fromkeys(c.ref for c in page.columns() if c.ref))
        dec = page.decoding.config
        if page.ctx.ws is None or dec is None:
            return
        try:
            with Queues(page.ctx.ws) as queues:
                q = queues.create(
                    time.strftime("%Y-%m-%d %H:%M"), page.prompts, runs, self.samples.value(), dec.sampling()
                )
        except Exception as e:  # DojoError: no prompts, or too few answers
            page.saved_label.setText(str(e))
            return
        self.start(q)

    def resume(self):
        qid = self.queues.currentData()
        if qid is None or self.page.ctx.ws is None:
            return
        with Queues(self.page.ctx.ws) as queues:
            self.start(queues.get(qid))

    def start(self, q):
        self.page.session.queue = q
        self.refresh()
        self.page.saved_label.setText(
            self.tr("Queue {0}: prompt {1} of {2}. Space generates it.").format(
                q.name, min(q.position + 1, len(q.prompts)), len(q.prompts)
            )
        )

    def leave(self):
        if self.page.session is not None:
            self.page.session.queue = None
        self.refresh()


class LeaderboardTab(QWidget):
    """Every run's Bradley–Terry score from all judgements between answers of different runs."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        about = QLabel(
            self.tr(
                "Scores from every ranking and pair between answers of different runs (Bradley–Terry, "
                "on the Elo scale: +100 ≈ wins 64% against the other); the interval comes from "
                "resampling the judgements. Few judgements, wide intervals; a run's interval is shown "
                "once it has {0} judgements."
            ).format(MIN_JUDGEMENTS)
        )
        about.setWordWrap(True)
        headers = [
            self.tr("Run"),
            self.tr("Elo"),
            self.tr("95% interval"),
            self.tr("Win rate"),
            self.tr("Games"),
            self.tr("Judgements"),
        ]
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName("leaderboardTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel()
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)
        self.board: dict = {}

    def refresh(self):
        from engine.compare.leaderboard import leaderboard

        self.table.setRowCount(0)
        ws = self.page.ctx.ws
        if ws is None:
            return
        self.board = leaderboard(self.page.session.prefs)
        for r in self.board["runs"]:
            i = self.table.rowCount()
            self.table.insertRow(i)
            cells = (
                r["run"],
                f"{r['elo']:.0f}",
                f"{r['ci_low']:.0f} – {r['ci_high']:.0f}"
                if not r["needs"]
                else self.tr("needs {0} more judgements").format(r["needs"]),
                f"{r['win_rate']:.0%}",
                str(r["games"]),
                str(r["judgements"]),
            )
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.summary.setText(
            self.tr("{0} judgements, {1} pairs between runs.").format(self.board["judgements"], self.board["pairs"])
        )


class ShiftTab(QWidget):
    """After "The Unlocking Spell on Base LLMs": where does the aligned model's answer differ from
    what the base model would have said? Most tokens are the base model's own first choice."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        about = QLabel(
            self.tr(
                "The aligned model answers; at each of its tokens the base model is asked what it "
                "would have said. Unshifted: the base model's first choice too; marginal: its second "
                "or third; shifted (red): alignment put it there. Hover a token for the base "
                "model's top choices."
            )
        )
        about.setWordWrap(True)
        self.base = QComboBox()
        self.base.setObjectName("shiftBase")
        self.aligned = QComboBox()
        self.aligned.setObjectName("shiftAligned")
        self.button = QPushButton(self.tr("Analyse the prompt list"))
        self.button.setObjectName("shiftButton")
        self.button.clicked.connect(self.analyse)
        self.result_label = QLabel()
        self.result_label.setObjectName("shiftResult")
        self.result_label.setWordWrap(True)
        self.view = _Browser()
        self.view.setObjectName("shiftView")
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Base")))
        row.addWidget(self.base, 1)
        row.addWidget(QLabel(self.tr("Aligned")))
        row.addWidget(self.aligned, 1)
        row.addWidget(self.button)
        lay = QVBoxLayout(self)
        lay.addWidget(about)
        lay.addLayout(row)
        lay.addWidget(self.result_label)
        lay.addWidget(self.view, 1)
        self.result: dict | None = None

    def set_runs(self, found: list[dict]):
        for box, prefer in ((self.base, "pretrain"), (self.aligned, None)):
            keep = box.currentData()
            box.clear()
            for c in found:
                box.addItem(f"{c['stage']} · {c['run']}", c["run"])
            at = box.findData(keep) if keep else -1
            if at < 0:
                at = next(
                    (i for i, c in enumerate(found) if (c["stage"] == prefer if prefer else c["stage"] != "pretrain")),
                    0,
                )
            box.setCurrentIndex(at)

    def sync(self, ready: bool):
        self.button.setEnabled(ready and self.base.count() > 0)

    def analyse(self):
        from engine.compare.token_shift import token_shift

        ws, base, aligned = self.page.ctx.ws, self.base.currentData(), self.aligned.currentData()
        prompts = self.page.prompts[:24]
        if ws is None or not base or not aligned or not prompts:
            return
        device = resolve_device(self.page.ctx.machine_overrides()["device"])
        self.result_label.setText(self.tr("Analysing {0} prompts…").format(len(prompts)))

        def job(control):
            yield Finished("done", token_shift(ws, base, aligned, prompts, device=device))

        handle = self.page.ctx.runner.start(SHIFT_JOB, job)
        if handle is not None:
            handle.finished.connect(self._on_finished)
            handle.failed.connect(self.result_label.setText)

    @Slot(str, dict)
    def _on_finished(self, status, result):
        self.result = result
        self.result_label.setText(
            self.tr("Unshifted {0:.0%} · marginal {1:.0%} · shifted {2:.0%} of {3} tokens. Most shifted: {4}").format(
                result["unshifted"],
                result["marginal"],
                result["shifted"],
                result["positions"],
                ", ".join(f"{t['token']!r} ×{t['count']}" for t in result["top_shifted"][:6]),
            )
        )
        parts = []
        for p in result["per_prompt"]:
            spans = []
            for t in p["tokens"]:
                tip = html.escape("\n".join(f"{text!r}: {prob:.3f}" for text, prob in t["base_top"]), quote=True)
                color = SHIFT_COLORS[t["class"]]
                style = f"background-color:{color}; color:#000" if color else ""
                spans.append(f'<span title="{tip}" style="{style}">{visible(t["token"])}</span>')
            parts.append(f"<p><b>{html.escape(p['prompt'])}</b><br>{''.join(spans)}</p>")
        self.view.setHtml("".join(parts))
        self.page.sync_buttons()
