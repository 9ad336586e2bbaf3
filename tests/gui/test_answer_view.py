"""An answer in the compare view: streamed tokens tinted by probability, top alternatives on hover,
a character split over byte tokens shown once, as sure as its least sure byte."""

from PySide6.QtGui import QTextCursor

from gui.widgets.answer_view import AnswerView, prob_color


def _tip_at(view, pos):
    cursor = view.text_view.textCursor()
    cursor.setPosition(pos)
    cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
    return cursor.charFormat().toolTip(), cursor.charFormat().background().color().name()


def test_tokens_stream_in_with_their_probability_and_alternatives(qtbot):
    view = AnswerView(0)
    qtbot.addWidget(view)
    view.add_token("Hi", 0.9, [("Hi", 0.9), ("Hello", 0.05)])
    view.add_token("", 0.2, [("<e4>", 0.2)])  # the first bytes of 中: nothing to show yet
    view.add_token("中", 0.8, [("中", 0.8)])
    view.add_token("", 0.7, [("<|end|>", 0.7)], end=True)
    assert view.text() == "Hi中" and view.ended
    assert view.text_view.toPlainText() == "Hi中⏎"
    tip, color = _tip_at(view, 0)
    assert "p = 0.900" in tip and "'Hello': 0.050" in tip and color == prob_color(0.9)
    _, color = _tip_at(view, 2)
    assert color == prob_color(0.2)  # the character is as sure as its least sure byte
    assert prob_color(0.1) != prob_color(0.9)
    view.clear()
    assert view.text() == "" and view.text_view.toPlainText() == "" and not view.ended
