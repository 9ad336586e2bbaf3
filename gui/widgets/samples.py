"""Sample generations as they arrive during training, newest first."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser


class SamplesView(QTextBrowser):
    MAX = 200

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("samplesView")
        self._items: list[tuple[int, str, str]] = []
        self.setPlaceholderText(self.tr("Samples appear here while the model trains."))

    def add(self, step: int, prompt: str, text: str):
        self._items.insert(0, (step, prompt, text))
        del self._items[self.MAX :]
        self._render()

    def clear_samples(self):
        self._items.clear()
        self._render()

    def items(self) -> list[tuple[int, str, str]]:
        return list(self._items)

    def _render(self):
        step_word = self.tr("step")
        rows = [
            f"<p><span style='color:gray'>{step_word} {s}</span><br><b>{html.escape(p)}</b>{html.escape(t)}</p>"
            for s, p, t in self._items
        ]
        self.setHtml("".join(rows))
