"""Render every page of the app to PNG, in light and dark, English and 繁體中文, and report
text that does not fit its widget.

    python -m gui.screenshots OUTDIR            (offscreen; or under Xvfb with QT_QPA_PLATFORM=xcb)

A demo workspace with a trained tokenizer and short pretraining, SFT and DPO runs is made first,
so the graphs, samples and tables have something to show.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path


def prepare_workspace(root: Path):
    from engine import labs
    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.data.demo import write_demo_world
    from engine.io.workspace import Workspace
    from engine.rlhf.prefs import PrefStore
    from engine.train import dpo, pretrain, sft

    ws = Workspace.create(root)
    write_demo_world(ws.root)
    for _ in tokenize.run(ws, TokenizerConfig()):
        pass
    cfg = pretrain.make_config(sets={"max_steps": "150", "eval_every": "25", "sample_every": "50", "threads": "2"})
    for _ in pretrain.run(ws, cfg):
        pass
    for _ in sft.run(ws, sft.make_config(sets={"max_steps": "60", "eval_every": "20", "sample_every": "20"})):
        pass
    with PrefStore(ws.db_path) as store:
        store.import_demo(ws)
    for _ in dpo.run(ws, dpo.make_config(sets={"max_steps": "30", "eval_every": "10"})):
        pass
    for _ in labs.run("decoding", ws, labs.make_config("decoding", smallest=True)):  # a report with tables
        pass
    return ws


def clipped_widgets(root) -> list[str]:
    """Visible widgets whose text needs more room than they have: buttons, check boxes and single-line
    labels; table headers and cells; words broken mid-word in text views (a table squeezed in a
    report breaks its headers letter by letter)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QTableView, QTextEdit

    out = []
    for w in root.findChildren(QAbstractButton) + root.findChildren(QLabel):
        if not w.isVisibleTo(root) or not w.text() or (isinstance(w, QLabel) and (w.wordWrap() or w.pixmap())):
            continue
        if isinstance(w, QLabel) and w.textFormat() != 0 and "<" in w.text():  # rich text lays out itself
            continue
        need = w.sizeHint().width() if isinstance(w, QAbstractButton) else w.minimumSizeHint().width()
        if need > w.width() + 1:
            out.append(
                f"{type(w).__name__} {w.objectName() or ''} {w.text()[:40]!r}: needs {need}px, has {w.width()}px"
            )
    for view in root.findChildren(QTableView):
        if view.isVisibleTo(root) and view.model() is not None:
            out += [f"{type(view).__name__} {view.objectName() or ''} {m}" for m in _clipped_cells(view)]
    for view in root.findChildren(QTextEdit):
        if view.isVisibleTo(root):
            out += [f"{type(view).__name__} {view.objectName() or ''} {m}" for m in _broken_words(view)]
    for area in root.findChildren(QScrollArea):
        # a panel in a resizable scroll area is meant to fit its width: scrolling sideways cuts its text
        inner = area.widget()
        if area.isVisibleTo(root) and area.widgetResizable() and inner is not None:
            if inner.width() > area.viewport().width() + 1:
                out.append(
                    f"QScrollArea {inner.objectName() or type(inner).__name__}: {inner.width()}px wide in a "
                    f"{area.viewport().width()}px view (scrolls sideways)"
                )
    return out


