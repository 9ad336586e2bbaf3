"""The memorisation and contamination panel: the exact-continuation rates of training against
validation documents, the most memorised documents, and the evaluation items found in the
pretraining corpus, each with the span it shares marked."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QLabel,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
)

from gui.insight.panel import InsightPanel

MARK_BG = "#ffe066"  # the shared span / the reproduced tokens


def marked(text: str, start: int, length: int) -> str:
    """`text` as HTML with text[start:start+length] on the marker colour (nothing marked when start < 0)."""
    if start < 0 or length <= 0:
        return html.escape(text)
    end = start + length
    return (
        html.escape(text[:start])
        + f'<span style="background-color:{MARK_BG}; color:#000">'
        + html.escape(text[start:end])
        + "</span>"
        + html.escape(text[end:])
    )


def rate_text(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def _table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().hide()
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ProbePanel(InsightPanel):
    name = "probe"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Memorisation and contamination"),
            self.tr(
                "Memorised: the model gets the first tokens of documents it trained on and continues them greedily; "
                "the exact-continuation rate is the share of documents whose next tokens it reproduces word for word. "
                "Validation documents, which it never saw, show what fluency alone reaches: only the gap between the "
                "training and the validation rate is memorisation (many epochs over a small corpus widen it). "
                "Contaminated: every SFT example, held-out question and preference pair is cut into n-grams of tokens "
                "and looked up in the pretraining corpus; an item whose n-grams are mostly found was in the training "
                "data, so a good score on it measures recall, not skill. The demo's questions ask about people whose "
                "biographies are in the corpus by design, so they overlap partly; an item copied verbatim overlaps "
                "fully (1.0). Select a row to see the text, with the shared or reproduced part marked."
            ),
            parent,
        )
        self.docs = QSpinBox()
        self.docs.setObjectName("probeDocs")
        self.docs.setRange(0, 100_000)
        self.docs.setValue(64)
        self.docs.setToolTip(
            self.tr("Training documents to prompt, and as many validation documents (0: check contamination only)")
        )
        self.ngram = QSpinBox()
        self.ngram.setObjectName("probeNgram")
        self.ngram.setRange(1, 256)
        self.ngram.setValue(8)
        self.ngram.setToolTip(self.tr("Length in tokens of the n-grams an item and the corpus must share"))
        self.threshold = QDoubleSpinBox()
        self.threshold.setObjectName("probeThreshold")
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(0.5)
        self.threshold.setToolTip(self.tr("List an item when at least this share of its n-grams is in the corpus"))
        for k, w in enumerate(
            (
                QLabel(self.tr("Documents")),
                self.docs,
                QLabel(self.tr("n-gram")),
                self.ngram,
                QLabel(self.tr("Threshold")),
                self.threshold,
            )
        ):
            self.controls.insertWidget(k, w)

        self.rates = QLabel()
        self.rates.setObjectName("probeRates")
        self.rates.setWordWrap(True)
        self.sets = QLabel()
        self.sets.setObjectName("probeSets")
        self.sets.setWordWrap(True)
        self.memorised = _table(
            "probeMemorised",
            [
                self.tr("Document"),
                self.tr("Matched"),
                self.tr("Prompt"),
                self.tr("True continuation"),
                self.tr("Model continuation"),
            ],
        )
        self.flagged = _table(
            "probeFlagged",
            [self.tr("Set"), self.tr("Item"), self.tr("Overlap"), self.tr("Corpus document"), self.tr("Shared span")],
        )
        self.detail = QTextBrowser()
        self.detail.setObjectName("probeDetail")
        self.memorised.itemSelectionChanged.connect(self.show_document)
        self.flagged.itemSelectionChanged.connect(self.show_item)
        split = QSplitter(Qt.Orientation.Vertical)
        for w in (self.memorised, self.flagged, self.detail):
            split.addWidget(w)
        self.content.addWidget(self.rates)
        self.content.addWidget(self.sets)
        self.content.addWidget(split, 1)
        self.html = ""  # what the detail view shows, as set

    def options(self) -> dict:
        return {
            "docs": str(self.docs.value()),
            "ngram": str(self.ngram.value()),
            "threshold": str(round(self.threshold.value(), 4)),
        }

    def show_result(self, result: dict) -> None:
        m, c = result.get("memorisation"), result.get("contamination")
        if m:
            self.rates.setText(
                self.tr(
                    "Exact continuation of {0}: training documents {1}, validation documents {2} · mean matched "
                    "tokens {3} vs {4} of {5} (prompt of {6} tokens; {7} and {8} documents)"
                ).format(
                    result["run"],
                    rate_text(m["train_exact_rate"]),
                    rate_text(m["val_exact_rate"]),
                    m["train_mean_match"],
                    "–" if m["val_mean_match"] is None else m["val_mean_match"],
                    m["suffix_tokens"],
                    m["prefix_tokens"],
                    m["docs"],
                    m["val_docs"],
                )
            )
        else:
            self.rates.setText(self.tr("Memorisation not measured (0 documents)."))
        examples = m["examples"] if m else []
        self.memorised.setRowCount(len(examples))
        for r, e in enumerate(examples):
            cells = (
                e["id"],
                f"{e['matched']}/{e['suffix']}",
                _one_line(e["prompt"]),
                _one_line(e["truth"]),
                _one_line(e["model"]),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setData(Qt.ItemDataRole.UserRole, e["matched"])
                self.memorised.setItem(r, col, item)
        self.memorised.resizeColumnsToContents()

        flagged = c["flagged"] if c else []
        if c:
            parts = [
                self.tr("{0}: {1} of {2} items flagged, mean overlap {3:.2f}").format(
                    name, s["flagged"], s["items"], s["mean_overlap"]
                )
                for name, s in c["by_set"].items()
            ]
            self.sets.setText(
                self.tr("Contamination with {0}-grams (threshold {1}): {2} of {3} items flagged.").format(
                    c["ngram"], c["threshold"], c["flagged_total"], c["items_checked"]
                )
                + " "
                + " · ".join(parts)
            )
        else:
            self.sets.setText(self.tr("Contamination not checked."))
        self.flagged.setRowCount(len(flagged))
        for r, f in enumerate(flagged):
            cells = (f["set"], f["id"], f"{f['overlap']:.2f}", f["doc_id"], _one_line(f["span"]))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setData(Qt.ItemDataRole.UserRole, f["overlap"])
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.flagged.setItem(r, col, item)
        self.flagged.resizeColumnsToContents()
        if flagged:
            self.flagged.selectRow(0)
        elif examples:
            self.memorised.selectRow(0)
        else:
            self.html = ""
            self.detail.setHtml(self.tr("Nothing memorised or flagged to show."))

    @Slot()
    def show_item(self):
        rows = self.flagged.selectionModel().selectedRows()
        if not rows or not self.result or not self.result.get("contamination"):
            return
        f = self.result["contamination"]["flagged"][rows[0].row()]
        head = self.tr(
            "{0} item {1}: {2:.0%} of its n-grams are in the corpus; the longest shared span is in document {3}."
        ).format(f["set"], f["id"], f["overlap"], f["doc_id"])
        self._set_detail(
            f"<p><i>{html.escape(head)}</i></p><p style='white-space:pre-wrap'>"
            f"{marked(f['text'], f['span_start'], len(f['span']))}</p>"
        )

    @Slot()
    def show_document(self):
        rows = self.memorised.selectionModel().selectedRows()
        if not rows or not self.result or not self.result.get("memorisation"):
            return
        e = self.result["memorisation"]["examples"][rows[0].row()]
        same = len(e["model"]) if e["exact"] else len(_common_prefix(e["model"], e["truth"]))
        head = self.tr("Document {0}: the model reproduced {1} of the {2} tokens that follow.").format(
            e["id"], e["matched"], e["suffix"]
        )
        prompt, truth, model = self.tr("Prompt"), self.tr("True continuation"), self.tr("Model continuation")
        self._set_detail(
            f"<p><i>{html.escape(head)}</i></p>"
            f"<p><b>{html.escape(prompt)}</b><br>{html.escape(e['prompt'])}</p>"
            f"<p><b>{html.escape(truth)}</b><br>{html.escape(e['truth'])}</p>"
            f"<p><b>{html.escape(model)}</b><br>{marked(e['model'], 0, same)}</p>"
        )

    def _set_detail(self, text: str):
        self.html = text
        self.detail.setHtml(text)


def _common_prefix(a: str, b: str) -> str:
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return a[:k]
