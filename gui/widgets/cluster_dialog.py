""" "Export for a cluster": the selected run's config and the torchrun / Slurm commands, written into a
folder by engine/io/cluster.py; the dialog shows the command to copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.errors import DojoError
from engine.io.cluster import export_for_cluster


class ClusterExportDialog(QDialog):
    def __init__(self, ws, run_id: str, parent=None):
        super().__init__(parent)
        self.ws, self.run_id = ws, run_id
        self.setWindowTitle(self.tr("Export {0} for a cluster").format(run_id))
        self.result: dict | None = None

        self.nodes = QSpinBox(minimum=1, maximum=4096, value=1)
        self.gpus = QSpinBox(minimum=1, maximum=64, value=8)
        self.hours = QSpinBox(minimum=1, maximum=720, value=12)
        self.remote = QLineEdit(str(ws.root))
        self.remote.setToolTip(self.tr("Where the workspace will live on the cluster (a filesystem every node reads)."))
        self.folder = QLineEdit(str(ws.root / "cluster" / run_id))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)

        form = QFormLayout()
        form.addRow(self.tr("Machines (nodes)"), self.nodes)
        form.addRow(self.tr("GPUs per machine"), self.gpus)
        form.addRow(self.tr("Workspace on the cluster"), self.remote)
        form.addRow(self.tr("Slurm time limit (hours)"), self.hours)
        form.addRow(self.tr("Write to folder"), folder_row)

        self.message = QLabel()
        self.message.setObjectName("clusterMessage")
        self.message.setWordWrap(True)
        self.command = QPlainTextEdit(readOnly=True)
        self.command.setObjectName("clusterCommand")
        self.command.setMaximumHeight(90)
        self.command.hide()
        self.copy_button = QPushButton(self.tr("Copy command"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.command.toPlainText()))
        self.copy_button.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Writes the run's config (run.toml), launch.sh (torchrun), slurm.sbatch and a README into a folder. "
                    "Copy the workspace and that folder to the cluster and start launch.sh or sbatch slurm.sbatch: "
                    "the same config trains there on every GPU."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.command)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Folder for the cluster files"), self.folder.text())
        if path:
            self.folder.setText(path)

    def export(self) -> None:
        try:
            self.result = export_for_cluster(
                self.ws,
                self.run_id,
                Path(self.folder.text()),
                self.nodes.value(),
                self.gpus.value(),
                self.remote.text().strip(),
                self.hours.value(),
            )
        except (DojoError, OSError) as e:
            self.message.setText(self.tr("Not exported: {0}").format(e))
            return
        self.message.setText(
            self.tr("Wrote {0} to {1}. Start it on the cluster with:").format(
                ", ".join(self.result["files"]), self.result["path"]
            )
        )
        self.command.setPlainText(self.result["command"])
        self.command.show()
        self.copy_button.show()
