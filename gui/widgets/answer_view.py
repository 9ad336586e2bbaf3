"""One answer in the compare view: tokens appear as they are generated, each tinted by how likely
the model found it (pale: confident; red: a gamble), with the five likeliest tokens on hover."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from gui.widgets.token_view import _Browser, visible


def prob_color(p: float) -> str:
    """Background for a token of probability p: white-ish when sure, deepening red when unsure."""
    p = min(1.0, max(0.0, p))
    g = int(150 + 105 * p)  # 150 (unsure) .. 255 (sure)
    return f"#ff{g:02x}{g:02x}"


def token_tip(prob: float, top: list[tuple[str, float]]) -> str:
    lines = [f"p = {prob:.3f}"] + [f"{text!r}: {p:.3f}" for text, p in top]
    return "\n".join(lines)


class AnswerView(QWidget):
    """Header (the run, or 'Answer B' while blind), the streamed answer, thumbs up / down."""

    thumbed = Signal(bool)  # True = up

    def __init__(self, index: int, parent=None):
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"answerView{index}")
        self.header = QLabel()
        self.header.setObjectName("answerHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.text_view = _Browser()
        self.text_view.setObjectName("answerText")
        self.status = QLabel()
        self.status.setObjectName("answerStatus")
        self.up = QToolButton()
        self.up.setText(self.tr("✓ Good"))
        self.up.setToolTip(self.tr("Thumb up: a good answer"))
        self.up.setObjectName("thumbUp")
        self.down = QToolButton()
        self.down.setText(self.tr("✗ Bad"))
        self.down.setToolTip(self.tr("Thumb down: a bad answer"))
        self.down.setObjectName("thumbDown")
        self.up.clicked.connect(lambda: self.thumbed.emit(True))
        self.down.clicked.connect(lambda: self.thumbed.emit(False))
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.up)
        bar.addWidget(self.down)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.header)
        lay.addWidget(self.text_view, 1)
        lay.addLayout(bar)
        self.tokens: list[dict] = []
        self.clear()

    def clear(self):
        self.tokens = []
        self._pending: list = []  # tokens holding part of a character, shown with the one completing it
        self.text_view.clear()
        self.status.setText("")
        self.ended = False

    def set_header(self, text: str):
        self.header.setText(text)

    def header_text(self) -> str:
        return self.header.text()

    def add_token(self, text: str, prob: float, top: list[tuple[str, float]], end: bool = False):
        self.tokens.append({"text": text, "prob": prob, "top": top, "end": end})
        if end:
            self.ended = True
            self._append("⏎", prob, top, muted=True)
            return
        if not text:
            self._pending.append(prob)
            return
        for p in self._pending:  # a character made of several tokens is as sure as its least sure byte
            prob = min(prob, p)
        self._pending = []
        self._append(text, prob, top)

    def _append(self, text: str, prob: float, top, muted: bool = False):
        tip = html.escape(token_tip(prob, top), quote=True)
        style = "color:#868e96" if muted else f"background-color:{prob_color(prob)}; color:#000"
        shown = html.escape(text).replace("\n", "<br>") if not muted else visible(text)
        cursor = self.text_view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertHtml(f'<span title="{tip}" style="{style}; white-space:pre-wrap">{shown}</span>')

    def text(self) -> str:
        return "".join(t["text"] for t in self.tokens)
