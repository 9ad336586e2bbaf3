"""The reward-diagnostics panel of the RLHF page: held-out accuracy over training, reward against
answer length, position bias and agreement lines, and a red banner when the hacking alarm fires."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from gui.insight.panel import InsightPanel, small_plot

BANNER_STYLE = "background:#e03131; color:white; padding:6px; border-radius:4px;"


def _num(x, fmt: str = "{:.3f}") -> str:
    return "—" if x is None else fmt.format(x)


class RewardPanel(InsightPanel):
    name = "reward"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Reward diagnostics"),
            self.tr(
                "Can the reward model be trusted, and is the policy gaming it? Left: the share of held-out pairs "
                "where the reward model scores the chosen answer higher, over training (orange; train in blue) — it "
                "should climb well above 0.5 and stay there, and a train accuracy far above it means memorised "
                "pairs. Right: each held-out answer's reward against its length in tokens; a strong correlation "
                "with an accuracy no better than 'always pick the longer answer' means it learned length, not "
                "quality (either way: one that always prefers the shorter answer is as blind). Position bias: how "
                "often the answer shown first (left) won in people's judgements; "
                "about 0.5 is fair, an interval that excludes 0.5 means the order swayed the judges. Agreement: "
                "how often two people judged the same pair alike (kappa corrects for chance: 0 is chance, 1 is "
                "perfect) and how often the reward model sides with people. A red banner means that in the latest "
                "GRPO run reward, KL and answer length all rose together: the policy is likely padding its "
                "answers to please the reward model rather than getting better."
            ),
            parent,
        )
        self.pairs = QSpinBox()
        self.pairs.setObjectName("rewardPairs")
        self.pairs.setRange(0, 100_000)
        self.pairs.setValue(200)
        self.pairs.setToolTip(self.tr("Most held-out pairs to score (0 = all)"))
        for k, w in enumerate((QLabel(self.tr("Pairs")), self.pairs)):
            self.controls.insertWidget(k, w)

        self.banner = QLabel()
        self.banner.setObjectName("rewardAlarm")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.content.addWidget(self.banner)
        plots = QHBoxLayout()
        self.acc_plot = small_plot(self, "rewardAccuracyPlot", self.tr("Pair accuracy over training"))
        self.acc_plot.setLabel("bottom", self.tr("step"))
        self.acc_plot.addLegend(offset=(-10, 10))
        self.acc_plot.setYRange(0, 1)
        self.train_curve = self.acc_plot.plot([], [], pen=pg.mkPen("#4dabf7", width=1), name=self.tr("train"))
        self.val_curve = self.acc_plot.plot(
            [],
            [],
            pen=pg.mkPen("#ff922b", width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush="#ff922b",
            name=self.tr("held-out"),
        )
        self.acc_plot.addItem(pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen("#868e96", style=pg.QtCore.Qt.DashLine)))
        self.len_plot = small_plot(self, "rewardLengthPlot", self.tr("Reward against answer length"))
        self.len_plot.setLabel("bottom", self.tr("answer length (tokens)"))
        self.len_plot.setLabel("left", self.tr("reward"))
        self.scatter = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(77, 171, 247, 160), pen=None)
        self.len_plot.addItem(self.scatter)
        for p in (self.acc_plot, self.len_plot):
            p.setMinimumHeight(180)
            plots.addWidget(p, 1)
        self.content.addLayout(plots, 1)
        self.lines: dict[str, QLabel] = {}
        for key in ("accuracy", "length", "position", "agreement", "people", "alarm"):
            label = QLabel()
            label.setObjectName(f"reward_{key}")
            label.setWordWrap(True)
            self.lines[key] = label
            self.content.addWidget(label)

    def options(self) -> dict:
        return {"pairs": str(self.pairs.value())}

    def show_result(self, result: dict) -> None:
        acc, ln, pos, ag, rp, al = (
            result[k] for k in ("accuracy", "length", "position", "agreement", "rm_vs_people", "alarm")
        )
        self.val_curve.setData([s for s, _ in acc["val"]], [v for _, v in acc["val"]])
        self.train_curve.setData([s for s, _ in acc["train"]], [v for _, v in acc["train"]])
        self.scatter.setData(ln["lengths"], ln["rewards"])
        self.lines["accuracy"].setText(
            self.tr("Reward run {0}: held-out pair accuracy {1} at the end of training ({2} measurements).").format(
                result["run"], _num(acc["final_val"]), len(acc["val"])
            )
        )
        verdict = {
            True: self.tr("<b>length-driven</b>, towards longer answers")
            if ln["direction"] == "longer"
            else self.tr("<b>length-driven</b>, towards shorter answers"),
            False: self.tr("not length-driven"),
            None: self.tr("too few pairs to judge"),
        }[ln["length_driven"]]
        self.lines["length"].setText(
            self.tr(
                "Length: Spearman {0}, Pearson {1} between reward and length over {2} answers. On {3} held-out pairs "
                "the reward model is right {4}, always picking the longer answer would be right {5}, and the reward "
                "model prefers the longer answer in {6} of pairs of unequal length: {7}."
            ).format(
                _num(ln["spearman"]),
                _num(ln["pearson"]),
                ln["answers"],
                ln["pairs"],
                _num(ln["rm_accuracy"]),
                _num(ln["length_baseline"]),
                _num(ln["rm_prefers_longer"]),
                verdict,
            )
        )
        if pos["n"]:
            self.lines["position"].setText(
                self.tr(
                    "Position bias: the answer shown first won {0} of {1} comparisons ({2}, 95% interval {3}–{4}) "
                    "from {5} judgements: {6}."
                ).format(
                    pos["first_wins"],
                    pos["n"],
                    _num(pos["rate"]),
                    _num(pos["low"]),
                    _num(pos["high"]),
                    pos["judgements"],
                    self.tr("<b>biased</b>") if pos["biased"] else self.tr("no clear bias"),
                )
            )
        else:
            self.lines["position"].setText(
                self.tr(
                    "Position bias: no judgement by a person records the order "
                    "its answers were shown in yet (rank answers on the Compare page)."
                )
            )
        if ag["items"]:
            method = self.tr("Cohen's kappa") if ag["method"] == "cohen" else self.tr("Fleiss' kappa")
            self.lines["agreement"].setText(
                self.tr(
                    "Agreement between people: {0} of {1} answer pairs judged alike by {2} judges; {3} {4}."
                ).format(_num(ag["percent"]), ag["items"], ag["judges"], method, _num(ag["kappa"]))
            )
        else:
            self.lines["agreement"].setText(
                self.tr("Agreement between people: no answer pair has been judged by two or more people yet.")
            )
        if rp["pairs"]:
            held = (
                ""
                if rp["heldout_pairs"] is None
                else self.tr(" ({0} on the {1} it did not train on)").format(
                    _num(rp["heldout_agreement"]), rp["heldout_pairs"]
                )
            )
            self.lines["people"].setText(
                self.tr("Reward model against people: it sides with the person on {0} of {1} pairs{2}.").format(
                    _num(rp["agreement"]), rp["pairs"], held
                )
            )
        else:
            self.lines["people"].setText(self.tr("Reward model against people: no pair judged by a person yet."))
        oo = al.get("overoptimisation") or {}
        if oo.get("fired"):
            self.banner.setText(
                self.tr(
                    "Over-optimisation: in {0} the reward model's score keeps rising while the gold reward (the "
                    "demo's rules) fell from {1} at step {2} to {3}. The policy is exploiting the reward model."
                ).format(al["run"], oo["gold_peak"], oo["gold_peak_step"], oo["gold_end"])
            )
            self.banner.show()
            self.lines["alarm"].setText("")
        elif al["fired"]:
            self.banner.setText(
                self.tr(
                    "Reward hacking? In {0} reward, KL and answer length have risen together since step {1} "
                    "(length +{2}%). Read its answers before trusting the reward."
                ).format(al["run"], al["from_step"], round(100 * al["length_rise"]))
            )
            self.banner.show()
            self.lines["alarm"].setText("")
        else:
            self.banner.hide()
            self.lines["alarm"].setText(
                self.tr("Reward-hacking alarm: quiet in {0}.").format(al["run"])
                if al["run"] and al["fired"] is False
                else self.tr("Reward-hacking alarm: no GRPO or PPO run with reward, KL and length to watch yet.")
            )
