"""RLHF page: the preference store, and learning from it — a reward model, DPO, KTO, or GRPO / PPO with
a judge (whose lower graph draws the rules' "gold" reward beside a proxy judge's)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.errors import DojoError
from engine.events import Finished
from engine.rlhf.candidates import sample_candidates
from engine.rlhf.prefs import PrefStore
from engine.train import dpo, grpo, kto, ppo, reward
from engine.train.loop import resolve_device
from gui.insight.reward import RewardPanel
from gui.pages.base import StagePage, training_layout
from gui.widgets.config_form import ConfigForm
from gui.widgets.job_panel import JobPanel
from gui.widgets.loss_plot import LossPlot
from gui.widgets.runs_table import RunsTable

JOB, PREFS_JOB = "rlhf", "prefs"
MODULES = {"dpo": dpo, "grpo": grpo, "kto": kto, "ppo": ppo, "reward": reward}
LOWER_GRAPH = {
    "dpo": "rewards/margin",
    "grpo": "rl/reward",
    "kto": "rewards/margin",
    "ppo": "rl/reward",
    "reward": "val/accuracy",
}
# a proxy judge's reward and the rules' score of the same answers, drawn together: over-optimisation
# (Gao et al. 2022) is where the first keeps rising and the second falls
GOLD_BESIDE = {"rl/reward": "rl/gold", "val/reward": "val/gold"}
LIST_LIMIT = 500
SAMPLE_PROMPTS = 20


class RLHFPage(StagePage):
    stage = "rlhf"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("RLHF"),
            self.tr(
                "People say which answer is better; the model learns to give such answers. DPO "
                "learns from the pairs directly; a reward model learns to imitate the judges; "
                "GRPO and PPO let the model answer and a judge score it."
            ),
            parent,
        )
        # preferences
        self.counts_label = QLabel()
        self.counts_label.setObjectName("prefCounts")
        self.counts_label.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Import JSONL…"))
        self.export_button = QPushButton(self.tr("Export JSONL…"))
        self.demo_button = QPushButton(self.tr("Add the demo preferences"))
        self.import_button.clicked.connect(lambda: self._ask_file(self.import_prefs, save=False))
        self.export_button.clicked.connect(lambda: self._ask_file(self.export_prefs, save=True))
        self.demo_button.clicked.connect(self.import_demo)
        self.sample_button = QPushButton(self.tr("Sample answers to rank"))
        self.sample_button.setToolTip(
            self.tr(
                "The latest SFT run answers the demo's held-out prompts 4 times "
                "each; the answers wait in the store to be ranked"
            )
        )
        self.sample_button.clicked.connect(self.sample)
        prefs_box = QGroupBox(self.tr("Preferences"))
        pl = QVBoxLayout(prefs_box)
        pl.addWidget(self.counts_label)
        row = QHBoxLayout()
        for b in (self.import_button, self.export_button):
            row.addWidget(b)
        pl.addLayout(row)
        pl.addWidget(self.demo_button)
        pl.addWidget(self.sample_button)

        # method and its settings
        self.method = QComboBox()
        self.method.setObjectName("rlhfMethod")
        for key, label in (
            ("dpo", self.tr("DPO: learn from the pairs")),
            ("reward", self.tr("Reward model: learn to judge")),
            ("grpo", self.tr("GRPO: answer, get judged, improve")),
            ("ppo", self.tr("PPO: answer, get judged, a value head assigns the credit")),
            ("kto", self.tr("KTO: learn from thumbs up / down")),
        ):
            self.method.addItem(label, key)
        common = {
            "base": self.tr("Start from run"),
            "max_steps": self.tr("Steps"),
            "max_minutes": self.tr("Minutes"),
            "batch_size": self.tr("Batch size"),
            "lr": self.tr("Learning rate"),
            "eval_every": self.tr("Validate every"),
        }
        policy_labels = {
            "judge": self.tr("Judge"),
            "group_size": self.tr("Answers per prompt"),
            "temperature": self.tr("Temperature"),
            "beta": self.tr("KL weight (β)"),
        }
        self.forms = {
            "dpo": ConfigForm(
                dpo.DPOConfig,
                groups={
                    self.tr("Settings"): ["base", "prefs", "beta"],
                    self.tr("Budget"): ["max_steps", "max_minutes"],
                    self.tr("Training"): ["batch_size", "lr", "eval_every"],
                },
                labels={**common, "prefs": self.tr("Pairs file"), "beta": self.tr("Beta (β)")},
            ),
            "reward": ConfigForm(
                reward.RewardConfig,
                groups={
                    self.tr("Settings"): ["base", "prefs"],
                    self.tr("Budget"): ["max_steps", "max_minutes"],
                    self.tr("Training"): ["batch_size", "lr", "eval_every"],
                },
                labels={**common, "prefs": self.tr("Pairs file")},
            ),
            "kto": ConfigForm(
                kto.KTOConfig,
                groups={
                    self.tr("Settings"): ["base", "prefs", "beta"],
                    self.tr("Budget"): ["max_steps", "max_minutes"],
                    self.tr("Training"): ["batch_size", "lr", "eval_every"],
                },
                labels={**common, "prefs": self.tr("Pairs file"), "beta": self.tr("Beta (β)")},
            ),
            "grpo": ConfigForm(
                grpo.GRPOConfig,
                groups={
                    self.tr("Settings"): ["base", "judge", "group_size", "temperature", "beta", "advantage"],
                    self.tr("Budget"): ["max_steps", "max_minutes"],
                    self.tr("Training"): ["batch_size", "lr", "eval_every"],
                },
                labels={**common, **policy_labels, "advantage": self.tr("Advantage")},
            ),
            "ppo": ConfigForm(
                ppo.PPOConfig,
                groups={
                    self.tr("Settings"): ["base", "judge", "group_size", "temperature", "beta"],
                    self.tr("Value head"): ["gamma", "lam", "vf_coef", "ppo_epochs"],
                    self.tr("Budget"): ["max_steps", "max_minutes"],
                    self.tr("Training"): ["batch_size", "lr", "eval_every"],
                },
                labels={
                    **common,
                    **policy_labels,
                    "gamma": self.tr("Discount (γ)"),
                    "lam": self.tr("GAE λ"),
                    "vf_coef": self.tr("Value loss weight"),
                    "ppo_epochs": self.tr("Steps per rollout"),
                },
            ),
        }
        self.form_stack = QStackedWidget()
        for f in self.forms.values():
            self.form_stack.addWidget(f)
        self.method.currentIndexChanged.connect(self._on_method)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(prefs_box)
        ll.addWidget(QLabel(self.tr("Method")))
        ll.addWidget(self.method)
        ll.addWidget(self.form_stack)
        ll.addStretch(1)

        self.panel = JobPanel(ctx.runner, JOB, self.tr("Start"))
        self.panel.start_clicked.connect(self.start)
        self.plot = LossPlot()
        self.judgements = QTableWidget(0, 4)
        self.judgements.setObjectName("judgementsTable")
        self.judgements.setHorizontalHeaderLabels([self.tr("#"), self.tr("Kind"), self.tr("Judge"), self.tr("Prompt")])
        self.judgements.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.judgements.verticalHeader().hide()
        self.judgements.horizontalHeader().setStretchLastSection(True)
        self.run_list = RunsTable(ctx, "dpo", self.panel.running, self.plot)
        self.run_list.resume_requested.connect(self.resume_run)
        self.run_list.run_selected.connect(
            lambda run_id: self.run_list.replay(run_id, None, lambda: None, lambda *_: None)
        )
        tabs = QTabWidget()
        tabs.addTab(self.judgements, self.tr("Judgements"))
        tabs.addTab(self.run_list, self.tr("Runs"))
        tabs.addTab(self.panel.log, self.tr("Log"))
        self.reward_tab = RewardPanel(ctx)
        tabs.addTab(self.reward_tab.as_tab(), self.tr("Reward diagnostics"))
        self.tabs = tabs
        self.body.addWidget(training_layout(left, self.panel, self.plot, tabs), 1)

        for key, gold in GOLD_BESIDE.items():
            self.plot.pair_extra(key, gold, self.tr("gold: the rules"))
        ctx.runner.busy_changed.connect(self._sync_buttons)
        self._on_method()

    # -- method ---------------------------------------------------------------------------
    def method_key(self) -> str:
        return self.method.currentData()

    def _on_method(self, *_):
        key = self.method_key()
        self.form_stack.setCurrentWidget(self.forms[key])
        self.plot.prefer_extra(LOWER_GRAPH[key])
        self.run_list.stage = key
        self.run_list.refresh()

    # -- training -------------------------------------------------------------------------
    def start(self):
        ws, key = self.ctx.ws, self.method_key()
        cfg = self.forms[key].config
        if ws is None or cfg is None:
            self.panel.show_failure(self.forms[key].error_text or self.tr("Open a workspace first."))
            return
        o = self.ctx.machine_overrides()
        cfg = dataclasses.replace(cfg, device=o["device"], threads=o["threads"])
        self.plot.clear()
        module = MODULES[key]
        self._train(lambda control: module.run(ws, cfg, control))

    def resume_run(self, run_id: str):
        ws, module = self.ctx.ws, MODULES[self.method_key()]
        self.plot.clear()
        self._train(lambda control: module.run(ws, None, control, resume=run_id, overrides=self.resume_overrides()))

    def _train(self, make_events):
        job = self.panel.run(make_events)
        if job is not None:
            job.metrics.connect(self.plot.add_metrics)
            job.finished.connect(self.run_list.refresh)
            job.failed.connect(self.run_list.refresh)

    def active_form(self):
        return self.forms[self.method_key()]

    def _sync_buttons(self, *_):
        idle = not self.ctx.runner.is_busy() and self.ctx.ws is not None
        for b in (self.import_button, self.export_button, self.demo_button, self.sample_button):
            b.setEnabled(idle)

    # -- preferences (file work runs off the GUI thread, as a job) -----------------------------
    def _ask_file(self, action, save: bool):
        title = self.tr("Export preference pairs") if save else self.tr("Import preference pairs")
        filt = self.tr("JSON Lines (*.jsonl)")
        path = (
            QFileDialog.getSaveFileName(self, title, "prefs.jsonl", filt)
            if save
            else QFileDialog.getOpenFileName(self, title, "", filt)
        )[0]
        if path:
            action(path)

    def _prefs_job(self, work):
        ws = self.ctx.ws
        if ws is None:
            return

        def job(control):
            with PrefStore(ws.db_path) as store:
                yield Finished("done", work(store, ws))

        self._start_prefs_job(job)

    def _start_prefs_job(self, make_events):
        job = self.ctx.runner.start(PREFS_JOB, make_events)
        if job is not None:
            job.finished.connect(self._on_prefs_finished)
            job.failed.connect(self._on_prefs_failed)

    @Slot(str, dict)
    def _on_prefs_finished(self, status, result):
        self.refresh_prefs()
        if result.get("message"):
            self.counts_label.setText(self.counts_label.text() + "\n" + result["message"])

    @Slot(str)
    def _on_prefs_failed(self, message):
        self.refresh_prefs()
        self.counts_label.setText(self.counts_label.text() + "\n" + message)

    def import_prefs(self, path: str):
        def work(store, ws):
            r = store.import_jsonl(path)
            skipped = "".join(f"\n{s}" for s in r["skipped"][:5])
            return {
                "message": self.tr("Imported {0} pairs ({1} already there, {2} lines skipped).").format(
                    r["imported"], r["duplicates"], len(r["skipped"])
                )
                + skipped
            }

        self._prefs_job(work)

    def export_prefs(self, path: str):
        self._prefs_job(
            lambda store, ws: {"message": self.tr("Exported {0} pairs to {1}.").format(store.export_jsonl(path), path)}
        )

    def import_demo(self):
        def work(store, ws):
            r = store.import_demo(ws)
            return {
                "message": self.tr("Imported {0} demo pairs ({1} already there).").format(
                    r["imported"], r["duplicates"]
                )
            }

        self._prefs_job(work)

    def sample(self, n: int = 4, limit: int = SAMPLE_PROMPTS):
        ws = self.ctx.ws
        if ws is None:
            return
        device = self.ctx.machine_overrides()["device"]

        def job(control):
            for ev in sample_candidates(ws, n=n, limit=limit, device=resolve_device(device), control=control):
                if isinstance(ev, Finished):
                    ev.result["message"] = self.tr("{0} answers from {1} stored, ready to rank.").format(
                        ev.result["responses"], ev.result["run"]
                    )
                yield ev

        self._start_prefs_job(job)

    def refresh_prefs(self):
        self.judgements.setRowCount(0)
        ws = self.ctx.ws
        if ws is None or not ws.db_path.is_file():
            self.counts_label.setText(self.tr("No workspace."))
            return
        try:
            with PrefStore(ws.db_path) as store:
                c = store.counts()
                rows = store.list_judgements(LIST_LIMIT)
        except DojoError as e:  # a damaged database: say so, touch nothing
            self.counts_label.setText(str(e))
            return
        j = c["judgements"]
        text = self.tr("{0} prompts, {1} answers; {2} rankings, {3} pairs, {4} thumbs → {5} training pairs.").format(
            c["prompts"], c["responses"], j["ranking"], j["pair"], j["thumb"], c["pairs"]
        )
        demo = ws.data_dir / "prefs" / "train.jsonl"
        if not c["pairs"] and demo.is_file():  # what a training run does with an empty store (prefdata)
            n = sum(1 for line in demo.open(encoding="utf-8") if line.strip())
            text += " " + self.tr("Training imports the demo world's {0} preference pairs first.").format(n)
        self.counts_label.setText(text)
        kinds = {"ranking": self.tr("ranking"), "pair": self.tr("pair"), "thumb": self.tr("thumb")}
        for r in rows:
            i = self.judgements.rowCount()
            self.judgements.insertRow(i)
            when = datetime.fromtimestamp(r["created"]).strftime("%Y-%m-%d %H:%M") if r["created"] else ""
            for col, text in enumerate((str(r["id"]), kinds.get(r["kind"], r["kind"]), r["judge"], r["prompt"])):
                item = QTableWidgetItem(text)
                item.setToolTip(when)
                self.judgements.setItem(i, col, item)
        self.judgements.resizeColumnsToContents()

    def refresh(self):
        self.refresh_prefs()
        self.run_list.refresh()
        self._sync_buttons()
