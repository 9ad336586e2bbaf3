"""Every word the forms and the cleaning funnel show is a human label (in English and 繁體中文),
while the configs and reports keep the engine's raw names."""

import dataclasses
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from engine import labs
from engine.compare.arena import Decoding
from engine.config import PretrainConfig, TokenizerConfig
from engine.data.dedup import ExactDedup, NearDedup
from engine.data.quality import QualityFilter
from engine.data.rules import RULES, Normalize, Rules
from engine.train import dpo, grpo, kto, ppo, reward, sft
from gui.labels import CHOICE_LABELS, CONFIG_LABELS, REASON_LABELS, STEP_LABELS, step_label
from gui.screenshots import clipped_widgets
from gui.widgets.config_form import ConfigForm
from gui.widgets.funnel import ROW, FunnelView

FORM_CLASSES = [labs.module(n).Config for n in labs.LABS] + [
    TokenizerConfig,
    PretrainConfig,
    sft.SFTConfig,
    Decoding,
    dpo.DPOConfig,
    reward.RewardConfig,
    kto.KTOConfig,
    grpo.GRPOConfig,
    ppo.PPOConfig,
]
CJK = re.compile(r"[\u4e00-\u9fff]")
FUNNEL = [
    {"step": s, "documents": n, "chars": 10 * n}
    for s, n in [("input", 100), ("normalize", 99), ("rules", 80), ("exact_dedup", 70), ("near_dedup", 65)]
] + [{"step": "output", "documents": 65, "chars": 650}]


def form_labels(form: ConfigForm) -> list[str]:
    return [w.text() for w in form.findChildren(QLabel) if w is not form.message]


def labs_page(win):
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "labs")
    win.nav.setCurrentRow(idx)
    return win.pages[idx]


def test_every_key_choice_step_and_reason_has_a_label():
    keys = {f.name for cls in FORM_CLASSES for f in dataclasses.fields(cls)}
    assert keys <= set(CONFIG_LABELS), sorted(keys - set(CONFIG_LABELS))
    choices = {
        (f.name, str(c)) for cls in FORM_CLASSES for f in dataclasses.fields(cls) for c in f.metadata.get("choices", ())
    }
    assert choices <= set(CHOICE_LABELS), sorted(choices - set(CHOICE_LABELS))
    steps = {"input", "output", Normalize.name, Rules.name, ExactDedup.name, NearDedup.name, QualityFilter.name}
    assert steps <= set(STEP_LABELS)
    reasons = {r for r, *_ in RULES} | {"empty_after_normalize", "exact_duplicate", "near_duplicate", "low_quality"}
    assert reasons <= set(REASON_LABELS), sorted(reasons - set(REASON_LABELS))
    for text in [*CONFIG_LABELS.values(), *CHOICE_LABELS.values(), *STEP_LABELS.values(), *REASON_LABELS.values()]:
        assert "_" not in text and len(text.split()) <= 5, text


def test_labs_forms_show_words_not_config_keys(window):
    window.resize(1280, 720)
    window.stack.setCurrentWidget(window.wizard)
    page = labs_page(window)
    for name in labs.LABS:
        page.select_lab(name)
        QApplication.processEvents()
        assert not clipped_widgets(page), name  # a longer label widens the settings column, never cut
        fields = [f.name for f in dataclasses.fields(labs.module(name).Config)]
        texts = form_labels(page.form)
        assert len(texts) == len(fields), name
        for key, text in zip(fields, texts):
            assert text and "_" not in text and text != key, (name, key, text)
    page.select_lab("decoding")
    assert "Example turns" in form_labels(page.form) and "Repetition penalty" in form_labels(page.form)


def test_a_label_keeps_its_config_key_in_the_tooltip(qtbot):
    form = ConfigForm(labs.module("decoding").Config)
    qtbot.addWidget(form)
    label = next(w for w in form.findChildren(QLabel) if w.text() == "Example turns")
    assert label.toolTip().startswith("few_shot: ")


@pytest.fixture
def chinese():
    from gui.app import install_translator

    app = QApplication.instance()
    installed = install_translator(app, "zh_TW")
    assert installed
    yield
    for t in installed:
        app.removeTranslator(t)


