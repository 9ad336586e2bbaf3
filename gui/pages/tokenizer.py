"""Tokenizer page: train byte-level BPE on the corpus and see how text splits into tokens."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.data.shards import read_meta
from engine.errors import DojoError
from engine.tokenizer import load_tokenizer, tokenizer_hash
from gui.pages.base import StagePage
from gui.widgets.config_form import ConfigForm
from gui.widgets.job_panel import JobPanel
from gui.widgets.token_view import TokenView

JOB = "tokenizer"


class TokenizerPage(StagePage):
    stage = "tokenizer"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Tokenizer"),
            self.tr(
                "A tokenizer cuts text into the pieces the model reads. Byte-level BPE starts "
                "from single bytes and merges the most frequent pairs until the vocabulary "
                "is full, so any text, Chinese or emoji too, can be written with it."
            ),
            parent,
        )
        self.form = ConfigForm(
            TokenizerConfig,
            groups={self.tr("Settings"): ["vocab_size", "val_fraction"]},
            labels={"vocab_size": self.tr("Vocabulary size"), "val_fraction": self.tr("Validation share")},
        )
        self.panel = JobPanel(ctx.runner, JOB, self.tr("Train tokenizer"), can_pause=False)
        self.panel.start_clicked.connect(self.start)
        self.result = QLabel(self.tr("Not trained yet."))
        self.result.setObjectName("tokenizerResult")
        self.result.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addWidget(self.panel)
        left.addWidget(self.result)
        left.addWidget(self.panel.log, 1)
        box = QGroupBox(self.tr("Try it: type text and see its tokens"))
        self.view = TokenView()
        QVBoxLayout(box).addWidget(self.view)
        row = QHBoxLayout()
        row.addLayout(left, 2)
        row.addWidget(box, 3)
        self.body.addLayout(row, 1)

    def start(self):
        if self.ctx.ws is None or self.form.config is None:
            return
        ws, cfg = self.ctx.ws, self.form.config
        force = False
        if ws.tokenizer_path.is_file():
            users = tokenize.runs_with_tokenizer(ws, tokenizer_hash(ws.tokenizer_path))
            if users:
                if not self.confirm_replace(len(users)):
                    return
                force = True
        job = self.panel.run(lambda control: tokenize.run(ws, cfg, control, force=force))
        if job is not None:
            job.finished.connect(self.refresh)

    def confirm_replace(self, runs: int) -> bool:
        """Ask before replacing a tokenizer that runs were trained with."""
        text = self.tr(
            "{n} run(s) were trained with the current tokenizer. A new tokenizer means new runs cannot "
            "start from them; they keep answering with their own (kept in the workspace). Replace it?"
        )
        return (
            QMessageBox.question(self, self.tr("Replace the tokenizer?"), text.replace("{n}", str(runs)))
            == QMessageBox.StandardButton.Yes
        )

    def refresh(self):
        ws = self.ctx.ws
        tok = None
        if ws is not None and ws.tokenizer_path.is_file():
            try:
                tok = load_tokenizer(ws.tokenizer_path)
            except DojoError as e:
                self.result.setText(str(e))
        self.view.set_tokenizer(tok)
        if tok is None:
            self.result.setText(self.tr("Not trained yet."))
            return
        if not self.view.pieces():
            self.view.set_text("Mara Quinn was born in Lumen Bay. 陳怡君出生在流明灣。🎉")
        try:
            meta = read_meta(ws.tokens_dir)
        except DojoError:
            self.result.setText(
                self.tr("{0} tokens in the vocabulary; the corpus is not tokenized yet.").format(tok.get_vocab_size())
            )
            return
        sp = meta["splits"]
        self.result.setText(
            self.tr(
                "Vocabulary: {0} tokens. Corpus: {1:,} training + {2:,} validation tokens ({3} + {4} documents)."
            ).format(
                meta["vocab_size"], sp["train"]["tokens"], sp["val"]["tokens"], sp["train"]["docs"], sp["val"]["docs"]
            )
            + self._cpt_text(meta.get("chars_per_token", {}))
        )

    def _cpt_text(self, cpt: dict) -> str:
        names = {"cjk": self.tr("Chinese/Japanese/Korean"), "latin": self.tr("Latin script")}
        return "".join(
            "<br>" + self.tr("{0}: {1} characters per token").format(names.get(k, k), v) for k, v in cpt.items()
        )
