"""The runs of one stage: status, steps, validation loss and what each started from (its lineage),
with "resume", "overlay on the graph" and "export for a cluster" for the selected run. Shared by the training pages."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import checkpoint as ckpt
from engine.io.store import Store
from engine.train.status import run_status

RESUMABLE = ("interrupted", "cancelled", "failed", "done")


class RunsTable(QWidget):
    resume_requested = Signal(str)  # run id
    run_selected = Signal(str)  # run id, when the person picks a row

    def __init__(self, ctx, stage: str, job_running: Callable[[], bool], plot, parent=None):
        """`job_running`: whether the page's own job is running now (it feeds the plot then)."""
        super().__init__(parent)
        self.ctx, self.stage, self.job_running, self.plot = ctx, stage, job_running, plot
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("runsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Run"), self.tr("Status"), self.tr("Steps"), self.tr("Val loss"), self.tr("Started from")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        self.resume_button = QPushButton(self.tr("Resume selected run"))
        self.resume_button.clicked.connect(self._resume)
        self.overlay_button = QPushButton(self.tr("Overlay on graph"))
        self.overlay_button.setCheckable(True)
        self.overlay_button.clicked.connect(self.toggle_overlay)
        self.cluster_button = QPushButton(self.tr("Export for a cluster…"))
        self.cluster_button.setToolTip(
            self.tr("Write this run's config and the torchrun / Slurm commands that train it on many GPUs.")
        )
        self.cluster_button.clicked.connect(self.export_for_cluster)
        self.table.itemSelectionChanged.connect(self._on_selection)
        ctx.runner.busy_changed.connect(self.sync_buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.overlay_button)
        buttons.addWidget(self.cluster_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.sync_buttons()

    def refresh(self) -> None:
        ws, keep = self.ctx.ws, self.selected_run()
        self.table.blockSignals(True)  # rebuilding is not a person picking a run
        self.table.setRowCount(0)
        if ws is not None and ws.db_path.is_file():
            with Store(ws.db_path) as store:
                for run in reversed(store.runs(self.stage)):
                    steps = store.metrics(run["id"], "train/loss")
                    val = store.metrics(run["id"], "val/loss")
                    status = run_status(ws, run)  # "running" with nobody writing it: interrupted
                    row = self.table.rowCount()
                    self.table.insertRow(row)
                    for col, text in enumerate(
                        (
                            run["id"],
                            self._status_text(status),
                            str(steps[-1][0]) if steps else "0",
                            f"{val[-1][1]:.3f}" if val else "–",
                            self.lineage_text(run["parent"]),
                        )
                    ):
                        item = QTableWidgetItem(text)
                        item.setData(Qt.ItemDataRole.UserRole, status)
                        if col == 4 and run["parent"]:
                            item.setToolTip(run["parent"])
                        self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        ids = [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
        if keep in ids:  # the picked run stays picked
            self.table.selectRow(ids.index(keep))
        self.table.blockSignals(False)
        self.sync_buttons()
        # a page opened on a workspace shows its latest run's curves and samples, not empty graphs
        # (a graph that shows something, a live job's or a picked run's, is left as it is)
        if ids and not self.ctx.runner.is_busy() and self.plot.is_empty():
            self.table.clearSelection()
            self.table.selectRow(0)

    def lineage_text(self, parent: str | None) -> str:
        """'pretrain-0003 @ step 1550' for a checkpoint of this workspace; the path otherwise."""
        if not parent:
            return self.tr("scratch")
        found = ckpt.run_and_step(parent)
        return self.tr("{0} @ step {1}").format(*found) if found else parent

    def _status_text(self, status: str) -> str:
        return {
            "done": self.tr("done"),
            "running": self.tr("running"),
            "interrupted": self.tr("interrupted"),
            "cancelled": self.tr("stopped"),
            "failed": self.tr("failed"),
        }.get(status, status)

    def selected_run(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def _on_selection(self) -> None:
        self.sync_buttons()
        run_id = self.selected_run()
        if run_id is not None and not self.ctx.runner.is_busy():
            self.run_selected.emit(run_id)

    def _resume(self) -> None:
        run_id = self.selected_run()
        if run_id is not None and self.ctx.ws is not None:
            self.resume_requested.emit(run_id)

    def sync_buttons(self, *_) -> None:
        sel = self.selected_run()
        status = self.table.item(self.table.currentRow(), 1).data(Qt.ItemDataRole.UserRole) if sel else ""
        self.resume_button.setEnabled(bool(sel) and not self.ctx.runner.is_busy() and status in RESUMABLE)
        self.overlay_button.setEnabled(bool(sel))
        self.cluster_button.setEnabled(bool(sel))
        self.overlay_button.setChecked(bool(sel) and sel in self.plot.overlay_names())

    def export_for_cluster(self) -> None:
        from gui.widgets.cluster_dialog import ClusterExportDialog

        run_id = self.selected_run()
        if run_id is not None and self.ctx.ws is not None:
            ClusterExportDialog(self.ctx.ws, run_id, self).exec()

    def replay(self, run_id: str, upto: int | None, clear_samples, add_sample) -> None:
        """Draw a past run's curves on the plot and pass its samples to `add_sample(step, prompt, text)`,
        up to step `upto`; not while this stage's job is feeding the plot."""
        if self.ctx.ws is None or self.job_running():
            return
        self.plot.clear()
        clear_samples()
        with Store(self.ctx.ws.db_path) as store:
            for key in store.metric_keys(run_id):  # every series, so any can be the lower graph
                for step, v in store.metrics(run_id, key):
                    if upto is None or step <= upto:
                        self.plot.add_metrics(step, {key: v})
            for step, prompt, text in store.samples(run_id):
                if upto is None or step <= upto:
                    add_sample(step, prompt, text)
        self.plot.show_all()  # at once, fitted: not at the next redraw tick with room to grow

    def toggle_overlay(self, checked: bool) -> None:
        run_id = self.selected_run()
        if run_id is None or self.ctx.ws is None:
            return
        if not checked:
            self.plot.remove_overlay(run_id)
            return
        with Store(self.ctx.ws.db_path) as store:
            series = {k: store.metrics(run_id, k) for k in ("train/loss", "val/loss")}
        self.plot.set_overlay(run_id, series)