def test_lab_forms_and_funnel_in_chinese(qtbot, settings, chinese):
    from gui.app import build_window

    win = build_window(settings)
    qtbot.addWidget(win)
    page = labs_page(win)
    for name in labs.LABS:
        page.select_lab(name)
        texts = form_labels(page.form)
        assert all(CJK.search(t) for t in texts if t not in ("LoRA", "GAE λ", "Top-k", "Top-p")), (name, texts)
    page.select_lab("calibration")
    split = page.form.editor("split")
    assert CJK.search(split.currentText()) and page.form.config.split == "heldout"
    funnel = FunnelView()
    qtbot.addWidget(funnel)
    funnel.set_funnel(FUNNEL)
    assert all(CJK.search(t) for t in funnel.step_labels())


def test_a_choice_shows_words_but_the_config_keeps_the_value(qtbot):
    form = ConfigForm(sft.SFTConfig)
    qtbot.addWidget(form)
    select, loss_on = form.editor("select"), form.editor("loss_on")
    assert (select.currentText(), form.config.select) == ("All", "all")
    assert (loss_on.currentText(), form.config.loss_on) == ("The answers only", "assistant")
    assert [select.itemText(i) for i in range(select.count())] == ["All", "The longest N", "N diverse prompts"]
    assert select.itemData(1, Qt.ItemDataRole.ToolTipRole) == "longest"
    with qtbot.waitSignal(form.changed):
        select.setCurrentIndex(select.findData("longest"))  # as picking it in the list does
    assert form.config.select == "longest" and form.values()["select"] == "longest"
    form.set_values({"select": "diverse", "loss_on": "all"})
    assert select.currentText() == "N diverse prompts" and loss_on.currentText() == "Every token"
    assert (form.config.select, form.config.loss_on) == ("diverse", "all")


def test_the_preset_combo_still_brings_its_model_size(qtbot):
    from engine.config import MODEL_PRESETS

    form = ConfigForm(PretrainConfig, MODEL_PRESETS)
    qtbot.addWidget(form)
    preset = form.editor("preset")
    assert preset.currentText() == "Tiny"
    preset.setCurrentIndex(preset.findData("small"))
    assert form.config.preset == "small" and form.config.n_embd == MODEL_PRESETS["small"]["n_embd"]


def test_funnel_shows_step_names_with_the_raw_name_as_tooltip(qtbot):
    funnel = FunnelView()
    qtbot.addWidget(funnel)
    funnel.set_funnel(FUNNEL)
    labels = funnel.step_labels()
    assert labels == ["Input", "Normalize", "Rules", "Exact duplicates", "Near duplicates", "Output"]
    funnel.resize(500, 200)
    funnel.show()
    qtbot.waitExposed(funnel)
    funnel.grab()  # paints every label
    assert funnel.tooltip_at(4 + 3 * ROW + 10) == "exact_dedup" and funnel.tooltip_at(4 + 9 * ROW) is None
    assert step_label("some_new_step") == "Some new step"  # an unknown name still reads as words


def test_data_page_reasons_are_words_and_still_find_their_examples(window):
    page = next(p for p in window.pages if p.stage == "data")
    page.show_report(
        {
            "funnel": FUNNEL,
            "reasons": {"rules": {"top_ngram": 5, "too_short": 2}, "exact_dedup": {"exact_duplicate": 10}},
            "examples": {"rules/top_ngram": [{"id": "d1", "text": "buy buy buy buy"}]},
        }
    )
    rows = [[page.reasons.item(r, c).text() for c in range(3)] for r in range(page.reasons.rowCount())]
    assert rows == [
        ["Exact duplicates", "Exact duplicate", "10"],
        ["Rules", "One phrase dominates", "5"],
        ["Rules", "Too short", "2"],
    ]
    assert page.reasons.item(1, 1).toolTip() == "top_ngram"
    page.reasons.selectRow(1)
    text = page.examples.toPlainText()
    assert "Rules: One phrase dominates" in text and "buy buy" in text


def test_token_is_translated_one_way():
    from tests.gui.test_translations import messages

    mentions = [(c, s, t.text) for c, s, t in messages() if re.search(r"\btokens?\b", s, re.IGNORECASE)]
    assert len(mentions) > 30
    assert all("token" in t.lower() for _, _, t in mentions), [m for m in mentions if "token" not in m[2].lower()]
    # 詞元 only as the tokenizer page's gloss of the word, never as a second translation of it
    assert [c for c, _, t in messages() if "詞元" in t.text] == ["TokenizerPage"]
