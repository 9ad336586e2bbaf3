"""Labs page: the experiments behind the story (engine/labs), one paragraph each; run one with its
settings and read its report — the Markdown with its plots — when it ends."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import labs
from engine.labs.report import report_in
from gui.pages.base import SettingsScroll, StagePage
from gui.settings import ui_language
from gui.widgets.config_form import ConfigForm
from gui.widgets.job_panel import JobPanel
from gui.widgets.tables_in_text import fit_tables

JOB = "lab"


class LabsPage(StagePage):
    stage = "labs"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Labs"),
            self.tr(
                "Famous results about how language models are made, reproduced at toy scale on "
                "this machine. Each lab trains what it needs in a scratch folder and writes a "
                "report with plots into the workspace's labs folder."
            ),
            parent,
        )
        self.texts = {
            "chinchilla": (
                self.tr("Compute-optimal sizing (Chinchilla)"),
                self.tr(
                    "For a fixed compute budget, is a big model trained briefly better than a small one trained "
                    "long? The lab trains several sizes at equal FLOPs (6 × parameters × tokens) and plots loss "
                    "against size for each budget: the bottom of each curve is the best size for that budget. "
                    "Hoffmann et al. (2022) found about 20 training tokens per parameter at the optimum."
                ),
            ),
            "knowledge": (
                self.tr("Knowledge extraction"),
                self.tr(
                    "Can a model answer questions about people it only read about in pretraining? The lab "
                    "pretrains three times for the same steps: on one biography per person; on several "
                    "versions, each worded anew, shuffled and naming the person in every sentence; and on "
                    "one biography with questions about half the people mixed in. It checks that each "
                    "model memorised its facts, fine-tunes each on questions about half of the people and "
                    "asks about the other half. Allen-Zhu and Li found about 10% with one biography and "
                    "96% with varied versions: memorised is not the same as extractable."
                ),
            ),
            "sft-categories": (
                self.tr("What fine-tuning data teaches"),
                self.tr(
                    "Sorts question–answer examples by how well the base model already knows them (highly, "
                    "maybe, weakly, unknown), fine-tunes on each group and compares held-out accuracy. Gekhman "
                    "et al. (2024) found 'maybe known' examples help most and unknown facts teach guessing."
                ),
            ),
            "calibration": (
                self.tr("Calibration"),
                self.tr(
                    "Does the model's confidence match how often it is right? For base, fine-tuned and aligned "
                    "models the lab plots accuracy against the probability of the answer (a reliability "
                    "diagram: a calibrated model lies on the diagonal) and reports the expected calibration "
                    "error."
                ),
            ),
            "spikes": (
                self.tr("Loss spikes and bad data"),
                self.tr(
                    "Slips a slice of junk pages into a pretraining run, shows the spike on the loss curve, "
                    "points at the documents in the spiking batches, and trains again on cleaned data."
                ),
            ),
            "decoding": (
                self.tr("Decoding without training"),
                self.tr(
                    "How far do decoding tricks alone take a base model? A higher end-of-turn probability and a "
                    "repetition penalty, judged side by side against the fine-tuned model (Lin et al. 2023 "
                    "found such tricks win a share of comparisons)."
                ),
            ),
            "emergence": (
                self.tr("Emergent abilities, or a metric's mirage"),
                self.tr(
                    "Across model sizes, accuracy on some tasks stays near zero and then jumps. The lab trains "
                    "several sizes on multi-digit addition and scores the same answers three ways: the whole "
                    "answer right or wrong (it jumps), each digit (it rises gradually) and the loss of the right "
                    "answer (it falls smoothly) — Schaeffer et al. (2023): look at the steps, not only the answer."
                ),
            ),
            "moe": (
                self.tr("Mixture of experts"),
                self.tr(
                    "A mixture-of-experts model replaces the feed-forward block with many experts and a router "
                    "that sends each token to one or two of them: every parameter is trained, few are used per "
                    "token. The lab trains dense models of the same active and the same total size, and MoE models "
                    "with and without the load-balancing loss, and shows each expert's share of the tokens."
                ),
            ),
        }
        self.list = QListWidget()
        self.list.setObjectName("labList")
        self.list.setMaximumWidth(260)
        self.about = QLabel()
        self.about.setObjectName("labAbout")
        self.about.setWordWrap(True)
        self.forms: dict[str, ConfigForm] = {}
        self.form_stack = QStackedWidget()
        self.quick_button = QPushButton(self.tr("Quick settings (smallest)"))
        self.quick_button.setToolTip(self.tr("The settings the tests use: a run of seconds, for trying the lab out."))
        self.quick_button.clicked.connect(self.use_smallest)
        self.panel = JobPanel(ctx.runner, JOB, self.tr("Run lab"), can_pause=False)
        self.panel.start_clicked.connect(self.start)
        self.reports = QComboBox()
        self.reports.setObjectName("labReports")
        self.reports.currentIndexChanged.connect(self._show_selected_report)
        self.viewer = QTextBrowser()
        self.viewer.setObjectName("labReport")
        self.viewer.setOpenExternalLinks(True)

        for name in labs.LABS:
            title = self.texts.get(name, (name, ""))[0]
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.list.currentRowChanged.connect(self._select)

        settings = QWidget()
        left = QVBoxLayout(settings)
        left.addWidget(self.about)
        left.addWidget(self.form_stack)
        left.addWidget(self.quick_button)
        left.addWidget(self.panel)
        left.addWidget(self.panel.log, 1)
        self.settings_scroll = scroll = SettingsScroll(settings, 340)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Report:")))
        row.addWidget(self.reports, 1)
        rlay.addLayout(row)
        rlay.addWidget(self.viewer, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(2, 1)
        self.body.addWidget(split, 1)
        self.list.setCurrentRow(0)

    # -- which lab --------------------------------------------------------------------------
    def current_lab(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_lab(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
                return
        raise KeyError(name)

    def _select(self, _row: int) -> None:
        name = self.current_lab()
        if name is None:
            return
        self.about.setText(self.texts.get(name, (name, ""))[1])
        if name not in self.forms:
            self.forms[name] = ConfigForm(labs.module(name).Config)
            self.form_stack.addWidget(self.forms[name])
            # a wider form raises the column's minimum: the splitter only widens it when told
            self.settings_scroll.updateGeometry()
        self.form_stack.setCurrentWidget(self.forms[name])
        self.refresh()

    @property
    def form(self) -> ConfigForm | None:
        return self.forms.get(self.current_lab() or "")

    def use_smallest(self) -> None:
        name = self.current_lab()
        if name in self.forms:
            self.forms[name].set_values(dict(labs.module(name).SMALLEST))

    # -- run --------------------------------------------------------------------------------
    def start(self) -> None:
        name, form = self.current_lab(), self.form
        if self.ctx.ws is None or form is None or form.config is None:
            return
        ws, cfg = self.ctx.ws, form.config
        job = self.panel.run(lambda control: labs.run(name, ws, cfg, control))
        if job is not None:
            job.finished.connect(self._on_finished)

    @Slot(str, dict)
    def _on_finished(self, status, result):
        self.refresh()
        if result.get("report"):
            self.show_report(Path(result["report"]))

    # -- reports ----------------------------------------------------------------------------
    def report_paths(self) -> list[Path]:
        """This lab's reports in the workspace, newest first."""
        name = self.current_lab()
        if self.ctx.ws is None or name is None:
            return []
        folder = self.ctx.ws.root / "labs"
        found = [p / "report.md" for p in folder.glob(f"{name}-*") if (p / "report.md").is_file()]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def refresh(self) -> None:
        paths = self.report_paths()
        self.reports.blockSignals(True)
        self.reports.clear()
        for p in paths:
            self.reports.addItem(p.parent.name, str(p))
        self.reports.blockSignals(False)
        if paths:
            self.show_report(paths[0])
        else:
            self.viewer.setMarkdown(self.tr("No report yet: run the lab."))

    def _show_selected_report(self, index: int) -> None:
        if index >= 0:
            self.show_report(Path(self.reports.itemData(index)))

    def show_report(self, path: Path) -> None:
        i = self.reports.findData(str(path))
        if i >= 0 and i != self.reports.currentIndex():
            self.reports.blockSignals(True)
            self.reports.setCurrentIndex(i)
            self.reports.blockSignals(False)
        # images in the Markdown are file names next to it
        self.viewer.document().setBaseUrl(QUrl.fromLocalFile(str(path.parent) + "/"))
        self.viewer.setSearchPaths([str(path.parent)])
        self.viewer.setMarkdown(report_in(path, ui_language()).read_text(encoding="utf-8"))
        fit_tables(self.viewer.document())  # wide tables scroll sideways instead of breaking words
