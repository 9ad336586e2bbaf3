"""Tables inside a text view (a lab's Markdown report) that never break a word.

Qt squeezes a table wider than its view by breaking words letter by letter ("conte/nder"). Here each
column gets a fixed width: its widest cell, at most `max_column` pixels, and never less than its longest
word. A table then may be wider than the view, which scrolls sideways instead.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics, QTextDocument, QTextLength, QTextTable


def _tables(frame):
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def _cell_text(doc: QTextDocument, cell) -> str:
    parts, block = [], doc.findBlock(cell.firstPosition())
    while block.isValid() and block.position() <= cell.lastPosition():
        parts.append(block.text())
        block = block.next()
    return "\n".join(parts)


def fit_tables(doc: QTextDocument, max_column: int = 280) -> None:
    """Give every table column of `doc` a width that holds its longest word (see the module doc)."""
    fm = QFontMetrics(doc.defaultFont())
    for table in _tables(doc.rootFrame()):
        fmt = table.format()
        pad = 2 * (fmt.cellPadding() + fmt.border()) + 4
        widths = []
        for col in range(table.columns()):
            longest_word = natural = 0
            for row in range(table.rows()):
                text = _cell_text(doc, table.cellAt(row, col))
                words = text.split() or [""]
                # header cells are bold: measure them a little wider
                scale = 1.1 if row == 0 else 1.0
                longest_word = max(longest_word, scale * max(fm.horizontalAdvance(w) for w in words))
                natural = max(natural, scale * max(fm.horizontalAdvance(line) for line in text.splitlines() or [""]))
            widths.append(QTextLength(QTextLength.Type.FixedLength, pad + max(longest_word, min(natural, max_column))))
        fmt.setColumnWidthConstraints(widths)
        table.setFormat(fmt)
