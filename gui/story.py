"""The guided first run: "Run the whole story" on the start screen runs every stage on the demo world
(engine/story.py) while a bar above the pages says which chapter this is and the lecture's point, and
the window shows each stage's page with its graphs filling as it trains; it ends on Compare, where the
user asks both models a question and ranks their answers. Closed midway, it resumes where it stopped."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine import story
from gui.widgets.job_panel import JobPanel

JOB = "story"


CHAPTER_TEXTS = {
    "data": (
        QT_TRANSLATE_NOOP("Story", "Data"),
        QT_TRANSLATE_NOOP(
            "Story",
            "A model is what it reads: web text is full of boilerplate, duplicates and junk. Cleaning keeps "
            "the documents worth learning from; the funnel shows what each step removed and why.",
        ),
    ),
    "tokenizer": (
        QT_TRANSLATE_NOOP("Story", "Tokenizer"),
        QT_TRANSLATE_NOOP(
            "Story",
            "A model reads tokens, not characters: byte-level BPE merges frequent byte pairs into a "
            "vocabulary. Common words become one token; a rare Chinese character may take several.",
        ),
    ),
    "pretrain": (
        QT_TRANSLATE_NOOP("Story", "Pretraining"),
        QT_TRANSLATE_NOOP(
            "Story",
            "Next-token prediction over and over: the loss falls as the model learns the language and the "
            "facts of its world. It does not answer questions yet; it continues text.",
        ),
    ),
    "sft": (
        QT_TRANSLATE_NOOP("Story", "SFT"),
        QT_TRANSLATE_NOOP(
            "Story",
            "Fine-tuning on questions and good answers in the chat template teaches the model to answer and "
            "to stop. It cannot add what pretraining did not store: it teaches how to say it.",
        ),
    ),
    "rlhf": (
        QT_TRANSLATE_NOOP("Story", "RLHF"),
        QT_TRANSLATE_NOOP(
            "Story",
            "The model answers, a judge scores, and the model is pushed toward what scored well (GRPO). RL "
            "re-weights what the model can already say: refusals, endings, and the judge's loopholes.",
        ),
    ),
}


def chapter_text(page: str) -> tuple[str, str]:
    """A chapter's title and its two sentences, in the current language."""
    title, intro = CHAPTER_TEXTS.get(page, (page, ""))
    return QCoreApplication.translate("Story", title), QCoreApplication.translate("Story", intro)


class StoryBar(QWidget):
    """Above the pages while the story runs: chapter k of n, its point, progress, Stop."""

    chapter_started = Signal(str)  # page
    ended = Signal(str)  # done | cancelled | failed

    def __init__(self, runner, parent=None):
        super().__init__(parent)
        self.setObjectName("storyBar")
        self.runner = runner
        self.panel = JobPanel(runner, JOB, self.tr("Resume the story"), can_pause=False)
        self.title = QLabel()
        self.title.setObjectName("storyTitle")
        self.intro = QLabel()
        self.intro.setObjectName("storyIntro")
        self.intro.setWordWrap(True)
        self.close_button = QPushButton(self.tr("Hide"))
        self.close_button.clicked.connect(self.hide)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.panel.stop_button)
        head.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.addLayout(head)
        lay.addWidget(self.intro)
        row = QHBoxLayout()
        row.addWidget(self.panel.progress, 1)
        lay.addLayout(row)
        lay.addWidget(self.panel.status)
        self.close_button.setEnabled(False)
        self.hide()

    def start(self, ws, cfg: story.StoryConfig):
        """Run (or resume) the story on `ws`; None when another job runs."""
        job = self.panel.run(lambda control: story.run(ws, cfg, control))
        if job is None:
            return None
        self.show()
        self.close_button.setEnabled(False)
        self.title.setText(self.tr("The whole story: starting…"))
        self.intro.setText("")
        job.other.connect(self._on_other)
        job.finished.connect(lambda status, _r: self._end(status))
        job.failed.connect(lambda message: self._end("failed", message))
        return job

    @Slot(object)
    def _on_other(self, ev):
        if isinstance(ev, story.Chapter):
            title, intro = chapter_text(ev.page)
            self.title.setText(self.tr("<b>The whole story · {0} of {1}: {2}</b>").format(ev.index, ev.total, title))
            self.intro.setText(intro)
            if not ev.skipped:
                self.chapter_started.emit(ev.page)

    def _end(self, status: str, message: str = ""):
        self.close_button.setEnabled(True)
        if status == "failed":
            self.intro.setText(self.tr("The story stopped with an error: {0}").format(message))
        if status == "done":
            self.title.setText(self.tr("<b>The whole story is told.</b>"))
            self.intro.setText(
                self.tr(
                    "Every stage ran once. On Compare, the pretrained and the fine-tuned model answer the same "
                    "question side by side: ask one about a person of the demo world, and say which answer is better."
                )
            )
        elif status == "cancelled":
            self.intro.setText(self.tr("Stopped. Run the whole story again from the start screen to resume here."))
        self.ended.emit(status)
