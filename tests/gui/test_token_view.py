"""The token view: the engine's split shown as chips, split characters grouped, a summary."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re

import pytest

from engine.tokenizer import token_pieces, train_tokenizer
from gui.widgets.token_view import TokenView, group_pieces

TEXT = "The quick brown fox.\n一些中文 𠀋 🎉 <i>&"


@pytest.fixture(scope="module")
def tok():
    return train_tokenizer(
        ["some English text about the quick brown fox jumps over the lazy dog.", "一些中文文字，我们在这里写一点中文。"]
        * 20,
        vocab_size=400,
    )


@pytest.fixture
def view(qtbot, tok):
    w = TokenView()
    qtbot.addWidget(w)
    w.set_tokenizer(tok)
    return w


def test_pieces_match_the_engine(view, tok):
    view.set_text(TEXT)
    assert view.pieces() == token_pieces(tok, TEXT)


def test_rare_character_is_grouped_and_explained(view, tok):
    view.set_text(TEXT)
    i = TEXT.index("𠀋")
    rare = [p for p in view.pieces() if p["start"] <= i < p["end"]]
    assert len(rare) > 1 and all(p["partial"] for p in rare)
    assert " ".join(p["text"] for p in rare) == "f0 a0 80 8b"  # its four UTF-8 bytes, in hex
    groups = [g for g in group_pieces(view.pieces()) if g[0]["partial"]]
    assert rare in groups  # all of the character's tokens form one group
    html = view.html()
    assert "⟨<b>𠀋</b>" in html  # the group's bracket, with the character it spells
    assert f"“𠀋”: one character, {len(rare)} tokens (bytes f0 a0 80 8b)" in html
    assert f'title="“𠀋”: one character, {len(rare)} tokens' in html  # and as a tooltip


def test_html_is_escaped_and_whitespace_visible(view):
    view.set_text("<i>&amp; x\n")
    html = view.html()
    assert "<i>" not in html and "&lt;" in html and "&gt;" in html and "&amp;" in html  # text, not markup
    assert "·" in html and "↵" in html


def test_summary_numbers(view):
    view.set_text(TEXT)
    n_chars, n_tokens = len(TEXT), len(view.pieces())
    m = re.fullmatch(r"(\d+) characters → (\d+) tokens \(([\d.]+) characters per token\)", view.summary_text())
    assert m, view.summary_text()
    assert (int(m[1]), int(m[2])) == (n_chars, n_tokens)
    assert float(m[3]) == pytest.approx(n_chars / n_tokens, abs=0.005)
    view.set_text("")
    assert view.pieces() == [] and view.summary_text().startswith("0 characters → 0 tokens")


def test_typing_updates_after_a_debounce(view, qtbot):
    view.set_text("")
    qtbot.keyClicks(view.input, "the fox")
    assert view.pieces() == []  # not yet: the debounce timer is running
    qtbot.waitUntil(lambda: "".join(p["text"] for p in view.pieces()) == "the fox", timeout=2000)


def test_no_tokenizer_disables_the_input(qtbot, tok):
    w = TokenView()
    qtbot.addWidget(w)
    assert not w.input.isEnabled() and "Train a tokenizer first" in w.summary_text()
    w.set_tokenizer(tok)
    w.set_text("fox")
    assert w.input.isEnabled() and w.pieces()
    w.set_tokenizer(None)
    assert not w.input.isEnabled() and w.pieces() == [] and "Train a tokenizer first" in w.summary_text()
