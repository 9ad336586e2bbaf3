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
    return ws


def clipped_widgets(root) -> list[str]:
    """Visible buttons, check boxes and single-line labels whose text needs more room than they have."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

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
    return out


def render(out: Path, languages=("en", "zh_TW"), themes=("light", "dark"), size=(1280, 820)) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

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
                    if page.stage == "compare" and page.session.result is None:  # answers side by side
                        page.prompt_edit.setPlainText("Where was Mara Quinn born?")
                        page.generate()
                        while win.ctx.runner.is_busy():
                            app.processEvents()
                for _ in range(5):
                    app.processEvents()
                page_widget = win.stack.currentWidget()
                if hasattr(page_widget, "repaint_now"):
                    page_widget.repaint_now()
                path = out / f"{name}-{lang}-{theme}.png"
                win.grab().save(str(path))
                report[path.name] = clipped_widgets(win)
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
