"""The main window: a start screen, then the stage wizard of the open workspace."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.errors import DojoError
from engine.io.workspace import Workspace, take_notes
from engine.train.status import DONE, FAILED, INTERRUPTED, NOT_STARTED, RUNNING, stage_status, undertrained
from gui.app import app_icon, app_version
from gui.context import Context
from gui.pages.compare import ComparePage
from gui.pages.data import DataPage
from gui.pages.labs import LabsPage
from gui.pages.pretrain import PretrainPage
from gui.pages.rlhf import RLHFPage
from gui.pages.sft import SFTPage
from gui.pages.start import StartPage
from gui.pages.tokenizer import TokenizerPage
from gui.settings_dialog import SettingsDialog
from gui.story import StoryBar
from gui.widgets.config_form import ConfigForm

STATUS_MARK = {NOT_STARTED: "○", RUNNING: "◔", DONE: "●", FAILED: "✖", INTERRUPTED: "◑"}


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("LM Dojo")
        self.setWindowIcon(app_icon())
        screen = self.screen().availableGeometry() if self.screen() else None
        # 1280 × 820, or what the screen has room for (a 1280 × 720 laptop: the pages scroll)
        self.resize(min(1280, screen.width()) if screen else 1280, min(820, screen.height()) if screen else 820)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.start_page = StartPage(ctx.settings)
        self.start_page.open_requested.connect(self.open_workspace)
        self.start_page.create_requested.connect(self.create_workspace)
        self.start_page.story_requested.connect(lambda: self.start_story())
        self.stack.addWidget(self.start_page)
        self.wizard = self._build_wizard()
        self.stack.addWidget(self.wizard)
        self._build_menu()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        ctx.stages_changed.connect(self.refresh_stages)
        ctx.runner.busy_changed.connect(self._on_busy)
        self._closing = False
        self._story_current = None
        self.confirm = self._ask  # replaced in tests

    # -- building -------------------------------------------------------------------------
    def _build_wizard(self) -> QWidget:
        ctx = self.ctx
        self.pages = [
            DataPage(ctx),
            TokenizerPage(ctx),
            PretrainPage(ctx),
            SFTPage(ctx),
            RLHFPage(ctx),
            ComparePage(ctx),
            LabsPage(ctx),
        ]
        self.nav = QListWidget()
        self.nav.setObjectName("stageNavigator")
        self.nav.setFixedWidth(210)
        self.page_stack = QStackedWidget()
        for page in self.pages:
            self.nav.addItem(QListWidgetItem(page.title))
            # a page that needs more room than the screen has scrolls, so the window fits 1280 × 720
            scroll = QScrollArea()
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.page_stack.addWidget(scroll)
        self.nav.currentRowChanged.connect(self.show_stage)
        self.back_button = QPushButton()
        self.back_button.setObjectName("backButton")
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextButton")
        self.back_button.clicked.connect(lambda: self.nav.setCurrentRow(self.nav.currentRow() - 1))
        self.next_button.clicked.connect(lambda: self.nav.setCurrentRow(self.nav.currentRow() + 1))
        self.hint = QLabel()
        self.hint.setObjectName("nextHint")
        self.hint.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.next_button)
        self.story_bar = StoryBar(ctx.runner)
        self.story_bar.chapter_started.connect(self._story_chapter)
        self.story_bar.ended.connect(self._story_ended)
        right = QVBoxLayout()
        right.addWidget(self.story_bar)
        right.addWidget(self.page_stack, 1)
        right.addLayout(bar)
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.addWidget(self.nav)
        lay.addLayout(right, 1)
        return w

    def _build_menu(self):
        m = self.menuBar().addMenu(self.tr("&File"))
        m.addAction(self.tr("&Start screen"), self.show_start)
        m.addAction(self.tr("&Open workspace…"), self.start_page.choose_open)
        m.addAction(self.tr("Se&ttings…"), self.open_settings)
        m.addSeparator()
        m.addAction(self.tr("&Quit"), self.close)
        h = self.menuBar().addMenu(self.tr("&Help"))
        h.addAction(self.tr("&About LM Dojo…"), self.show_about)

    def stage_title(self, i: int) -> str:
        return self.pages[i].title

    # -- workspaces -----------------------------------------------------------------------
    @Slot(str)
    def open_workspace(self, path: str) -> bool:
        try:
            ws = Workspace.open(path)
        except DojoError as e:
            self.start_page.show_error(str(e))
            self.ctx.settings.remove_recent(path)
            self.start_page.refresh()
            return False
        notes = take_notes()  # what opening it had to repair (a lost run index, rebuilt)
        if notes:
            self.statusBar().showMessage(" ".join(notes))
        self.ctx.set_workspace(ws)
        self.stack.setCurrentWidget(self.wizard)
        status = stage_status(ws)
        first = next((i for i, p in enumerate(self.pages) if status[p.stage] != DONE), 1)
        self.nav.setCurrentRow(first)
        return True

    @Slot(str, bool)
    def create_workspace(self, path: str, demo: bool) -> bool:
        try:
            ws = Workspace.create(path)
            if demo:
                from engine.data.pollute import write_demo

                write_demo(ws.root)
        except (DojoError, OSError) as e:
            self.start_page.show_error(str(e))
            return False
        return self.open_workspace(str(ws.root))

    # -- the guided story ------------------------------------------------------------------
    def start_story(self, path: str | None = None, sets: dict | None = None) -> bool:
        """Run the whole story in `path` (default: 'LM Dojo story' in the documents folder): a new
        demo workspace, or the story's earlier one, resumed where it stopped."""
        from engine import story

        if self.ctx.runner.is_busy():
            self.start_page.show_error(self.tr("A job is running; the story waits until it ends."))
            return False
        if path is None:
            docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            path = str(Path(docs or Path.home()) / "LM Dojo story")
        opened = self.open_workspace(path) if Path(path, "dojo.toml").is_file() else self.create_workspace(path, True)
        if not opened:
            return False
        job = self.story_bar.start(self.ctx.ws, story.make_config(sets=sets))
        if job is not None:
            job.metrics.connect(self._story_metrics)
        return job is not None

    def _story_page(self, page: str):
        return next((p for p in self.pages if p.stage == page), None)

    @Slot(str)
    def _story_chapter(self, page: str):
        """A chapter starts: its page is shown, its graph filled live from the story's job."""
        if self._story_current is not None:
            self._story_current.refresh()
        self._story_current = self._story_page(page)
        if self._story_current is not None:
            if hasattr(self._story_current, "plot"):
                self._story_current.plot.clear()
            self.nav.setCurrentRow(self.pages.index(self._story_current))
        self.refresh_stages()

    @Slot(int, dict)
    def _story_metrics(self, step: int, values: dict):
        plot = getattr(self._story_current, "plot", None)
        if plot is not None:
            plot.add_metrics(step, values)

    @Slot(str)
    def _story_ended(self, status: str):
        for page in self.pages:
            page.refresh()
        self.refresh_stages()
        self._story_current = None
        if status == "done":  # the last evidence is the user's own: base and fine-tuned side by side
            self.nav.setCurrentRow(self.pages.index(self._story_page("compare")))

    def show_start(self):
        self.start_page.refresh()
        self.stack.setCurrentWidget(self.start_page)

    # -- navigation -----------------------------------------------------------------------
    @Slot(int)
    def show_stage(self, i: int):
        if i < 0:
            return
        self.page_stack.setCurrentIndex(i)
        self.pages[i].refresh()  # another stage may have changed what this one can do
        self.refresh_stages()

    @Slot()
    def refresh_stages(self):
        ws = self.ctx.ws
        if ws is None:
            return
        status = stage_status(ws)
        runner = self.ctx.runner
        if runner.is_busy() and runner.name in status:
            status[runner.name] = RUNNING
        self.statuses = status
        for i, page in enumerate(self.pages):
            item = self.nav.item(i)
            label = self.stage_title(i)
            st = status[page.stage]
            item.setText(f"{STATUS_MARK.get(st, '·')}  {label}\n     {self._status_text(st)}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setToolTip(page.blurb)
        i = self.nav.currentRow()
        self.back_button.setText("← " + self.stage_title(i - 1) if i > 0 else "")
        self.back_button.setVisible(i > 0)
        nxt = i + 1
        self.next_button.setVisible(nxt < len(self.pages))
        if nxt < len(self.pages):
            self.next_button.setText(self.tr("Next: {0} →").format(self.stage_title(nxt)))
            ready, needs = self._needs(nxt, status)
            self.next_button.setEnabled(ready)  # the stage list still opens any page, to read about it
            self.hint.setText(needs)
        else:
            self.hint.setText("")
        self.status_label.setText(str(ws.root))

    def _status_text(self, st: str) -> str:
        return {
            NOT_STARTED: self.tr("not started"),
            RUNNING: self.tr("running"),
            DONE: self.tr("done"),
            FAILED: self.tr("failed"),
            INTERRUPTED: self.tr("interrupted"),
        }.get(st, st)

    def _needs(self, i: int, status: dict) -> tuple[bool, str]:
        """(whether stage i can start from what the workspace holds, what the hint under Back/Next says)."""
        page = self.pages[i]
        if page.stage == "tokenizer" and status["data"] != DONE:
            return True, self.tr("The tokenizer reads the cleaned corpus (data/clean), or data/corpus before cleaning.")
        if page.stage == "pretrain" and status["tokenizer"] != DONE:
            return False, self.tr("Pretraining needs a trained tokenizer: train it on this page first.")
        if page.stage == "sft" and status["pretrain"] not in (DONE, INTERRUPTED):
            return False, self.tr("SFT starts from a pretrained model: pretrain first.")
        if page.stage == "sft" and (u := undertrained(self.ctx.ws)):
            return True, self.tr(
                "Careful: the latest pretraining run ({0}, step {1}) is too short to build on: its validation loss "
                "{2:.2f} is close to guessing (ln V = {3:.2f}). Pretrain for longer first."
            ).format(u["run"], u["step"], u["loss"], u["guess"])
        if page.stage == "rlhf" and status["sft"] not in (DONE, INTERRUPTED):
            return False, self.tr("RLHF starts from a fine-tuned (SFT) model: run SFT first.")
        if page.stage == "compare" and status["pretrain"] == NOT_STARTED:
            return False, self.tr("Compare needs a trained model: pretrain first.")
        return True, self.tr("Ready for {0}.").format(self.stage_title(i))

    # -- settings, about and closing ------------------------------------------------------
    def open_settings(self):
        SettingsDialog(self.ctx.settings, self).exec()

    def about_box(self) -> QMessageBox:
        """Help → About: the version (which build a bug report is about) and the icon."""
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About LM Dojo"))
        box.setIconPixmap(app_icon().pixmap(96, 96))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText("<h2>LM Dojo</h2><p>" + self.tr("Version {0}").format(app_version()) + "</p>")
        box.setInformativeText(
            "<p>"
            + self.tr(
                "Train a small GPT-style language model through every stage — data, "
                "pretraining, SFT, RLHF — on your own machine."
            )
            + "</p><p>"
            + self.tr("Released under the MIT license.")
            + "</p>"
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        return box

    def show_about(self):
        self.about_box().exec()

    @Slot(bool)
    def _on_busy(self, busy: bool):
        # a job reads its settings when it starts: while it runs, no form pretends to change it
        for page in self.pages:
            for form in page.findChildren(ConfigForm):
                form.setEnabled(not busy)
        if not busy and self._closing:
            self.close()

    def _ask(self, text: str) -> bool:
        return QMessageBox.question(self, "LM Dojo", text) == QMessageBox.StandardButton.Yes

    def closeEvent(self, event):
        runner = self.ctx.runner
        if runner.is_busy():
            if self._closing or self.confirm(self.tr("A job is running. Stop it, save a checkpoint and quit?")):
                self._closing = True
                runner.stop()
                self.statusBar().showMessage(self.tr("Stopping the job and saving a checkpoint…"))
            event.ignore()  # closes for real once the job has stopped (see _on_busy)
            return
        event.accept()
