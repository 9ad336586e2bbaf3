"""Compare page: checkpoints of every stage answer the same prompt side by side, token by token; a
person ranks the answers (blind if they like) and each judgement goes straight into the
preference store, where the reward model and DPO find it. Tabs below: decoding settings, a queue
of prompts to label, the leaderboard of all judgements, and the token-shift view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.compare.arena import MAX_COLUMNS, Column, Decoding, contenders, side_by_side
from engine.compare.ranking import RankingSession
from engine.errors import DojoError
from engine.io import hf_import
from engine.train import POLICY_STAGES
from engine.train.loop import resolve_device
from gui.insight.tax import TaxPanel
from gui.insight.timeline import TimelinePanel
from gui.pages.base import StagePage
from gui.pages.compare_tabs import LeaderboardTab, QueueTab, ShiftTab
from gui.widgets.answer_view import AnswerView
from gui.widgets.config_form import ConfigForm

JOB = "compare"
LETTERS = "ABCD"
STAGE_ORDER = [hf_import.STAGE, *POLICY_STAGES]  # side by side from left to right, on a fresh page


class ComparePage(StagePage):
    stage = "compare"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Compare"),
            self.tr(
                "The same prompt answered by checkpoints of every stage, side by side. Rank the answers: each "
                "judgement is saved at once to the preference store, where the reward model and DPO learn from it."
            ),
            parent,
        )
        self.prompts: list[list[dict]] = []  # the prompt list (demo or file)
        self.own_decoding: dict[int, Decoding] = {}  # per-column settings, when set
        self.job = None  # the generation's handle (gui.jobs.Job) while it runs
        self._session: RankingSession | None = None

        # prompt
        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setObjectName("comparePrompt")
        self.prompt_edit.setPlaceholderText(self.tr("Type a prompt, or pick one from the list…"))
        self.prompt_edit.setMaximumHeight(64)
        self.prompt_list = QComboBox()
        self.prompt_list.setObjectName("promptList")
        self.prompt_list.activated.connect(self._pick_prompt)
        self.load_button = QPushButton(self.tr("Load prompts…"))
        self.load_button.clicked.connect(self._ask_prompt_file)
        row = QHBoxLayout()
        row.addWidget(self.prompt_edit, 3)
        side = QVBoxLayout()
        side.addWidget(self.prompt_list)
        side.addWidget(self.load_button)
        row.addLayout(side, 2)
        self.body.addLayout(row)

        # contenders
        self.count = QSpinBox()
        self.count.setObjectName("answerCount")
        self.count.setRange(2, MAX_COLUMNS)
        self.count.setValue(2)
        self.count.valueChanged.connect(self._sync_columns)
        self.run_boxes, self.gear_buttons = [], []
        crow = QHBoxLayout()
        crow.addWidget(QLabel(self.tr("Answers")))
        crow.addWidget(self.count)
        for k in range(MAX_COLUMNS):
            box = QComboBox()
            box.setObjectName(f"runBox{k}")
            box.setMinimumContentsLength(18)
            gear = QToolButton()
            gear.setText("⚙")
            gear.setObjectName(f"columnSettings{k}")
            gear.setToolTip(self.tr("Decoding settings of this column only"))
            gear.clicked.connect(lambda _=False, k=k: self._edit_column(k))
            self.run_boxes.append(box)
            self.gear_buttons.append(gear)
            crow.addWidget(box, 1)
            crow.addWidget(gear)
        self.blind = QCheckBox(self.tr("Blind"))
        self.blind.setObjectName("blindMode")
        self.blind.setToolTip(self.tr("Shuffle the answers and hide which run wrote which until you have ranked them"))
        self.generate_button = QPushButton(self.tr("Generate"))
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip(self.tr("Ctrl+Enter"))
        self.generate_button.clicked.connect(self.generate)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.clicked.connect(lambda: ctx.runner.stop())
        crow.addWidget(self.blind)
        crow.addWidget(self.generate_button)
        crow.addWidget(self.stop_button)
        self.body.addLayout(crow)

        # answers
        answers = QWidget()
        alay = QHBoxLayout(answers)
        alay.setContentsMargins(0, 0, 0, 0)
        self.views = [AnswerView(k) for k in range(MAX_COLUMNS)]
        for k, view in enumerate(self.views):
            view.thumbed.connect(lambda up, k=k: self.thumb(k, up))
            alay.addWidget(view, 1)

        # ranking
        self.better_buttons = []
        rrow = QHBoxLayout()
        for k in range(2):
            b = QPushButton(self.tr("{0} is better ({1})").format(LETTERS[k], k + 1))  # disabled until answers exist
            b.setObjectName(f"better{k}")
            b.clicked.connect(lambda _=False, k=k: self.choose(k))
            self.better_buttons.append(b)
            rrow.addWidget(b)
        self.tie_button = QPushButton(self.tr("Tie (T)"))
        self.tie_button.setObjectName("tieButton")
        self.tie_button.clicked.connect(lambda: self.choose(None))
        rrow.addWidget(self.tie_button)
        self.rank_list = QListWidget()
        self.rank_list.setObjectName("rankList")
        self.rank_list.setFlow(QListWidget.Flow.LeftToRight)
        self.rank_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.rank_list.setMaximumHeight(34)
        self.rank_list.setToolTip(self.tr("Drag to order, best on the left; or press 1–4 in order of preference"))
        rrow.addWidget(self.rank_list, 1)
        self.save_rank_button = QPushButton(self.tr("Save ranking"))
        self.save_rank_button.setObjectName("saveRanking")
        self.save_rank_button.clicked.connect(self.save_ranking)
        rrow.addWidget(self.save_rank_button)
        self.next_button = QPushButton(self.tr("Next prompt (Space)"))
        self.next_button.setObjectName("nextPrompt")
        self.next_button.clicked.connect(self.next_prompt)
        rrow.addWidget(self.next_button)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setWordWrap(True)
        top = QWidget()
        tlay = QVBoxLayout(top)
        tlay.setContentsMargins(0, 0, 0, 0)
        tlay.addWidget(answers, 1)
        tlay.addLayout(rrow)
        tlay.addWidget(self.saved_label)

        # tabs
        self.decoding = ConfigForm(Decoding, labels=self.decoding_labels())
        self.decoding.setObjectName("decodingForm")
        self.queue_tab = QueueTab(self)
        self.leaderboard = LeaderboardTab(self)
        self.shift_tab = ShiftTab(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.decoding, self.tr("Decoding"))
        self.tabs.addTab(self.queue_tab, self.tr("Queue"))
        self.tabs.addTab(self.leaderboard, self.tr("Leaderboard"))
        self.tabs.addTab(self.shift_tab, self.tr("Token shift"))
        self.tax_tab = TaxPanel(ctx)
        self.timeline_tab = TimelinePanel(ctx)
        self.tabs.addTab(self.tax_tab.as_tab(), self.tr("Alignment tax"))
        self.tabs.addTab(self.timeline_tab.as_tab(), self.tr("Timeline"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.body.addWidget(split, 1)

        for keys, slot in (
            ("Ctrl+Return", self.generate),
            ("Space", self.next_prompt),
            ("Ctrl+Z", self.undo),
            ("T", lambda: self.choose(None)),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for k in range(MAX_COLUMNS):
            QShortcut(
                QKeySequence(str(k + 1)),
                self,
                lambda k=k: self.pick(k),
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

        ctx.stages_changed.connect(self.refresh)  # new runs to compare
        ctx.runner.busy_changed.connect(self.sync_buttons)
        self._sync_columns()
        self.refresh()

    # -- workspace ------------------------------------------------------------------------
    @property
    def session(self) -> RankingSession | None:
        """The ranking in the open workspace (None without one); another workspace starts afresh,
        so undo never reaches into a store it did not write."""
        ws = self.ctx.ws
        if ws is None:
            return None
        if self._session is None or self._session.ws.db_path != ws.db_path:
            if self._session is not None:
                self._session.close()
            self._session = RankingSession(ws)
        return self._session

    def refresh(self):
        ws = self.ctx.ws
        found = contenders(ws) if ws is not None else []
        for k, box in enumerate(self.run_boxes):
            keep = box.currentData()
            box.clear()
            for c in found:
                box.addItem(f"{c['stage']} · {c['run']}", c["run"])
                box.setItemData(box.count() - 1, self.tr("from {0}").format(c["lineage"]), Qt.ItemDataRole.ToolTipRole)
            at = box.findData(keep) if keep else -1
            # a fresh page puts different stages side by side: the newest of each stage first
            box.setCurrentIndex(at if at >= 0 else self._default_index(found, k))
        self.shift_tab.set_runs(found)
        if ws is not None and not self.prompts:
            self.set_prompts(self._demo_prompts())
        self.leaderboard.refresh()
        self.queue_tab.refresh()
        self.sync_buttons()

    @staticmethod
    def _default_index(found: list[dict], k: int) -> int:
        firsts, seen = [], set()
        for i, c in enumerate(found):
            if c["stage"] not in seen:
                seen.add(c["stage"])
                firsts.append(i)
        place = {stage: i for i, stage in enumerate(STAGE_ORDER)}
        firsts = sorted(firsts, key=lambda i: place.get(found[i]["stage"], 99))
        if not found:
            return -1
        return firsts[k] if k < len(firsts) else min(k, len(found) - 1)

    def _demo_prompts(self) -> list[list[dict]]:
        from engine.data.demo_questions import demo_prompts

        try:
            qa, unsafe = demo_prompts(self.ctx.ws, "heldout")
        except DojoError:
            return []
        chat = [[{"role": "user", "content": t}] for t in ("Hello!", "Who are you?", "你好！", "你是誰？")]
        return chat + [m for pair in zip(qa[:16], unsafe) for m in pair]

    def set_prompts(self, prompts: list[list[dict]]):
        self.prompts = prompts
        self.prompt_list.clear()
        self.prompt_list.addItem(self.tr("— {0} prompts —").format(len(prompts)), -1)
        for i, m in enumerate(prompts):
            self.prompt_list.addItem(m[-1]["content"][:80], i)

    def _pick_prompt(self, index: int):
        i = self.prompt_list.itemData(index)
        if i is not None and i >= 0:
            self.prompt_edit.setPlainText(self.prompts[i][-1]["content"])

    def _ask_prompt_file(self):
        path = QFileDialog.getOpenFileName(
            self, self.tr("Load prompts"), "", self.tr("Prompts (*.txt *.jsonl *.json *.parquet)")
        )[0]
        if path:
            self.load_prompt_file(path)

    def load_prompt_file(self, path: str):
        from engine.data.sft_data import load_prompts

        try:
            self.set_prompts([p["messages"] for p in load_prompts(Path(path))])
        except DojoError as e:
            self.saved_label.setText(str(e))

    # -- columns --------------------------------------------------------------------------
    def _sync_columns(self, *_):
        n = self.count.value()
        for k in range(MAX_COLUMNS):
            for w in (self.run_boxes[k], self.gear_buttons[k], self.views[k]):
                w.setVisible(k < n)
        self.sync_buttons()

    def _edit_column(self, k: int):
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Decoding of column {0}").format(k + 1))
        form = ConfigForm(Decoding, labels=self.decoding_labels())
        start = self.own_decoding.get(k) or self.decoding.config or Decoding()
        form.set_values({f: getattr(start, f) for f in Decoding.__dataclass_fields__})
        shared = QCheckBox(self.tr("Use the shared settings"))
        shared.setChecked(k not in self.own_decoding)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        lay = QVBoxLayout(dlg)
        lay.addWidget(shared)
        lay.addWidget(form)
        lay.addWidget(buttons)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.set_column_decoding(k, None if shared.isChecked() else form.config)

    def decoding_labels(self) -> dict[str, str]:
        return {
            "greedy": self.tr("Greedy"),
            "temperature": self.tr("Temperature"),
            "top_k": self.tr("Top-k"),
            "top_p": self.tr("Top-p"),
            "repetition_penalty": self.tr("Repetition penalty"),
            "eos_bias": self.tr("End-of-turn bias"),
            "max_new_tokens": self.tr("Max new tokens"),
            "seed": self.tr("Seed"),
        }

    def set_column_decoding(self, k: int, decoding: Decoding | None):
        if decoding is None:
            self.own_decoding.pop(k, None)
        else:
            self.own_decoding[k] = decoding
        self.gear_buttons[k].setText("⚙*" if k in self.own_decoding else "⚙")

    def columns(self) -> list[Column]:
        shared = self.decoding.config or Decoding()
        out = []
        for k in range(self.count.value()):
            dec = self.own_decoding.get(k, shared)
            out.append(Column(self.run_boxes[k].currentData(), dec.sampling(offset=k)))
        return out

    # -- generating ----------------------------------------------------------------------
    def generate(self, columns: list[Column] | None = None):
        ws = self.ctx.ws
        if ws is None or self.ctx.runner.is_busy():
            return
        text = self.prompt_edit.toPlainText().strip()
        columns = columns or self.columns()
        if self.decoding.config is None:
            self.saved_label.setText(self.decoding.error or "")
            return
        if not text or any(c.ref is None for c in columns):
            self.saved_label.setText(self.tr("Type a prompt and pick a run for every column."))
            return
        n = len(columns)
        session = self.session
        session.begin([c.ref for c in columns], self.blind.isChecked())
        for k, view in enumerate(self.views):
            view.clear()
            view.setVisible(k < n)
        self._label_views()
        self.rank_list.clear()
        self.saved_label.setText(self.tr("Generating…"))
        messages = [{"role": "user", "content": text}]
        device = resolve_device(self.ctx.machine_overrides()["device"])
        job = self.ctx.runner.start(JOB, lambda control: side_by_side(ws, columns, messages, control, device))
        if job is not None:
            self.job = job
            job.other.connect(lambda ev: self._on_token(session, ev))
            job.finished.connect(lambda status, result: self._on_finished(session, status, result))
            job.failed.connect(self._on_failed)
            self.sync_buttons()  # the runner said it was busy before the job was known to be ours

    def _label_views(self):
        s = self.session
        for slot in range(len(s.slot_column)):
            letter = LETTERS[slot]
            if s.hidden:
                name = self.tr("Answer {0}").format(letter)
                self.views[slot].set_header(f"<b>{name}</b>")
            else:
                self.views[slot].set_header(f"<b>{letter}</b> · {s.run_of(slot)}")
        for k, b in enumerate(self.better_buttons):
            b.setText(self.tr("{0} is better ({1})").format(LETTERS[k], k + 1))

    # `s` is the session the answers were asked for: another workspace opened meanwhile has its own
    def _on_token(self, s: RankingSession, ev):
        if s is self._session and hasattr(ev, "column"):
            self.views[s.slot_of(ev.column)].add_token(ev.text, ev.prob, ev.top, ev.end)

    def _on_finished(self, s: RankingSession, status: str, result: dict):
        self.job = None
        if s is not self._session:
            self.sync_buttons()
            return
        s.answered(result)
        for slot in range(len(s.slot_column)):
            a = s.answer(slot)
            self.views[slot].status.setText(self.tr("{0} tokens").format(a["tokens"]) + ("" if a["ended"] else " …"))
            self.rank_list.addItem(QListWidgetItem(LETTERS[slot]))
        stopped = self.tr(" (stopped)") if status == "cancelled" else ""
        self.saved_label.setText(
            self.tr(
                "Answers saved{0}. Rank them: press 1–{1} from best to worst, or drag and save; T for a tie of two."
            ).format(stopped, len(s.slot_column))
        )
        self.sync_buttons()

    @Slot(str)
    def _on_failed(self, message):
        self.job = None
        self.saved_label.setText(message)
        self.sync_buttons()

    # -- judging ------------------------------------------------------------------------
    def pick(self, slot: int):
        """Key 1–4: the next best answer. The last one left needs no key."""
        s = self.session
        if s is None or not s.pick(slot):
            return
        self.saved_label.setText(" > ".join(LETTERS[k] for k in s.order) + " …")
        if s.complete:
            self._save(s.order)

    def choose(self, slot: int | None):
        """Of two answers: `slot` is better, or None for a tie."""
        s = self.session
        jid = s.choose(slot) if s is not None else None
        if jid is not None:
            self._saved(jid, s.order, tie=slot is None)

    def save_ranking(self):
        s = self.session
        if s is None or not s.can_rank:
            return
        self._save([LETTERS.index(self.rank_list.item(i).text()) for i in range(self.rank_list.count())])

    def _save(self, order: list[int]):
        self._saved(self.session.save(order), order)

    def _saved(self, jid: int, order: list[int], tie: bool = False):
        self._label_views()
        shown = (
            self.tr("tie: {0} = {1}").format(*(LETTERS[s] for s in order))
            if tie
            else " > ".join(LETTERS[s] for s in order)
        )
        self.saved_label.setText(self.tr("Saved judgement #{0}: {1}. Ctrl+Z undoes it.").format(jid, shown))
        if self.session.queue is not None:
            self.queue_tab.refresh()
        self.ctx.stages_changed.emit()  # the wizard's status, the leaderboard

    def thumb(self, slot: int, up: bool):
        s = self.session
        jid = s.thumb(slot, up) if s is not None else None
        if jid is not None:
            self.saved_label.setText(
                self.tr("Saved thumb {0} for {1} (#{2}). Ctrl+Z undoes it.").format(
                    self.tr("up") if up else self.tr("down"), LETTERS[slot], jid
                )
            )

    def undo(self):
        s = self.session
        jid = s.undo() if s is not None else None
        if jid is None:
            return
        if s.queue is not None:
            self.queue_tab.refresh()
        self._label_views()
        self.ctx.stages_changed.emit()
        self.saved_label.setText(self.tr("Judgement #{0} undone.").format(jid))
        self.sync_buttons()

    def next_prompt(self):
        """The next prompt of the queue, else of the list, generated at once."""
        if self.ctx.runner.is_busy():
            return
        queue = self.session.queue if self.session is not None else None
        if queue is not None:
            if queue.done:
                self.saved_label.setText(self.tr("The queue is finished."))
                return
            self.prompt_edit.setPlainText(queue.current()[-1]["content"])
            self.generate(queue.columns())
            return
        i = self.prompt_list.currentIndex() + 1
        if 0 < i < self.prompt_list.count():
            self.prompt_list.setCurrentIndex(i)
            self._pick_prompt(i)
            self.generate()

    def sync_buttons(self, *_):
        """Enable what can be done now: generate when idle, rank answers not ranked yet."""
        busy = self.ctx.runner.is_busy()
        ready = self.ctx.ws is not None and not busy
        s = self.session
        self.generate_button.setEnabled(ready)
        self.stop_button.setEnabled(busy and self.job is not None)
        can_rank = s is not None and s.can_rank and not busy
        two = s is not None and len(s.slot_column) == 2
        for b in self.better_buttons:
            b.setEnabled(can_rank and two)
        self.tie_button.setEnabled(can_rank and two)
        self.save_rank_button.setEnabled(can_rank)
        self.next_button.setEnabled(ready)
        self.shift_tab.sync(ready)
