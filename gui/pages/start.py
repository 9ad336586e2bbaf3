"""The start screen: a new workspace (empty or the demo world), open one, or a recent one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from gui.settings import AppSettings


def new_workspace_path(chosen: str, demo: bool) -> str:
    """An empty chosen folder becomes the workspace; a folder with files gets a new one inside."""
    p = Path(chosen)
    if not p.exists() or not any(p.iterdir()):
        return str(p)
    base = "LM Dojo demo" if demo else "LM Dojo workspace"
    n, candidate = 1, p / base
    while candidate.exists():
        n += 1
        candidate = p / f"{base} {n}"
    return str(candidate)


class StartPage(QWidget):
    open_requested = Signal(str)
    create_requested = Signal(str, bool)  # path, with the demo world
    story_requested = Signal()

    def __init__(self, settings: AppSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("startPage")
        title = QLabel("<h1>LM Dojo</h1>")
        intro = QLabel(
            self.tr(
                "Train a small language model through every stage that chat models go through: "
                "data, tokenizer, pretraining, fine-tuning and RLHF — on this computer."
            )
        )
        intro.setWordWrap(True)
        self.story_button = QPushButton(self.tr("Run the whole story (about 15 minutes)"))
        self.story_button.setObjectName("storyButton")
        self.story_button.setToolTip(
            self.tr(
                "For a first time: every stage once on the demo world, each introduced and ending on its "
                "evidence, sized for this computer; in the folder 'LM Dojo story' of your documents. "
                "Closed midway, it resumes."
            )
        )
        self.story_button.clicked.connect(self.story_requested)
        self.demo_button = QPushButton(self.tr("New workspace with the demo world…"))
        self.demo_button.setObjectName("newDemoButton")
        self.demo_button.setToolTip(self.tr("A generated bilingual world of fictional people: ready to train"))
        self.empty_button = QPushButton(self.tr("New empty workspace…"))
        self.open_button = QPushButton(self.tr("Open workspace…"))
        for b in (self.story_button, self.demo_button, self.empty_button, self.open_button):
            b.setMinimumHeight(36)
        self.demo_button.clicked.connect(lambda: self.choose_new(True))
        self.empty_button.clicked.connect(lambda: self.choose_new(False))
        self.open_button.clicked.connect(self.choose_open)
        self.recent = QListWidget()
        self.recent.setObjectName("recentList")
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.text()))
        self.error = QLabel()
        self.error.setObjectName("startError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        buttons = QVBoxLayout()
        for b in (self.story_button, self.demo_button, self.empty_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        recent_box = QVBoxLayout()
        recent_box.addWidget(QLabel(self.tr("Recent workspaces (double-click to open):")))
        recent_box.addWidget(self.recent)
        row = QHBoxLayout()
        row.addLayout(buttons, 1)
        row.addLayout(recent_box, 2)
        inner = QVBoxLayout()
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(12)
        inner.addLayout(row)
        inner.addWidget(self.error)
        box = QWidget()
        box.setLayout(inner)
        box.setMaximumWidth(900)
        outer = QHBoxLayout(self)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.refresh()

    def refresh(self):
        self.recent.clear()
        self.recent.addItems(self.settings.recent())

    def show_error(self, message: str):
        self.error.setText(message)

    def choose_new(self, demo: bool):
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder for the new workspace"))
        if path:
            self.error.setText("")
            self.create_requested.emit(new_workspace_path(path, demo), demo)

    def choose_open(self):
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a workspace folder"))
        if path:
            self.error.setText("")
            self.open_requested.emit(path)
