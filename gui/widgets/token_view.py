"""Typed text shown as coloured tokens with their ids: how the model sees it."""
from __future__ import annotations

import html

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextBrowser, QVBoxLayout, QWidget

from engine.tokenizer import token_pieces

COLORS = ["#ffd8a8", "#c3fae8", "#d0bfff", "#ffc9c9", "#a5d8ff", "#d8f5a2", "#fcc2d7", "#ffec99"]


def _visible(text: str) -> str:
    return html.escape(text).replace(" ", "·").replace("\n", "↵").replace("\t", "→")


class TokenView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("tokenView")
        self.input = QPlainTextEdit()
        self.input.setObjectName("tokenInput")
        self.input.setPlaceholderText(self.tr("Type English or 中文 here…"))
        self.input.setMaximumHeight(90)
        self.output = QTextBrowser()
        self.output.setObjectName("tokenOutput")
        self.summary = QLabel()
        self.summary.setObjectName("tokenSummary")
        self.summary.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.input)
        lay.addWidget(self.summary)
        lay.addWidget(self.output, 1)
        self._tok = None
        self._pieces: list[dict] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.update_tokens)
        self.input.textChanged.connect(self._debounce.start)
        self.set_tokenizer(None)

    def set_tokenizer(self, tok):
        self._tok = tok
        self.input.setEnabled(tok is not None)
        if tok is None:
            self._pieces = []
            self.summary.setText(self.tr("Train a tokenizer first."))
            self.output.clear()
        else:
            self.update_tokens()

    def set_text(self, text: str):
        self.input.setPlainText(text)
        self._debounce.stop()
        self.update_tokens()

    def pieces(self) -> list[dict]:
        return list(self._pieces)

    def summary_text(self) -> str:
        return self.summary.text()

    def html(self) -> str:
        return self.output.toHtml()

    def update_tokens(self):
        if self._tok is None:
            return
        text = self.input.toPlainText()
        self._pieces = token_pieces(self._tok, text)
        n = len(self._pieces)
        self.summary.setText(self.tr("{0} characters → {1} tokens ({2:.2f} characters per token)").format(
            len(text), n, len(text) / n if n else 0.0))
        self.output.setHtml(self._render(text))

    def _render(self, text: str) -> str:
        chips, notes, i = [], [], 0
        pieces = self._pieces
        while i < len(pieces):
            p = pieces[i]
            if p["partial"]:  # several byte tokens spelling one character: group them
                j = i
                while j < len(pieces) and pieces[j]["partial"] and pieces[j]["start"] == p["start"]:
                    j += 1
                group = pieces[i:j]
                char = text[p["start"]:p["end"]]
                inner = "".join(self._chip(g["text"], g["id"], k + i) for k, g in enumerate(group))
                chips.append(f"<span style='border:1px solid #868e96; padding:2px'>{html.escape(char)} [{inner}]</span>")
                notes.append(self.tr("“{0}” is one character but {1} tokens (bytes {2})").format(
                    html.escape(char), len(group), " ".join(g["text"] for g in group)))
                i = j
            else:
                chips.append(self._chip(_visible(p["text"]) if p["text"] else "∅", p["id"], i, escaped=True))
                i += 1
        body = " ".join(chips)
        if notes:
            body += "<p style='color:gray'>" + "<br>".join(notes) + "</p>"
        return f"<div style='line-height:180%'>{body}</div>"

    @staticmethod
    def _chip(text: str, tid: int, k: int, escaped: bool = False) -> str:
        shown = text if escaped else html.escape(text)
        return (f"<span style='background:{COLORS[k % len(COLORS)]}; color:#000'>&nbsp;{shown}&nbsp;"
                f"<sub style='color:#495057'>{tid}</sub></span>")
