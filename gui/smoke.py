"""`lmdojo --smoke-test`: does this install work? One short pass through every layer, offscreen.

In a temporary folder: the demo world (as the start page's demo button makes it), data cleaning with
two worker processes (the frozen app must start its own children), a small tokenizer, a few
pretraining steps, the checkpoint saved and loaded back, a few generated tokens, a ranking in the
preference store, a labs report plot (matplotlib), and the main window built over the workspace with the 繁體中文 translation and
the icon found. What a packaged build most often lacks (a data file, a Qt plugin, a hidden import,
a native library) fails one of these steps.

Prints one line and returns 0 when all passed; else one line on stderr naming the step, and 1
(an unexpected error's traceback goes to smoke-test.log in the app's log folder, named on the line).
Qt and Python warnings are caught: a known harmless one is dropped, any other fails the test,
so a clean run leaves stderr empty.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import traceback
import warnings
from pathlib import Path

# tests/conftest.py's TINY model, four steps on one CPU thread: about a second.
TINY = {
    "n_layer": "2",
    "n_head": "2",
    "n_embd": "32",
    "block_size": "32",
    "batch_size": "4",
    "lr": "3e-3",
    "warmup_steps": "2",
    "max_steps": "4",
    "eval_every": "4",
    "eval_batches": "2",
    "sample_every": "0",
    "checkpoint_every": "4",
    "threads": "1",
    "device": "cpu",
}
# Qt warnings that say nothing about this install: the offscreen platform cannot resize to size
# hints; a root or minimal session has no XDG runtime folder.
EXPECTED_QT = ("This plugin does not support propagateSizeHints", "XDG_RUNTIME_DIR", "QStandardPaths: ")
# A whole run takes seconds; a hang (e.g. a worker process that cannot start, which
# multiprocessing.Pool replaces forever) must still end with a line and a failure.
TIMEOUT_S = 300


class SmokeFailure(Exception):
    pass


def _finished(events, what: str) -> dict:
    """Drain a stage's events; its result, or a failure naming the stage."""
    from engine.events import Finished

    last = None
    for last in events:
        pass
    if not isinstance(last, Finished) or last.status != "done":
        raise SmokeFailure(f"{what} ended with {last!r}")
    return last.result


class Smoke:
    def __init__(self, root: Path):
        self.root = root
        self.ws = None
        self.model = None

    def demo_workspace(self):
        from engine.data.pollute import write_demo
        from engine.io.workspace import Workspace

        self.ws = Workspace.create(self.root / "ws")
        write_demo(self.ws.root)  # what MainWindow.create_workspace(demo=True) does

    def cleaning(self):
        from engine.data import clean

        r = _finished(clean.run(self.ws, clean.make_config(sets={"workers": "2"})), "cleaning")
        if r["funnel"][-1]["documents"] == 0:
            raise SmokeFailure("cleaning kept no documents")

    def tokenizer(self):
        from engine.config import TokenizerConfig
        from engine.data import tokenize

        _finished(tokenize.run(self.ws, TokenizerConfig(vocab_size=512, val_fraction=0.1)), "tokenizer")

    def pretraining(self):
        from engine.train import pretrain

        self.pretrained = _finished(pretrain.run(self.ws, pretrain.make_config(sets=TINY)), "pretraining")

    def checkpoint(self):
        import torch

        from engine import checkpoint as ckpt
        from engine.tokenizer import tokenizer_hash

        model, meta = ckpt.load_gpt(
            Path(self.pretrained["checkpoint"]), tokenizer_hash=tokenizer_hash(self.ws.tokenizer_path)
        )
        again = ckpt.save(self.root / "resaved", meta["step"], model, meta)
        self.model, _ = ckpt.load_gpt(again)
        a, b = model.state_dict(), self.model.state_dict()
        if a.keys() != b.keys() or not all(torch.equal(a[k], b[k]) for k in a):
            raise SmokeFailure("the checkpoint loaded back differs from the one saved")

    def generation(self):
        from engine.generate import SamplingConfig, generate
        from engine.tokenizer import load_tokenizer

        tok = load_tokenizer(self.ws.tokenizer_path)
        self.answers = [
            generate(self.model, tok, "Mira", SamplingConfig(max_new_tokens=8, seed=seed)).text for seed in (1, 2)
        ]
        if not all(self.answers):
            raise SmokeFailure("generation produced no text")

    def preferences(self):
        from engine.rlhf.prefs import PrefStore

        with PrefStore(self.ws.db_path) as store:
            prompt = store.add_prompt("Who is Mira?")
            better, worse = (store.add_response(prompt, text) for text in ("Mira is a baker.", self.answers[0]))
            store.rank(prompt, [better, worse], "human:smoke")
        with PrefStore(self.ws.db_path) as store:  # read back through a new connection
            pairs = store.pairs()
        if [(p["chosen_id"], p["rejected_id"]) for p in pairs] != [(better, worse)]:
            raise SmokeFailure(f"the preference store gave back {pairs!r}")

    def lab_report(self):
        from engine.labs.report import Report

        rep = Report.create(self.ws, "smoke", "Smoke")
        png = rep.plot("line", {"y": ([1, 2, 3], [3.0, 2.0, 2.5])}, xlabel="x", ylabel="y")
        rep.write({"points": 3})
        if png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
            raise SmokeFailure("the labs' plot is not a PNG (matplotlib)")

    def main_window(self):
        from PySide6.QtCore import QCoreApplication, QEvent, QSettings
        from PySide6.QtWidgets import QApplication

        from gui.app import app_icon, build_window, install_translator
        from gui.settings import AppSettings

        app = QApplication.instance()
        if app_icon().isNull():
            raise SmokeFailure("the app icon is missing (resources/icons)")
        translators = install_translator(app, "zh_TW")
        for t in translators:
            app.removeTranslator(t)
        if not any(t.filePath().endswith("lmdojo_zh_TW.qm") for t in translators):
            raise SmokeFailure("the 繁體中文 translation is missing (resources/translations/lmdojo_zh_TW.qm)")
        # settings of its own: the smoke test must not touch the user's recent workspaces
        settings = AppSettings(QSettings(str(self.root / "settings.ini"), QSettings.Format.IniFormat))
        win = build_window(settings)
        try:
            if not win.open_workspace(str(self.ws.root)):
                raise SmokeFailure("the main window could not open the workspace")
            win.show()
            app.processEvents()
        finally:
            win.close()
            win.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    STEPS = (
        "demo_workspace",
        "cleaning",
        "tokenizer",
        "pretraining",
        "checkpoint",
        "generation",
        "preferences",
        "lab_report",
        "main_window",
    )


