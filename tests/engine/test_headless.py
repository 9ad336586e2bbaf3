"""The house rules: the engine never imports Qt, and nothing ever unpickles."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_stays_headless():
    code = (
        "import engine.train.pretrain, engine.cli, engine.data.tokenize, engine.data.demo, sys; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui', 'shiboken6')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_qt_imports_in_engine_source():
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|pyqtgraph|gui|shiboken6)\b", re.M)
    offenders = [str(p) for p in (ROOT / "engine").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_no_unpickling():
    offenders = []
    for p in list((ROOT / "engine").rglob("*.py")) + list((ROOT / "gui").rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"pickle\.loads?\(|torch\.load\(", line) and "weights_only=True" not in line:
                offenders.append(f"{p}:{i}")
    assert not offenders
