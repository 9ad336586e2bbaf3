"""What a rich-text view draws: its runs of text with their character formats, for tests that check
which text a view marked (trained tokens, inserted answers, shared spans)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat


def fragments(browser) -> list[tuple[str, QTextCharFormat]]:
    """(text, format) of each run of the browser's document, in order."""
    out = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            out.append((frag.text(), frag.charFormat()))
            it += 1
        block = block.next()
    return out


def background(fmt: QTextCharFormat) -> str:
    """The run's background colour as #rrggbb, or "" when it has none."""
    return fmt.background().color().name() if fmt.background().style() != Qt.BrushStyle.NoBrush else ""
