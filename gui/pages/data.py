"""Data page: choose sources, steps and thresholds, clean, and see what each step removed."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.data import clean
from engine.errors import DojoError
from gui.insight.probe import ProbePanel
from gui.labels import reason_label, step_label
from gui.pages.base import StagePage
from gui.widgets.funnel import FunnelView
from gui.widgets.job_panel import JobPanel

JOB, PREVIEW_JOB = "data", "data-preview"
PREVIEW_DOCS = 500


class DataPage(StagePage):
    stage = "data"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Data"),
            self.tr(
                "Raw text is dirty: markup, duplicates, spam, pages of one repeated character. "
                "Cleaning keeps what is worth learning from, and says why it dropped the rest."
            ),
            parent,
        )
        # sources
        self.sources = QListWidget()
        self.sources.setObjectName("sourcesList")
        self.sources.setMaximumHeight(90)
        add_files = QPushButton(self.tr("Add files…"))
        add_folder = QPushButton(self.tr("Add folder…"))
        remove = QPushButton(self.tr("Remove"))
        add_files.clicked.connect(self._add_files)
        add_folder.clicked.connect(self._add_folder)
        remove.clicked.connect(
            lambda: [self.sources.takeItem(self.sources.row(i)) for i in self.sources.selectedItems()]
        )
        src_box = QGroupBox(self.tr("Sources"))
        sl = QVBoxLayout(src_box)
        sl.addWidget(self.sources)
        row = QHBoxLayout()
        for b in (add_files, add_folder, remove):
            row.addWidget(b)
        row.addStretch(1)
        sl.addLayout(row)
        # steps and thresholds
        steps = QGroupBox(self.tr("Steps"))
        form = QFormLayout(steps)
        self.use_rules = QCheckBox(self.tr("Heuristic rules"))
        self.min_chars = QSpinBox()
        self.min_chars.setRange(0, 100_000)
        self.max_char_run = QDoubleSpinBox()
        self.max_char_run.setRange(0.0, 1.0)
        self.max_char_run.setSingleStep(0.05)
        self.use_exact = QCheckBox(self.tr("Exact duplicates"))
        self.use_near = QCheckBox(self.tr("Near duplicates (MinHash)"))
        self.near_threshold = QDoubleSpinBox()
        self.near_threshold.setRange(0.3, 1.0)
        self.near_threshold.setSingleStep(0.05)
        self.use_quality = QCheckBox(self.tr("Quality model"))
        self.workers = QSpinBox()
        self.workers.setRange(1, 64)
        form.addRow(self.use_rules)
        form.addRow(self.tr("Shortest document (characters)"), self.min_chars)
        form.addRow(self.tr("Longest run of one character (share)"), self.max_char_run)
        form.addRow(self.use_exact)
        form.addRow(self.use_near)
        form.addRow(self.tr("Similarity threshold"), self.near_threshold)
        form.addRow(self.use_quality)
        form.addRow(self.tr("Worker processes"), self.workers)
        self.preview_button = QPushButton(self.tr("Preview rules on a sample"))
        self.preview_button.setToolTip(
            self.tr("What these rules would drop among the first {0} documents").format(PREVIEW_DOCS)
        )
        self.preview_button.clicked.connect(self.preview)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("previewLabel")
        self.preview_label.setWordWrap(True)
        self.panel = JobPanel(ctx.runner, JOB, self.tr("Clean"))
        self.panel.start_clicked.connect(self.start)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        for w in (src_box, steps, self.preview_button, self.preview_label, self.panel):
            ll.addWidget(w)
        ll.addStretch(1)

        # results
        self.funnel = FunnelView()
        self.reasons = QTableWidget(0, 3)
        self.reasons.setObjectName("reasonsTable")
        self.reasons.setHorizontalHeaderLabels([self.tr("Step"), self.tr("Reason"), self.tr("Documents")])
        self.reasons.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reasons.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reasons.verticalHeader().hide()
        self.reasons.horizontalHeader().setStretchLastSection(True)
        self.reasons.itemSelectionChanged.connect(self._show_examples)
        self.examples = QTextBrowser()
        self.examples.setObjectName("examplesView")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel(self.tr("<b>Funnel</b>: documents left after each step")))
        tl.addWidget(self.funnel)
        tl.addWidget(self.summary)
        right.addWidget(top)
        right.addWidget(self.reasons)
        right.addWidget(self.examples)
        # the probe looks at the tokenized corpus against the eval sets: a second view of the same data
        self.tabs = QTabWidget()
        self.tabs.addTab(right, self.tr("Cleaning"))
        self.probe_panel = ProbePanel(ctx)
        self.tabs.addTab(self.probe_panel.as_tab(), self.tr("Memorisation and contamination"))
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([420, 800])
        self.body.addWidget(split, 1)
        self.report: dict | None = None
        self._set_form(clean.make_config())

    # -- config ---------------------------------------------------------------------------
    def _set_form(self, cfg: clean.CleanConfig):
        self.use_rules.setChecked(True)
        self.min_chars.setValue(cfg.rules.min_chars)
        self.max_char_run.setValue(cfg.rules.max_char_run_fraction)
        self.use_exact.setChecked(cfg.exact_dedup.enabled)
        self.use_near.setChecked(cfg.near_dedup.enabled)
        self.near_threshold.setValue(cfg.near_dedup.threshold)
        self.use_quality.setChecked(cfg.quality.enabled)
        self.workers.setValue(cfg.workers)

    def config(self) -> clean.CleanConfig:
        sets = {
            "sources": json.dumps([self.sources.item(i).text() for i in range(self.sources.count())]),
            "workers": str(self.workers.value()),
            "rules.min_chars": str(self.min_chars.value() if self.use_rules.isChecked() else 0),
            "rules.max_char_run_fraction": str(self.max_char_run.value()),
            "exact_dedup.enabled": str(self.use_exact.isChecked()),
            "near_dedup.enabled": str(self.use_near.isChecked()),
            "near_dedup.threshold": str(self.near_threshold.value()),
            "quality.enabled": str(self.use_quality.isChecked()),
        }
        if not self.use_rules.isChecked():
            sets["rules.enabled"] = "false"
        return clean.make_config(sets=sets)

    def _add_files(self):
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add text files"), "", self.tr("Text (*.txt *.md *.jsonl *.csv *.parquet);;All files (*)")
        )
        self.sources.addItems(files)

    def _add_folder(self):
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of text"))
        if folder:
            self.sources.addItem(folder)

    # -- jobs -----------------------------------------------------------------------------
    def start(self):
        ws = self.ctx.ws
        try:
            cfg = self.config()
        except DojoError as e:
            self.panel.show_failure(str(e))
            return
        if ws is not None:
            job = self.panel.run(lambda control: clean.run(ws, cfg, control))
            if job is not None:
                job.finished.connect(self._on_cleaned)

    def preview(self):
        ws = self.ctx.ws
        try:
            cfg = self.config()
        except DojoError as e:
            self.preview_label.setText(str(e))
            return
        if ws is None:
            return
        self.preview_label.setText(self.tr("Previewing…"))
        job = self.ctx.runner.start(PREVIEW_JOB, lambda control: clean.preview(ws, cfg, PREVIEW_DOCS))
        if job is not None:
            job.finished.connect(self._on_previewed)
            job.failed.connect(self.preview_label.setText)

    @Slot(str, dict)
    def _on_cleaned(self, status, result):
        if status == "done":
            self.show_report(result)
            self.tabs.setCurrentIndex(0)  # a fresh cleaning report is what the user is waiting for

    @Slot(str, dict)
    def _on_previewed(self, status, result):
        total, dropped = result.get("documents", 0), result.get("dropped", {})
        parts = ", ".join(
            f"{reason_label(k.rpartition('/')[2])} {v}" for k, v in sorted(dropped.items(), key=lambda kv: -kv[1])
        )
        self.preview_label.setText(
            self.tr("These rules would drop {0} of {1} documents: {2}").format(
                sum(dropped.values()), total, parts or "–"
            )
        )

    # -- results --------------------------------------------------------------------------
    def refresh(self):
        ws = self.ctx.ws
        if ws is None:
            return
        if self.sources.count() == 0:
            self.sources.addItems([str(p) for p in clean.default_sources(ws)])
        report = ws.clean_dir / "report.json"
        if report.is_file():
            try:
                self.show_report(json.loads(report.read_text(encoding="utf-8")))
            except ValueError:
                pass

    def show_report(self, report: dict):
        self.report = report
        self.funnel.set_funnel(report.get("funnel", []))
        rows = [
            (step, reason, n) for step, reasons in report.get("reasons", {}).items() for reason, n in reasons.items()
        ]
        self.reasons.setRowCount(0)
        for step, reason, n in sorted(rows, key=lambda r: -r[2]):
            i = self.reasons.rowCount()
            self.reasons.insertRow(i)
            for col, (text, raw) in enumerate(
                ((step_label(step), step), (reason_label(reason), reason), (f"{n:,}", ""))
            ):
                item = QTableWidgetItem(text)
                if raw:  # the engine's name: report.json's keys, and what finds the examples
                    item.setData(Qt.ItemDataRole.UserRole, raw)
                    item.setToolTip(raw)
                self.reasons.setItem(i, col, item)
        self.reasons.resizeColumnsToContents()
        skipped = report.get("skipped_inputs", [])
        self.summary.setText(
            self.tr("Output: {0} · {1} inputs skipped · {2} bad records · {3} s").format(
                report.get("out", ""), len(skipped), report.get("bad_records", 0), report.get("seconds", 0)
            )
            + "".join(f"<br>{html.escape(s['path'])}: {html.escape(s['reason'])}" for s in skipped[:10])
        )
        if self.reasons.rowCount():
            self.reasons.selectRow(0)

    def _show_examples(self):
        rows = self.reasons.selectionModel().selectedRows()
        if not rows or not self.report:
            return
        step = self.reasons.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        reason = self.reasons.item(rows[0].row(), 1).data(Qt.ItemDataRole.UserRole)
        examples = self.report.get("examples", {}).get(f"{step}/{reason}", [])
        shown = f"{step_label(step)}: {reason_label(reason)}"
        parts = [
            f"<p><span style='background:#ffe066; color:#000'>&nbsp;{html.escape(shown)}&nbsp;</span> "
            f"<span style='color:gray'>{html.escape(str(e.get('source') or e.get('id')))}</span><br>"
            f"{html.escape(e.get('text', ''))}</p>"
            for e in examples
        ]
        self.examples.setHtml("".join(parts) or self.tr("No examples kept for this reason."))
