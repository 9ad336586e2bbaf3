"""The reference-band panel of the pretrain page: the verdict on a run and the fitted law; on compute
it shades the band of expected loss behind the run's curve on the page's loss plot."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDoubleSpinBox, QLabel

from gui.insight.panel import InsightPanel

VERDICT_COLORS = {
    "on_track": "#2f9e44",
    "ahead": "#1971c2",
    "too_slow": "#e8590c",
    "diverging": "#e03131",
    "not_enough_data": "#868e96",
}


class BandsPanel(InsightPanel):
    name = "bands"

    def __init__(self, ctx, plot=None, selected_run: Callable[[], str | None] | None = None, parent=None):
        """`plot`: the LossPlot that gets the band; `selected_run`: the run to judge (None: the latest)."""
        super().__init__(
            ctx,
            self.tr("Reference band"),
            self.tr(
                "The shaded band on the loss graph is the validation loss a run of this size should reach after "
                "each number of tokens, predicted by a small scaling law (loss = E + A/N^alpha + B/D^beta, with N "
                "the parameters and D the tokens seen) fitted to this workspace's other pretraining runs with the "
                "same tokenizer, else to the Chinchilla lab's runs, else to the run's own first half. Its width "
                "is the fit's own scatter. Read the orange validation points against it: inside the band the run "
                "is on track; above it, it learns more slowly than its peers (check the learning rate, the batch "
                "size and the data); below it, it is ahead of them; validation loss rising again means diverging "
                "or over-fitting. The band judges the run selected in the Runs tab (the latest if none is), and "
                "is only as good as the runs behind it: a few short runs give a rough guide, not a promise."
            ),
            parent,
        )
        self.plot = plot
        self.selected_run = selected_run or (lambda: None)
        self.sigmas = QDoubleSpinBox()
        self.sigmas.setObjectName("bandsSigmas")
        self.sigmas.setRange(0.5, 5.0)
        self.sigmas.setSingleStep(0.5)
        self.sigmas.setValue(2.0)
        self.sigmas.setToolTip(self.tr("Half-width of the band in standard deviations of the fit's scatter"))
        for k, w in enumerate((QLabel(self.tr("Width (σ)")), self.sigmas)):
            self.controls.insertWidget(k, w)
        self.verdicts = {
            "on_track": self.tr("On track"),
            "too_slow": self.tr("Too slow"),
            "ahead": self.tr("Ahead of the band"),
            "diverging": self.tr("Diverging"),
            "not_enough_data": self.tr("Not enough data"),
        }
        self.sources = {
            "workspace": self.tr("this workspace's other runs"),
            "chinchilla": self.tr("the Chinchilla lab's runs"),
            "self": self.tr("the run's own first half"),
        }
        self.verdict = QLabel()
        self.verdict.setObjectName("bandsVerdict")
        self.verdict.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setObjectName("bandsReason")
        self.reason.setWordWrap(True)
        self.law = QLabel()
        self.law.setObjectName("bandsLaw")
        self.law.setWordWrap(True)
        for w in (self.verdict, self.reason, self.law):
            self.content.addWidget(w)
        self.content.addStretch(1)

    def options(self) -> dict:
        return {"sigmas": str(self.sigmas.value()), "run": self.selected_run() or ""}

    def verdict_text(self, result: dict) -> str:
        return self.verdicts.get(result["verdict"], result["verdict"])

    def show_result(self, result: dict) -> None:
        color = VERDICT_COLORS.get(result["verdict"], "#868e96")
        self.verdict.setText(f'<b style="color:{color}">{self.verdict_text(result)}</b> — {result["run"]}')
        self.reason.setText(result["reason"])
        law = result["law"]
        if law is None:
            self.law.setText(self.tr("No law fitted: fewer than three validation points to fit."))
        else:
            n = len(result["val"]["loss"])
            self.law.setText(
                self.tr(
                    "loss ≈ {0:.3f} + {1:.4g}·N^−{2:.2f} + {3:.4g}·D^−{4:.2f}, fitted to {5} points from {6} "
                    "(scatter σ = {7:.3f}); N = {8:,} parameters. {9} of {10} validation points lie in the band."
                ).format(
                    law["E"],
                    law["A"],
                    law["alpha"],
                    law["B"],
                    law["beta"],
                    result["fit_points"],
                    self.sources.get(result["source"], result["source"]),
                    law["sigma"],
                    result["params"],
                    result["inside"],
                    n,
                )
            )
        if self.plot is not None:
            if result["steps"]:
                self.plot.set_band(result["steps"], result["loss_low"], result["loss_high"], result["loss_mid"])
            else:
                self.plot.remove_band()
