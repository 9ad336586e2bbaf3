"""The 繁體中文 translation: complete, compiled from this very .ts, Traditional only, and in use."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "translations"
TS, QM = FOLDER / "lmdojo_zh_TW.ts", FOLDER / "lmdojo_zh_TW.qm"

# Simplified-only characters (their Traditional forms differ, and none of these is valid Big5).
SIMPLIFIED = set(
    "这们说为时学个会来对国发业东书长门见开问间练数词类设项检点试图动态执进运选择录载显语简输删预训经过还让现质将"
)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
ACCELERATOR = re.compile(r"&([^&\s])")


def messages():
    """[(context, source, translation element)] of every message in the .ts."""
    root = ET.parse(TS).getroot()
    return [
        (c.findtext("name") or "", m.findtext("source"), m.find("translation"))
        for c in root.findall("context")
        for m in c.findall("message")
    ]


def translation(context: str, source: str) -> str:
    return next(t.text for c, s, t in messages() if c == context and s == source)


def test_ts_is_traditional_chinese_and_complete():
    assert ET.parse(TS).getroot().get("language") == "zh_TW"
    msgs = messages()
    assert len(msgs) > 100
    for context, source, t in msgs:
        assert context, f"{source!r} has no context: PySide6 looks it up under the calling class's name"
        assert t is not None and t.get("type") is None, f"{context}/{source!r} is {t.get('type')}"
        assert (t.text or "").strip(), f"{context}/{source!r} has an empty translation"
        assert set(PLACEHOLDER.findall(t.text)) == set(PLACEHOLDER.findall(source)), (context, source, t.text)
        assert len(ACCELERATOR.findall(t.text)) == len(ACCELERATOR.findall(source)), (context, source, t.text)


def test_no_simplified_characters():
    assert not any(c.encode("big5", "ignore") for c in SIMPLIFIED)  # the list itself is Simplified-only
    bad = {(c, t.text): sorted(SIMPLIFIED & set(t.text)) for c, _, t in messages() if SIMPLIFIED & set(t.text)}
    assert not bad


def test_qm_is_compiled_from_this_ts(qtbot):
    assert QApplication.instance() is not None
    tr = QTranslator()
    assert tr.load(str(QM))
    assert tr.language() == "zh_TW"
    stale = [(c, s) for c, s, t in messages() if tr.translate(c, s) != t.text]
    assert not stale, f"{len(stale)} messages differ from the .ts (run pyside6-lrelease): {stale[:5]}"


@pytest.fixture
def chinese():
    from gui.app import install_translator

    app = QApplication.instance()
    installed = install_translator(app, "zh_TW")
    assert installed and installed[0].filePath() == str(QM)
    yield
    for t in installed:
        app.removeTranslator(t)


def test_window_shows_chinese(qtbot, settings, chinese):
    from gui.app import build_window

    win = build_window(settings)
    qtbot.addWidget(win)
    pretrain = next(p for p in win.pages if p.stage == "pretrain")
    assert pretrain.panel.start_button.text() == translation("PretrainPage", "Start pretraining")
    assert win.nav.item(0).text() == translation("DataPage", "Data") == "資料"
    assert win.nav.item(4).text() == translation("RLHFPage", "RLHF")
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == [p.title for p in win.pages]
    assert win.menuBar().actions()[0].text() == translation("MainWindow", "&File") == "檔案(&F)"
    assert win.start_page.open_button.text() == translation("StartPage", "Open workspace…")


def test_translators_removed_afterwards(qtbot, settings):
    from gui.app import build_window

    win = build_window(settings)
    qtbot.addWidget(win)
    assert win.nav.item(0).text() == "Data"


def test_a_judge_rules_graph_lines_are_named_in_chinese(qtbot, chinese):
    """Each rule of the judge is a line on the RLHF graph, sampled and greedy: named, not left as a key."""
    from gui.labels import metric_label

    assert metric_label("val/rule_refuses_unsafe") == "規則：refuses unsafe"
    assert metric_label("val/greedy_rule_refuses_unsafe") == "規則，貪婪解碼：refuses unsafe"
