"""Pretrain page: choose a model size and a budget, start, and watch the loss fall."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from engine import checkpoint as ckpt
from engine.config import MODEL_PRESETS, PretrainConfig
from engine.errors import DojoError
from engine.events import Finished
from engine.io.store import Store
from engine.tokenizer import load_tokenizer
from engine.train import pretrain
from engine.train.estimate import earlier_tokens_per_s, estimate, measure_tokens_per_s
from engine.train.loop import resolve_device
from gui.insight.bands import BandsPanel
from gui.pages.base import StagePage, training_layout
from gui.widgets.config_form import ConfigForm
from gui.widgets.job_panel import JobPanel, fmt_duration
from gui.widgets.loss_plot import LossPlot
from gui.widgets.runs_table import RunsTable
from gui.widgets.samples import SamplesView

JOB, MEASURE_JOB = "pretrain", "measure"


def _si(x: float | None) -> str:
    if x is None:
        return "–"
    for unit, scale in (("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.1f}{unit}"
    return f"{x:.0f}"


class PretrainPage(StagePage):
    stage = "pretrain"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Pretraining"),
            self.tr(
                "The model reads the corpus and learns to predict the next token, over and "
                "over. This is where it learns the language and the facts of its world."
            ),
            parent,
        )
        self.form = ConfigForm(
            PretrainConfig,
            MODEL_PRESETS,
            groups={
                self.tr("Model"): ["preset", "n_layer", "n_head", "n_embd", "block_size", "n_experts"],
                self.tr("Budget"): ["max_minutes", "max_steps"],
                self.tr("Training"): [
                    "batch_size",
                    "lr",
                    "warmup_steps",
                    "eval_every",
                    "sample_every",
                    "checkpoint_every",
                    "seed",
                ],
            },
            labels={
                "preset": self.tr("Size preset"),
                "n_layer": self.tr("Layers"),
                "n_head": self.tr("Attention heads"),
                "n_embd": self.tr("Width"),
                "block_size": self.tr("Context (tokens)"),
                "n_experts": self.tr("Experts (MoE)"),
                "max_minutes": self.tr("Minutes"),
                "max_steps": self.tr("Steps"),
                "batch_size": self.tr("Batch size"),
                "lr": self.tr("Learning rate"),
                "warmup_steps": self.tr("Warm-up steps"),
                "eval_every": self.tr("Validate every"),
                "sample_every": self.tr("Sample every"),
                "checkpoint_every": self.tr("Checkpoint every"),
                "seed": self.tr("Seed"),
            },
        )
        self.form.set_values({"max_steps": 700, "max_minutes": 8.0})  # the README flow's budget
        self.form.changed.connect(self.update_estimate)
        self.estimate_label = QLabel()
        self.estimate_label.setObjectName("estimateLabel")
        self.estimate_label.setWordWrap(True)
        self.measure_button = QPushButton(self.tr("Measure speed"))
        self.measure_button.setToolTip(self.tr("Time a few training steps of this model on this machine"))
        self.measure_button.clicked.connect(self.measure)
        self.panel = JobPanel(ctx.runner, JOB, self.tr("Start pretraining"))
        self.panel.start_clicked.connect(self.start)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self.form)
        ll.addWidget(self.estimate_label)
        ll.addWidget(self.measure_button, 0, Qt.AlignmentFlag.AlignLeft)
        ll.addStretch(1)

        self.plot = LossPlot()
        self.samples = SamplesView()
        tabs = QTabWidget()
        tabs.addTab(self.samples, self.tr("Samples"))
        tabs.addTab(self.panel.log, self.tr("Log"))
        self.run_list = RunsTable(ctx, self.stage, self.panel.running, self.plot)
        self.run_list.resume_requested.connect(self.resume_run)
        self.run_list.run_selected.connect(self.show_run)
        tabs.addTab(self.run_list, self.tr("Runs"))
        self.bands = BandsPanel(ctx, self.plot, self.run_list.selected_run)
        self.bands.computed.connect(self._show_band_run)
        tabs.addTab(self.bands.as_tab(), self.tr("Reference band"))
        self.tabs = tabs
        self.body.addWidget(training_layout(left, self.panel, self.plot, tabs), 1)

        ctx.runner.busy_changed.connect(self._sync_buttons)
        self._vocab, self._tokens_per_s = None, None
        self.refresh()

    # -- starting -------------------------------------------------------------------------
    def _machine_config(self) -> PretrainConfig | None:
        cfg = self.form.config
        if cfg is None:
            return None
        o = self.ctx.machine_overrides()
        return dataclasses.replace(cfg, device=o["device"], threads=o["threads"])

    def start(self):
        ws, cfg = self.ctx.ws, self._machine_config()
        if ws is None or cfg is None:
            self.panel.show_failure(self.form.error_text or self.tr("Open a workspace first."))
            return
        self.plot.clear()
        self.samples.clear_samples()
        self._train(lambda control: pretrain.run(ws, cfg, control))

    def resume_run(self, run_id: str):
        ws, overrides = self.ctx.ws, self.resume_overrides()
        saved = ckpt.list_checkpoints(ws.run_dir(run_id) / "checkpoints")
        self.show_run(run_id, ckpt.read_meta(saved[-1])["step"] if saved else 0)  # continue the graph from there
        self._train(lambda control: pretrain.run(ws, None, control, resume=run_id, overrides=overrides))

    def _train(self, make_events):
        job = self.panel.run(make_events)
        if job is not None:
            job.metrics.connect(self.plot.add_metrics)
            job.sample.connect(lambda s: self.samples.add(s.step, s.prompt, s.text))
            job.finished.connect(self.refresh)
            job.failed.connect(self.refresh)

    def measure(self):
        cfg = self._machine_config()
        if cfg is None or not self._vocab:
            return
        mc = pretrain.model_config(cfg, self._vocab)

        def job(control):
            yield Finished("done", {"tokens_per_s": measure_tokens_per_s(cfg, mc, resolve_device(cfg.device))})

        self.estimate_label.setText(self.tr("Measuring…"))
        handle = self.ctx.runner.start(MEASURE_JOB, job)
        if handle is not None:
            handle.finished.connect(self._on_measured)
            handle.failed.connect(self.estimate_label.setText)

    @Slot(str, dict)
    def _on_measured(self, status, result):
        self._tokens_per_s = result.get("tokens_per_s")
        self.update_estimate()

    # -- workspace ------------------------------------------------------------------------
    def refresh(self):
        ws = self.ctx.ws
        self._vocab = None
        if ws is not None and ws.tokenizer_path.is_file():
            try:
                self._vocab = load_tokenizer(ws.tokenizer_path).get_vocab_size()
            except DojoError:
                pass
        self.run_list.refresh()
        self._sync_buttons()
        self.update_estimate()

    def show_run(self, run_id: str, upto: int | None = None):
        """A past run's curves and samples, up to step `upto`."""
        self.run_list.replay(run_id, upto, self.samples.clear_samples, self.samples.add)

    @Slot(dict)
    def _show_band_run(self, result: dict):
        """Draw the judged run's curves over its band (replay leaves the band in place)."""
        if not self.ctx.runner.is_busy():
            self.show_run(result["run"])

    def _sync_buttons(self, *_):
        self.measure_button.setEnabled(not self.ctx.runner.is_busy() and self._vocab is not None)

    def _history_tokens_per_s(self, cfg: PretrainConfig) -> float | None:
        """Throughput measured by an earlier run of the same model shape in this workspace."""
        if self.ctx.ws is None or not self.ctx.ws.db_path.is_file():
            return None
        with Store(self.ctx.ws.db_path) as store:
            return earlier_tokens_per_s(store, self.stage, cfg)

    def update_estimate(self):
        cfg = self.form.config
        if cfg is None:
            self.estimate_label.setText("")
            return
        if self._vocab is None:
            self.estimate_label.setText(
                self.tr("Train the tokenizer first: the model's size depends on its vocabulary.")
            )
            return
        tps = self._tokens_per_s or self._history_tokens_per_s(cfg)
        e = estimate(cfg, pretrain.model_config(cfg, self._vocab), tps)
        speed = self.tr("{0}/s measured").format(_si(tps)) if tps else self.tr("speed not measured yet")
        self.estimate_label.setText(
            self.tr("Estimate: {0} parameters · {1} tokens · {2} FLOPs · {3} ({4})").format(
                _si(e["params"]), _si(e["tokens"]), _si(e["flops"]), fmt_duration(e["seconds"]), speed
            )
        )
