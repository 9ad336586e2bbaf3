"""The template-inspector panel: one SFT example as coloured tokens (trained highlighted, masked grey,
special tokens in bold boxes), the prompt generation sends beside it, and the warnings in red."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QTextBrowser

from engine.insight.template import readable
from gui.insight.panel import InsightPanel
from gui.widgets.token_view import visible

# Two shades each, alternating by position, so neighbouring tokens stay apart (and one token is one
# run of the document). Chip text is always dark, readable in light and dark themes.
TRAINED = ("#b2f2bb", "#8ce99a")
MASKED = ("#f1f3f5", "#dee2e6")
SAME = ("#d0ebff", "#a5d8ff")  # generation token equal to the training one at that position
DIFFERENT = ("#ffc9c9", "#ffa8a8")  # from the first difference on
TEXT, GREY, WARN, OK = "#000000", "#5c636a", "#c92a2a", "#2b8a3e"
FORMATS = ("chat", "plain")


def chip(
    text: str, background: str, color: str = TEXT, special: bool = False, title: str = "", small: bool = False
) -> str:
    """One token as an HTML span; special tokens bold and monospace so they read as boxes."""
    style = f"background-color:{background}; color:{color};"
    if special:
        style += " font-weight:bold; font-family:monospace;"
    if small:
        style += " font-size:small;"
    tip = f" title='{html.escape(title, quote=True)}'" if title else ""
    return f"<span style='{style}'{tip}>{text}</span>"


def _texts(tokens: list[dict]) -> list[tuple[str, bool]]:
    """(HTML text, is part of a character) per token: a character split into byte tokens shows on
    the token that completes it, the tokens before as a small +."""
    out = []
    for t, shown in zip(tokens, readable(tokens)):
        if t.get("partial") and not shown:
            out.append(("+", True))
        else:
            out.append((visible(shown.replace("↵", "\n")) if not t["special"] else html.escape(t["text"]), False))
    return out


class TemplatePanel(InsightPanel):
    name = "template"

    def __init__(self, ctx, parent=None):
        super().__init__(
            ctx,
            self.tr("Template inspector"),
            self.tr(
                "One training example as the SFT stage feeds it to the model, token by token. Green tokens carry "
                "the loss: the model is taught to write them. Grey tokens are only read. Special tokens (the role "
                "markers &lt;|user|&gt; and &lt;|assistant|&gt;, the end-of-turn &lt;|end|&gt;) are shown in bold; "
                "spaces show as · and line breaks as ↵. Normally only the answer and its &lt;|end|&gt; are green: "
                "the model learns what to answer and when to stop. Below, the prompt that generation sends for the "
                "same question, blue where it matches what the model saw before the answer in training and red "
                "from the first difference on. A difference (another format, a missing system message, a run "
                "trained with empty prompts) or an untrained &lt;|end|&gt; is the usual reason a model "
                '"repeats itself"; the warnings in red name the first differing token.'
            ),
            parent,
        )
        self.about.setTextFormat(Qt.TextFormat.RichText)  # the paragraph spells the tokens with &lt; &gt;
        self.example = QSpinBox()
        self.example.setObjectName("templateExample")
        self.example.setRange(0, 1_000_000)
        self.example.setToolTip(self.tr("Which example of the split (0 is the first)"))
        self.split = QComboBox()
        self.split.setObjectName("templateSplit")
        self.split.addItem(self.tr("Training"), "train")
        self.split.addItem(self.tr("Validation"), "val")
        self.format = QComboBox()
        self.format.setObjectName("templateFormat")
        self.format.addItem(self.tr("Chat template (what the app sends)"), "chat")
        self.format.addItem(self.tr("Plain text (User: … Assistant:)"), "plain")
        self.format.setToolTip(self.tr("How generation renders the prompt"))
        for k, w in enumerate((QLabel(self.tr("Example")), self.example, self.split)):
            self.controls.insertWidget(k, w)
        # on a row of its own: beside the others it made the tab wider than the window has room for
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Generation format")))
        row.addWidget(self.format)
        row.addStretch(1)
        self.layout().insertLayout(self.layout().indexOf(self.about) + 2, row)

        self.legend = QLabel(
            " ".join(
                (
                    chip(self.tr("trained"), TRAINED[0]),
                    chip(self.tr("masked"), MASKED[0], GREY),
                    chip("&lt;|end|&gt;", MASKED[1], GREY, special=True) + " " + self.tr("special token"),
                    chip(self.tr("prompt as trained"), SAME[0]),
                    chip(self.tr("prompt differs"), DIFFERENT[0]),
                    self.tr("+ : part of a character, shown on its last token"),
                )
            )
        )
        self.legend.setObjectName("templateLegend")
        self.legend.setWordWrap(True)
        self.info = QLabel()
        self.info.setObjectName("templateInfo")
        self.info.setWordWrap(True)
        self.view = QTextBrowser()
        self.view.setObjectName("templateTokens")
        self.view.setOpenLinks(False)
        self.warnings = QLabel()
        self.warnings.setObjectName("templateWarnings")
        self.warnings.setWordWrap(True)
        for w in (self.legend, self.info, self.warnings):
            w.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.legend, self.info):
            self.content.addWidget(w)
        self.content.addWidget(self.view, 1)
        self.content.addWidget(self.warnings)
        self._html = ""

    def options(self) -> dict:
        return {
            "example": str(self.example.value()),
            "split": self.split.currentData(),
            "generation_format": self.format.currentData(),
        }

    def html(self) -> str:
        """The HTML given to the view (Qt rewrites what toHtml returns)."""
        return self._html

    def show_result(self, result: dict) -> None:
        ex = result["example"]
        where = (
            self.tr("SFT run {0}").format(result["run"])
            if result["run"]
            else self.tr("No SFT run yet: the workspace's SFT data with the default settings.")
        )
        which = (
            self.tr("example {0} of {1} ({2})").format(ex["index"], ex["count"], ex["id"])
            if ex["index"] is not None
            else self.tr("the given messages")
        )
        counts = self.tr("{0} tokens: {1} trained, {2} masked.").format(
            len(result["tokens"]), result["trained_count"], result["masked_count"]
        )
        cut = (
            " " + self.tr("Cut at the model's context of {0} tokens.").format(result["block_size"])
            if result["truncated"]
            else ""
        )
        self.info.setText(f"{html.escape(where)} — {html.escape(which)}. {counts}{cut}")

        spans = []
        for k, (t, (text, cont)) in enumerate(zip(result["tokens"], _texts(result["tokens"]))):
            shade = TRAINED[k % 2] if t["trained"] else MASKED[k % 2]
            state = self.tr("trained") if t["trained"] else self.tr("masked")
            spans.append(
                chip(
                    text,
                    shade,
                    TEXT if t["trained"] else GREY,
                    t["special"],
                    f"#{k} id {t['id']} · {t['role'] or 'EOT'} · {state}"
                    + (f" · {t['bytes']}" if t.get("bytes") else ""),
                    small=cont,
                )
            )
        gen = []
        for k, (t, (text, cont)) in enumerate(zip(result["generation_tokens"], _texts(result["generation_tokens"]))):
            shade = SAME[k % 2] if t["matches"] else DIFFERENT[k % 2]
            gen.append(chip(text, shade, TEXT, t["special"], f"#{k} id {t['id']}", small=cont))
        diff = result["first_difference"]
        diff_line = (
            self.tr("First difference at token {0}: trained {1}, generation {2}.").format(
                diff["position"], f"<b>{visible(diff['trained'])}</b>", f"<b>{visible(diff['generation'])}</b>"
            )
            if diff
            else self.tr("Token for token the same as what the model saw before the answer in training.")
        )
        if result.get("system_only") and result["system_share"] not in (None, 0.0, 1.0):
            diff_line += " " + self.tr(
                "Only the system message differs, and the training examples mix both ways "
                "({0} with one), so the model has seen both."
            ).format(f"{result['system_share']:.0%}")
        self._html = (
            f"<p><b>{html.escape(self.tr('Training example'))}</b></p><p>{''.join(spans)}</p>"
            f"<p><b>{html.escape(self.tr('Generation prompt'))}</b> ({html.escape(result['generation_format'])})"
            f"</p><p>{''.join(gen)}</p><p>{diff_line}</p>"
        )
        self.view.setHtml(self._html)

        if result["warnings"]:
            lines = [
                f"<b>{html.escape(self.tr('Warning'))} ({html.escape(w['code'])}):</b> {html.escape(w['message'])}"
                for w in result["warnings"]
            ]
            self.warnings.setText(f"<span style='color:{WARN}'>" + "<br>".join(lines) + "</span>")
        else:
            self.warnings.setText(
                f"<span style='color:{OK}'>"
                + html.escape(
                    self.tr(
                        "No warnings: generation sends what the model saw in training, and every answer ends with a "
                        "trained end-of-turn token."
                    )
                )
                + "</span>"
            )
