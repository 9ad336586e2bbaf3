"""The alignment-tax panel: per stage the KL to the base model, the held-out pretraining perplexity
and the demo QA accuracy, as a table and as three small bar plots (one scale each)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QTableWidget, QTableWidgetItem

from gui.insight.panel import InsightPanel, small_plot

MEASURES = ("kl", "perplexity", "qa_accuracy")
BAR_COLORS = {"kl": "#4dabf7", "perplexity": "#ff922b", "qa_accuracy": "#51cf66"}


def cell_text(key: str, value: float) -> str:
    if key == "qa_accuracy":
        return f"{value:.1%}"
    return f"{value:.2f}" if key == "perplexity" else f"{value:.4f}"


class TaxPanel(InsightPanel):
    name = "tax"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Alignment tax"),
            self.tr(
                "What each stage gains and what it costs, side by side. KL to the base: how far the model's word "
                "choices on its own answers have moved from the pretrained model (0 for the base itself; the "
                "further a stage drifts, the larger). Perplexity: how well it still predicts held-out pretraining "
                "text, the same text for every stage (lower is better; a rise after SFT or RLHF is forgetting, the "
                "alignment tax). QA accuracy: the share of held-out demo questions answered with the right fact. "
                "A good alignment raises accuracy with a small KL and little rise in perplexity; a large KL with no "
                "gain in accuracy is tax without benefit."
            ),
            parent,
        )
        self.questions = QSpinBox()
        self.questions.setObjectName("taxQuestions")
        self.questions.setRange(1, 10_000)
        self.questions.setValue(50)
        self.questions.setToolTip(self.tr("Held-out demo questions for KL and QA accuracy"))
        self.batches = QSpinBox()
        self.batches.setObjectName("taxBatches")
        self.batches.setRange(1, 1000)
        self.batches.setValue(8)
        self.batches.setToolTip(self.tr("Validation batches for the perplexity"))
        for k, w in enumerate(
            (QLabel(self.tr("Questions")), self.questions, QLabel(self.tr("Validation batches")), self.batches)
        ):
            self.controls.insertWidget(k, w)

        self.headers = {
            "stage": self.tr("Stage"),
            "run": self.tr("Run"),
            "kl": self.tr("KL to the base"),
            "perplexity": self.tr("Perplexity"),
            "qa_accuracy": self.tr("QA accuracy"),
        }
        self.columns = list(self.headers)
        self.table = QTableWidget(0, len(self.columns))
        self.table.setObjectName("taxTable")
        self.table.setHorizontalHeaderLabels(list(self.headers.values()))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.content.addWidget(self.table, 1)
        plots = QHBoxLayout()
        self.plots: dict[str, pg.PlotWidget] = {}
        self.bars: dict[str, pg.BarGraphItem] = {}
        for key in MEASURES:
            plot = small_plot(self, f"taxPlot_{key}", self.headers[key])
            plot.setMinimumHeight(140)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            self.plots[key] = plot
            plots.addWidget(plot)
        self.content.addLayout(plots, 1)

    def options(self) -> dict:
        return {"questions": str(self.questions.value()), "batches": str(self.batches.value())}

    def show_result(self, result: dict) -> None:
        stages = result["stages"]
        self.table.setRowCount(len(stages))
        for r, s in enumerate(stages):
            for c, key in enumerate(self.columns):
                value = s[key]
                item = QTableWidgetItem(cell_text(key, value) if key in MEASURES else str(value))
                item.setData(Qt.ItemDataRole.UserRole, value)
                if key in MEASURES:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(s.get("checkpoint", ""))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        ticks = [[(k, s["stage"]) for k, s in enumerate(stages)]]
        for key, plot in self.plots.items():
            if key in self.bars:
                plot.removeItem(self.bars[key])
            bars = pg.BarGraphItem(
                x=list(range(len(stages))), height=[s[key] for s in stages], width=0.6, brush=BAR_COLORS[key]
            )
            plot.addItem(bars)
            plot.getAxis("bottom").setTicks(ticks)
            plot.autoRange()
            self.bars[key] = bars
        self.status.setText(
            self.tr("KL measured to {0}, on {1} held-out questions; perplexity on {2} validation windows.").format(
                result["reference"], result["questions"], result["windows"]
            )
        )
