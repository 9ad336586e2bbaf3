"""The template inspector tab of the SFT page: computed on a workspace after a tiny pretrain + SFT, it
draws exactly the trained tokens on the trained colour, and shows the warnings for the plain format."""

from PySide6.QtGui import QColor

from gui.insight.template import DIFFERENT, MASKED, TRAINED
from tests.gui.text_fragments import background, fragments


def _fragments(browser) -> list[tuple[str, str, bool]]:
    """(text, background colour, bold) of each run of the rendered document."""
    return [(text, background(fmt), fmt.fontWeight() >= 600) for text, fmt in fragments(browser)]


def _compute(qtbot, panel):
    with qtbot.waitSignal(panel.computed, timeout=60_000):
        assert panel.compute(), panel.status.text()
    return panel.result


def test_template_tab_marks_the_trained_tokens_and_warns(window, qtbot, sft_ws):
    ws, sft_result = sft_ws
    win = window
    assert win.open_workspace(str(ws.root))
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "sft")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    panel = page.template_tab
    assert "Template inspector" in [page.tabs.tabText(i) for i in range(page.tabs.count())]
    page.tabs.setCurrentWidget(panel.tab)
    assert page.tabs.currentWidget() is panel.tab
    assert panel.isVisible() and "repeats itself" in panel.about.text()
    assert "&lt;|end|&gt;" in panel.about.text()  # rich text: the tokens show as <|end|>

    panel.example.setValue(3)
    r = _compute(qtbot, panel)
    assert r["run"] == sft_result["run"] and r["example"]["index"] == 3
    frags = _fragments(panel.view)
    trained = [f for f in frags if f[1] in TRAINED]
    masked = [f for f in frags if f[1] in MASKED]
    assert len(trained) == r["trained_count"] and len(masked) == r["masked_count"]
    assert (
        len(panel.html().split("background-color:#b2f2bb"))
        - 1
        + len(panel.html().split("background-color:#8ce99a"))
        - 1
        == r["trained_count"]
    )
    # special tokens are bold boxes: the trained one is the answer's <|end|>
    assert [f[0] for f in trained if f[2]] == ["<|end|>"]
    assert [f[0] for f in masked if f[2]][:2] == ["<|user|>", "<|end|>"]
    assert not any(f[1] in DIFFERENT for f in frags)  # generation sends what training showed
    # only the block size warns here: 96 tokens with a 512-token vocabulary cut long answers
    assert [w["code"] for w in r["warnings"]] == ["end_not_trained"]
    assert QColor("#c92a2a").name() in panel.warnings.text()

    panel.format.setCurrentIndex(panel.format.findData("plain"))
    r = _compute(qtbot, panel)
    assert [w["code"] for w in r["warnings"]] == ["format", "end_not_trained"]
    text = panel.warnings.text()
    assert "plain format" in text and "First difference at token 0" in text and "#c92a2a" in text
    frags = _fragments(panel.view)
    assert sum(f[1] in TRAINED for f in frags) == r["trained_count"]
    gen = "".join(f[0] for f in frags if f[1] in DIFFERENT)
    assert gen.startswith("User:") and gen.endswith("Assistant:")  # red from token 0: nothing matches