def _clipped_cells(view) -> list[str]:
    """Header sections narrower than their title's longest word (Qt then breaks it letter by letter or
    elides it), and cells in sight whose text does not fit their rectangle (elided with "…")."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import QStyle

    out = []
    model, fm = view.model(), view.fontMetrics()
    header = view.horizontalHeader()
    pad = 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for col in range(model.columnCount()):
        if view.isColumnHidden(col) or not header.isVisible():
            continue
        title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        widest = max((fm.horizontalAdvance(word) for word in title.split()), default=0)
        if widest + pad > header.sectionSize(col) + 1:
            out.append(f"header {title[:40]!r}: needs {widest + pad}px, has {header.sectionSize(col)}px")
    first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    rows = range(max(first, 0), (last if last >= 0 else model.rowCount() - 1) + 1)
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    for row in rows:
        for col in range(model.columnCount()):
            index = model.index(row, col)
            text = index.data(Qt.ItemDataRole.DisplayRole)
            rect = view.visualRect(index)
            if not isinstance(text, str) or not text or view.isColumnHidden(col) or rect.width() <= 0:
                continue
            width = rect.width() - margin
            if view.wordWrap():
                need = fm.boundingRect(QRect(0, 0, width, 10**6), Qt.TextFlag.TextWordWrap, text)
                words = max(fm.horizontalAdvance(w) for w in text.split()) if text.split() else 0
                clipped = need.height() > rect.height() + 1 or words > width + 1
            else:
                clipped = max(fm.horizontalAdvance(line) for line in text.splitlines()) > width + 1
            if clipped:
                out.append(f"cell ({row}, {col}) {text[:40]!r}: cut in a {rect.width()}×{rect.height()}px cell")
                break  # one cell a row is enough to name it
    return out


def _broken_words(view) -> list[str]:
    """Lines of a text view that end inside a word: a column too narrow for it (Latin letters and
    digits only: Chinese breaks between any two characters by design), or inside a special token."""
    import re

    doc = view.document()
    doc.documentLayout().documentSize()  # lays out every block (the view lays out lazily)
    out = []
    block = doc.begin()
    while block.isValid() and len(out) < 3:
        text, layout = block.text(), block.layout()
        specials = [m.span() for m in re.finditer(r"<\|\w+\|>", text)]
        for i in range(layout.lineCount() - 1):
            line = layout.lineAt(i)
            end = line.textStart() + line.textLength()
            inside = [text[a:b] for a, b in specials if a < end < b]
            if inside:
                out.append(f"special token broken at line end: {inside[0]!r}")
                break
            if 0 < end < len(text) and text[end - 1].isascii() and text[end - 1].isalnum() and text[end].isalnum():
                word_start = end - 1
                while word_start > 0 and text[word_start - 1].isalnum():
                    word_start -= 1
                out.append(f"word broken at line end: {text[word_start : end + 8]!r}")
                break
        block = block.next()
    return out


def render(out: Path, languages=("en", "zh_TW"), themes=("light", "dark"), size=(1280, 820)) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QScrollArea, QTabWidget

    from gui.app import build_window, install_translator
    from gui.settings import AppSettings
    from gui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="lmdojo-shots-"))
    ws = prepare_workspace(tmp / "ws")
    report: dict[str, list[str]] = {}
    for lang in languages:
        translators = install_translator(app, lang)
        for theme in themes:
            apply_theme(theme)
            settings = AppSettings(QSettings(str(tmp / f"{lang}-{theme}.ini"), QSettings.Format.IniFormat))
            settings.add_recent(str(ws.root))
            win = build_window(settings)
            win.resize(*size)
            win.show()
            app.processEvents()
            shots = [("start", None)] + [(p.stage, i) for i, p in enumerate(win.pages)]
            for name, index in shots:
                if index is None:
                    win.show_start()
                else:
                    if win.ctx.ws is None:
                        win.open_workspace(str(ws.root))
                    win.nav.setCurrentRow(index)
                    page = win.pages[index]
                    runs = getattr(page, "run_list", None)
                    if runs is not None and runs.table.rowCount():
                        runs.table.selectRow(0)  # a past run's curves on the graph
                    if page.stage == "labs":
                        page.select_lab("decoding")  # its report is in the viewer
                    if page.stage == "compare" and page.session.result is None:  # answers side by side
                        page.prompt_edit.setPlainText(
                            "Where was Victor Fairbanks born?"
                        )  # the demo world's first person
                        page.generate()
                        while win.ctx.runner.is_busy():
                            app.processEvents()
                for _ in range(5):
                    app.processEvents()
                page_widget = win.stack.currentWidget()
                path = out / f"{name}-{lang}-{theme}.png"
                win.grab().save(str(path))
                report[path.name] = clipped_widgets(win)
                # every tab of the page, one after the other: the tables behind them are checked too
                for tabs in page_widget.findChildren(QTabWidget):
                    if not tabs.isVisibleTo(win):
                        continue
                    first = tabs.currentIndex()
                    scroll = tabs.parentWidget()
                    while scroll is not None and not isinstance(scroll, QScrollArea):
                        scroll = scroll.parentWidget()
                    if scroll is not None:
                        scroll.ensureWidgetVisible(tabs)  # a tall page scrolls down to its tabs
                    for t in range(tabs.count()):
                        if t == first:
                            continue
                        tabs.setCurrentIndex(t)
                        for _ in range(3):
                            app.processEvents()
                        tab_path = out / f"{name}-tab{t}-{lang}-{theme}.png"
                        win.grab().save(str(tab_path))
                        report[tab_path.name] = [f"{tabs.tabText(t)}: {c}" for c in clipped_widgets(win)]
                    tabs.setCurrentIndex(first)
            win.close()
            win.deleteLater()
            app.processEvents()
        for t in translators:
            app.removeTranslator(t)
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.screenshots")
    p.add_argument("out", type=Path)
    p.add_argument("--languages", default="en,zh_TW")
    p.add_argument("--themes", default="light,dark")
    args = p.parse_args(argv)
    report = render(args.out, tuple(args.languages.split(",")), tuple(args.themes.split(",")))
    bad = {k: v for k, v in report.items() if v}
    print(json.dumps({"screenshots": sorted(report), "clipped": bad}, ensure_ascii=False, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
