"""SFT page: teach the pretrained model to answer, and watch its answers change."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import checkpoint as ckpt
from engine.data.sft_data import encode_example, load_sft_records
from engine.errors import DojoError
from engine.io.store import Store
from engine.losses import IGNORE_INDEX
from engine.tokenizer import TextStream, load_tokenizer
from engine.train import sft
from gui.insight.template import TemplatePanel
from gui.pages.base import StagePage, training_layout
from gui.widgets.config_form import ConfigForm
from gui.widgets.job_panel import JobPanel
from gui.widgets.loss_plot import LossPlot
from gui.widgets.runs_table import RunsTable

JOB = "sft"
WORD_JOINER = "\u2060"
PREVIEW_EXAMPLES = 3


class SFTPage(StagePage):
    stage = "sft"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("SFT"),
            self.tr(
                "Supervised fine-tuning: the pretrained model reads questions and good answers in "
                "the chat template, learning to answer and when to stop. Only the answers' tokens "
                "(highlighted below) carry the loss."
            ),
            parent,
        )
        self.form = ConfigForm(
            sft.SFTConfig,
            groups={
                self.tr("Data"): ["base", "data", "select", "select_n", "loss_on"],
                self.tr("Method"): ["lora", "lora_rank", "lora_alpha"],
                self.tr("Budget"): ["max_steps", "max_minutes"],
                self.tr("Training"): ["batch_size", "lr", "eval_every", "sample_every", "eval_prompts"],
            },
            labels={
                "base": self.tr("Start from run"),
                "data": self.tr("Data file"),
                "select": self.tr("Examples"),
                "select_n": self.tr("How many"),
                "loss_on": self.tr("Loss on"),
                "lora": self.tr("LoRA"),
                "lora_rank": self.tr("LoRA rank"),
                "lora_alpha": self.tr("LoRA alpha"),
                "max_steps": self.tr("Steps"),
                "max_minutes": self.tr("Minutes"),
                "batch_size": self.tr("Batch size"),
                "lr": self.tr("Learning rate"),
                "eval_every": self.tr("Validate every"),
                "sample_every": self.tr("Answer prompts every"),
                "eval_prompts": self.tr("Evaluation prompts"),
            },
        )
        self.form.set_values({})
        self.form.changed.connect(self.update_preview)
        self.panel = JobPanel(ctx.runner, JOB, self.tr("Start fine-tuning"))
        self.panel.start_clicked.connect(self.start)
        self.knows = QLabel()
        self.knows.setObjectName("baseKnows")
        self.knows.setWordWrap(True)
        self.form.changed.connect(self.update_knows)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self.knows)
        ll.addWidget(self.form)
        ll.addStretch(1)

        self.plot = LossPlot()
        self.preview = QTextBrowser()
        self.preview.setObjectName("templatePreview")
        self.answers = QTableWidget(0, 3)
        self.answers.setObjectName("answersTable")
        self.answers.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Prompt"), self.tr("Answer")])
        self.answers.verticalHeader().hide()
        # a prompt and its answer are read whole: rows grow to their wrapped text
        self.answers.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.answers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.answers.setColumnWidth(1, 220)
        self.answers.horizontalHeader().setStretchLastSection(True)
        tabs = QTabWidget()
        tabs.addTab(self.answers, self.tr("Answers to evaluation prompts"))
        tabs.addTab(self.preview, self.tr("Template preview"))
        tabs.addTab(self.panel.log, self.tr("Log"))
        self.run_list = RunsTable(ctx, self.stage, self.panel.running, self.plot)
        self.run_list.resume_requested.connect(self.resume_run)
        self.run_list.run_selected.connect(self.show_run)
        tabs.addTab(self.run_list, self.tr("Runs"))
        self.template_tab = TemplatePanel(ctx)
        tabs.addTab(self.template_tab.as_tab(), self.tr("Template inspector"))
        self.tabs = tabs
        self.body.addWidget(training_layout(left, self.panel, self.plot, tabs), 1)

    def start(self):
        ws, cfg = self.ctx.ws, self.form.config
        if ws is None or cfg is None:
            self.panel.show_failure(self.form.error_text or self.tr("Open a workspace first."))
            return
        o = self.ctx.machine_overrides()
        cfg.device, cfg.threads = o["device"], o["threads"]
        self.plot.clear()
        self.answers.setRowCount(0)
        self._train(lambda control: sft.run(ws, cfg, control))

    def resume_run(self, run_id: str):
        ws, overrides = self.ctx.ws, self.resume_overrides()
        saved = ckpt.list_checkpoints(ws.run_dir(run_id) / "checkpoints")
        self.show_run(run_id, ckpt.read_meta(saved[-1])["step"] if saved else 0)  # continue from there
        self._train(lambda control: sft.run(ws, None, control, resume=run_id, overrides=overrides))

    def _train(self, make_events):
        job = self.panel.run(make_events)
        if job is not None:
            job.metrics.connect(self.plot.add_metrics)
            job.sample.connect(lambda s: self._add_answer(s.step, s.prompt, s.text))
            job.finished.connect(self.run_list.refresh)
            job.failed.connect(self.run_list.refresh)

    def show_run(self, run_id: str, upto: int | None = None):
        """A past run's curves and answers, up to step `upto`."""
        self.run_list.replay(run_id, upto, lambda: self.answers.setRowCount(0), self._add_answer)

    def _add_answer(self, step: int, prompt: str, text: str):
        self.answers.insertRow(0)  # the newest answers on top
        for col, value in enumerate((str(step), prompt, text)):
            self.answers.setItem(0, col, QTableWidgetItem(value))

    def refresh(self):
        self.run_list.refresh()
        self.update_preview()
        self.update_knows()

    def update_knows(self):
        """What the base model memorised (the demo world): fine-tuning can only make it say that."""
        share, run = self.base_memorised()
        self.knows.setVisible(share is not None)
        if share is not None:
            self.knows.setText(
                self.tr(
                    "The base model ({run}) knows {share} of its facts: it predicts that share "
                    "of the facts in its training biographies (each fact's first token, from "
                    "the text before it). Fine-tuning teaches it to say what it knows; it "
                    "cannot add what pretraining did not store."
                )
                .replace("{run}", run)
                .replace("{share}", f"{share:.0%}")
            )

    def base_memorised(self) -> tuple[float | None, str]:
        """(the share of its facts the chosen base run memorised at its last evaluation, its id)."""
        ws, cfg = self.ctx.ws, self.form.config
        if ws is None or not ws.db_path.is_file():
            return None, ""
        with Store(ws.db_path) as store:
            base = (cfg.base if cfg is not None else "") or ""
            run = store.run(Path(base).parts[-3] if Path(base).is_dir() else base) if base else None
            if run is None and not base:
                runs = store.runs("pretrain")
                run = runs[-1] if runs else None
            if run is None:
                return None, ""
            values = store.metrics(run["id"], "val/memorised")
        return (values[-1][1] if values else None), run["id"]

    def update_preview(self):
        """The first examples through the chat template, the tokens that carry loss highlighted."""
        ws, cfg = self.ctx.ws, self.form.config
        if ws is None or cfg is None or not ws.tokenizer_path.is_file():
            self.preview.setHtml(self.tr("Train the tokenizer and pretrain first."))
            return
        try:
            tok = load_tokenizer(ws.tokenizer_path)
            path = Path(cfg.data) if cfg.data else ws.data_dir / "sft" / "train.jsonl"
            records = load_sft_records(path)[:PREVIEW_EXAMPLES]
        except DojoError as e:
            self.preview.setHtml(html.escape(str(e)))
            return
        parts = []
        for r in records:
            enc = encode_example(tok, r["messages"], cfg.loss_on)
            if enc is None:
                continue
            spans, stream, trained = [], TextStream(tok), False
            for tid, label in zip(enc.ids, enc.labels):
                # a Chinese character's bytes may take several tokens: shown once they are all there
                # (one token at a time each part decoded to U+FFFD), trained if any of them is
                text, trained = stream.add(tid), trained or label != IGNORE_INDEX
                if text:
                    spans.append(self._span(text, trained))
                    trained = False
            if stream.pending:  # bytes that never made a character: shown as they are
                spans.append(self._span(tok.decode(stream.pending, skip_special_tokens=False), trained))
            parts.append(f"<p>{''.join(spans)}</p>")
        self.preview.setHtml("".join(parts))

    @staticmethod
    def _span(text: str, trained: bool) -> str:
        style = "background:#b2f2bb; color:#000" if trained else "color:gray"
        if text.startswith("<|") and text.endswith("|>"):
            # a special token is one thing: word joiners stop a line from breaking after its "|"
            text = text.replace("|", "|" + WORD_JOINER)
        return f"<span style='{style}'>{html.escape(text)}</span>"

    def preview_trained_text(self) -> str:
        return self.preview.toPlainText().replace(WORD_JOINER, "")
