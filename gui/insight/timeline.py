"""The checkpoint-timeline panel: a slider over every checkpoint of a model's history; the answers of
the chosen checkpoint with what changed since the previous one marked (new text green, gone text red
and struck through)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QSlider, QSpinBox, QTextBrowser, QToolButton

from gui.insight.panel import InsightPanel

INSERT_BG = "#b2f2bb"
DELETE_FG = "#c92a2a"


def diff_html(diff: list[list[str]]) -> str:
    """One answer's differences as HTML: insertions on green, deletions red and struck through."""
    out = []
    for op, text in diff:
        t = html.escape(text)
        if op == "insert":
            out.append(f'<span style="background-color:{INSERT_BG}">{t}</span>')
        elif op == "delete":
            out.append(f'<span style="color:{DELETE_FG}; text-decoration:line-through">{t}</span>')
        else:
            out.append(t)
    return "".join(out)


class TimelinePanel(InsightPanel):
    name = "timeline"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Checkpoint timeline"),
            self.tr(
                "The same prompts answered by every saved checkpoint of one model's history, from the first "
                "pretraining checkpoint through SFT to preference tuning, greedily, so only the weights differ. "
                "Move the slider from checkpoint to checkpoint: text that appeared since the previous checkpoint "
                "is highlighted green, text that disappeared is red and struck through. Early pretraining answers "
                "are noise, then words, then sentences that never stop; after SFT the answers take the "
                "assistant's shape and end; preference tuning mostly changes the wording. Many changes late in a "
                "run mean the model is still learning, or unstable."
            ),
            parent,
        )
        self.count = QSpinBox()
        self.count.setObjectName("timelineCount")
        self.count.setRange(1, 100)
        self.count.setValue(6)
        self.count.setToolTip(self.tr("How many prompts every checkpoint answers"))
        self.tokens = QSpinBox()
        self.tokens.setObjectName("timelineTokens")
        self.tokens.setRange(1, 512)
        self.tokens.setValue(24)
        self.tokens.setToolTip(self.tr("Longest answer in tokens"))
        self.prompts_file = QLineEdit()
        self.prompts_file.setObjectName("timelinePrompts")
        self.prompts_file.setPlaceholderText(self.tr("held-out demo questions"))
        self.prompts_file.setToolTip(
            self.tr('A prompt file: JSONL with "messages" or "prompt", or one prompt per line')
        )
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip(self.tr("Choose a prompt file"))
        browse.clicked.connect(self.choose_prompts)
        for k, w in enumerate(
            (
                QLabel(self.tr("Prompts")),
                self.count,
                QLabel(self.tr("Answer tokens")),
                self.tokens,
                QLabel(self.tr("Prompt file")),
                self.prompts_file,
                browse,
            )
        ):
            self.controls.insertWidget(k, w)

        row = QHBoxLayout()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timelineSlider")
        self.slider.setRange(0, 0)
        self.slider.setEnabled(False)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.valueChanged.connect(self.show_frame)
        self.frame_label = QLabel()
        self.frame_label.setObjectName("timelineFrame")
        row.addWidget(self.slider, 1)
        row.addWidget(self.frame_label)
        self.content.addLayout(row)
        self.view = QTextBrowser()
        self.view.setObjectName("timelineAnswers")
        self.content.addWidget(self.view, 1)
        self.html = ""  # what the view shows, as set

    def options(self) -> dict:
        opts = {"count": str(self.count.value()), "max_new_tokens": str(self.tokens.value())}
        if self.prompts_file.text().strip():
            opts["prompts"] = self.prompts_file.text().strip()
        return opts

    @Slot()
    def choose_prompts(self):
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Prompt file"), "", self.tr("Prompts (*.jsonl *.txt);;All files (*)")
        )
        if path:
            self.prompts_file.setText(path)

    def show_result(self, result: dict) -> None:
        n = len(result["frames"])
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 1)
        self.show_frame(0)

    @Slot(int)
    def show_frame(self, k: int) -> None:
        if not self.result or not self.result["frames"]:
            return
        frames = self.result["frames"]
        f = frames[k]
        self.frame_label.setText(
            self.tr("{0} · {1} · step {2}").format(f["run"], f["stage"], f["step"])
            + "  "
            + self.tr("({0} of {1})").format(k + 1, len(frames))
        )
        if k == 0:
            note = self.tr("The first checkpoint: nothing to compare with yet.")
        else:
            note = self.tr("{0} of {1} answers changed since the previous checkpoint.").format(
                sum(f["changed"]), len(f["changed"])
            )
        parts = [f"<p><i>{html.escape(note)}</i></p>"]
        for i, prompt in enumerate(self.result["prompts"]):
            if k == 0:
                answer = html.escape(f["answers"][i])
                mark = ""
            else:
                answer = diff_html(f["diffs"][i])
                mark = self.tr("changed") if f["changed"][i] else self.tr("unchanged")
                mark = f' <span style="color:#868e96">— {html.escape(mark)}</span>'
            parts.append(
                f"<p><b>{html.escape(prompt)}</b>{mark}</p>"
                f'<p style="white-space:pre-wrap; margin-left:12px">{answer}</p>'
            )
        self.html = "".join(parts)
        self.view.setHtml(self.html)
