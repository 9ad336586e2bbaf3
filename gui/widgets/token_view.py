"""Typed text shown as coloured tokens with their ids: how the model sees it.

The split comes from the engine (`token_pieces`); this widget only draws it. Byte-level pieces
that hold part of one character (a rare Chinese character, an emoji) are grouped and explained.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextBrowser, QToolTip, QVBoxLayout, QWidget

from engine.tokenizer import token_pieces

# Pastel chip backgrounds; chip text is always black, so they read the same in light and dark themes.
COLORS = ["#ffd8a8", "#c3fae8", "#d0bfff", "#ffc9c9", "#a5d8ff", "#d8f5a2", "#fcc2d7", "#ffec99"]
MUTED = "#868e96"  # brackets and captions: readable on white and on near-black
MAX_NOTES = 12  # caption lines about split characters; the rest are summed up
_VISIBLE = {" ": "·", "\n": "↵", "\t": "→", "\r": "␍"}


def visible(text: str) -> str:
    """HTML for a token's text with whitespace made visible."""
    if not text:
        return "∅"
    return html.escape("".join(_VISIBLE.get(c, c) for c in text))


def group_pieces(pieces: list[dict]) -> list[list[dict]]:
    """Consecutive partial pieces whose character spans overlap form one group; others stand alone."""
    groups: list[list[dict]] = []
    end = -1
    for p in pieces:
        if p["partial"] and groups and groups[-1][-1]["partial"] and p["start"] < end:
            groups[-1].append(p)
            end = max(end, p["end"])
        else:
            groups.append([p])
            end = p["end"]
    return groups


class _Browser(QTextBrowser):
    """A QTextBrowser that shows the tooltip (HTML title) of the text under the mouse."""

    def viewportEvent(self, event):
        if event.type() == QEvent.Type.ToolTip:
            offset = QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
            pos = self.document().documentLayout().hitTest(QPointF(event.pos()) + offset, Qt.HitTestAccuracy.ExactHit)
            tip = ""
            if pos >= 0:
                cursor = self.textCursor()
                cursor.setPosition(min(pos + 1, self.document().characterCount() - 1))
                tip = cursor.charFormat().toolTip()
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


class TokenView(QWidget):
    """set_tokenizer(tok) then type (or set_text): the tokens appear as chips with their ids."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("tokenView")
        self.input = QPlainTextEdit()
        self.input.setObjectName("tokenInput")
        self.input.setPlaceholderText(self.tr("Type English or 中文 here…"))
        self.input.setMaximumHeight(100)
        self.summary = QLabel()
        self.summary.setObjectName("tokenSummary")
        self.summary.setWordWrap(True)
        self.output = _Browser()
        self.output.setObjectName("tokenOutput")
        self.output.setOpenLinks(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.input)
        lay.addWidget(self.summary)
        lay.addWidget(self.output, 1)
        self._tok = None
        self._pieces: list[dict] = []
        self._html = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.update_tokens)
        self.input.textChanged.connect(self._debounce.start)
        self.set_tokenizer(None)

    # -- public ---------------------------------------------------------------------------
    def set_tokenizer(self, tok):
        """A `tokenizers.Tokenizer`, or None: then the input is disabled until one is trained."""
        self._tok = tok
        self.input.setEnabled(tok is not None)
        self.update_tokens()

    def set_text(self, text: str):
        self.input.setPlainText(text)
        self._debounce.stop()
        self.update_tokens()

    def text(self) -> str:
        return self.input.toPlainText()

    def pieces(self) -> list[dict]:
        """The last split shown: token_pieces(tok, text)."""
        return list(self._pieces)

    def summary_text(self) -> str:
        return self.summary.text()

    def html(self) -> str:
        """The HTML given to the view (Qt rewrites what toHtml returns)."""
        return self._html

    def update_tokens(self):
        self._debounce.stop()
        if self._tok is None:
            self._pieces = []
            self.summary.setText(self.tr("Train a tokenizer first."))
            self._show("")
            return
        text = self.input.toPlainText()
        self._pieces = token_pieces(self._tok, text)
        n = len(self._pieces)
        if n:
            self.summary.setText(
                self.tr("{0} characters → {1} tokens ({2} characters per token)").format(
                    len(text), n, f"{len(text) / n:.2f}"
                )
            )
        else:
            self.summary.setText(self.tr("{0} characters → {1} tokens").format(len(text), n))
        self._show(self._render(text))

    # -- HTML -----------------------------------------------------------------------------
    def _show(self, body: str):
        self._html = body
        keep = self.output.verticalScrollBar().value()
        self.output.setHtml(body)
        self.output.verticalScrollBar().setValue(keep)  # retyping does not jump back to the top

    def _render(self, text: str) -> str:
        chips, notes = [], {}
        k = 0
        for group in group_pieces(self._pieces):
            if not group[0]["partial"]:
                p = group[0]
                chips.append(self._chip(visible(p["text"]), p["id"], k, self.tr("token {0}").format(p["id"])))
                if "\n" in p["text"]:
                    chips.append("<br>")
                k += 1
                continue
            chars = text[group[0]["start"] : group[-1]["end"]]
            hexes = " ".join(p["text"] for p in group)
            if len(chars) == 1:
                note = self.tr("“{0}”: one character, {1} tokens (bytes {2})").format(chars, len(group), hexes)
            else:
                note = self.tr("“{0}”: {1} characters, {2} tokens (bytes {3})").format(
                    chars, len(chars), len(group), hexes
                )
            notes.setdefault(note, None)
            tip = html.escape(note, quote=True)
            inner = "".join(
                self._chip(html.escape(p["text"]), p["id"], k + i, note, bytes_=True) for i, p in enumerate(group)
            )
            k += len(group)
            chips.append(
                f'<span title="{tip}" style="color:{MUTED}; white-space:pre">⟨'
                f"<b>{html.escape(chars)}</b> {inner}⟩</span>"
            )
        body = " ".join(chips)
        if notes:
            lines = [html.escape(n) for n in list(notes)[:MAX_NOTES]]
            if len(notes) > MAX_NOTES:
                lines.append(html.escape(self.tr("… and {0} more split characters").format(len(notes) - MAX_NOTES)))
            body += f'<p style="color:{MUTED}; margin-top:10px">' + "<br>".join(lines) + "</p>"
        return f'<div style="line-height:170%">{body}</div>'

    @staticmethod
    def _chip(shown: str, tid: int, k: int, tip: str, bytes_: bool = False) -> str:
        """One token: `shown` (already HTML) on a pastel background, its id small after it."""
        font = "font-family:monospace; font-size:small; " if bytes_ else ""
        return (
            f'<span title="{html.escape(tip, quote=True)}" style="background-color:{COLORS[k % len(COLORS)]};'
            f' color:#000; white-space:pre; {font}">&nbsp;{shown}<sub style="color:#555">{tid}</sub>&nbsp;'
            f"</span>"
        )