def _one_line(e: BaseException) -> str:
    text = (str(e).strip().splitlines() or [""])[0]
    if isinstance(e, SmokeFailure):
        return text
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _save_traceback() -> Path | None:
    """The current exception's traceback in the app's log folder: the one line cannot hold it."""
    from gui.app import log_dir

    try:
        path = log_dir() / "smoke-test.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(traceback.format_exc(), encoding="utf-8")
        return path
    except OSError:
        return None


def _default_warning_filters():
    """Python's own defaults (DeprecationWarning only from __main__, …), so that a run under pytest,
    which shows more, judges the same warnings as a user's run of the app."""
    warnings.resetwarnings()
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category, append=True)


def _watchdog(where: dict, err) -> threading.Timer:
    def give_up():
        print(f"smoke test failed at {where['step']}: no result after {TIMEOUT_S} s", file=err, flush=True)
        os._exit(1)

    timer = threading.Timer(TIMEOUT_S, give_up)
    timer.daemon = True
    timer.start()
    return timer


def run(out=None, err=None) -> int:
    """The smoke test; 0 when every step passed. Needs (or makes) a QApplication."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    out, err = out or sys.stdout, err or sys.stderr
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "lmdojo"])  # noqa: F841
    qt_messages: list[str] = []

    def on_qt_message(kind, context, message):
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and not any(x in message for x in EXPECTED_QT):
            qt_messages.append(message)

    t0 = time.perf_counter()
    where = {"step": "setup"}
    watchdog = _watchdog(where, err)
    previous = qInstallMessageHandler(on_qt_message)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            tempfile.TemporaryDirectory(prefix="lmdojo-smoke-", ignore_cleanup_errors=True) as tmp,
        ):
            _default_warning_filters()
            smoke = Smoke(Path(tmp))
            for step in Smoke.STEPS:
                where["step"] = step
                getattr(smoke, step)()
            where["step"] = "warnings"
            unexpected = [str(w.message) for w in caught] + qt_messages
            if unexpected:
                more = f" (and {len(unexpected) - 1} more)" if len(unexpected) > 1 else ""
                raise SmokeFailure(f"unexpected warning: {unexpected[0].splitlines()[0]}{more}")
    except Exception as e:
        saved = None if isinstance(e, SmokeFailure) else _save_traceback()
        detail = f" (traceback: {saved})" if saved else ""
        print(f"smoke test failed at {where['step']}: {_one_line(e)}{detail}", file=err, flush=True)
        return 1
    finally:
        watchdog.cancel()
        qInstallMessageHandler(previous)
    print(f"smoke test passed ({len(Smoke.STEPS)} steps, {time.perf_counter() - t0:.1f} s)", file=out, flush=True)
    return 0
