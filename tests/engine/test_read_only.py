"""A read-only workspace (issue 19, item 11): reading commands work, writing ones say "read-only" in
one line. Root ignores file permissions, so as root the workspace is a read-only bind mount."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from engine.cli import main
from engine.train import pretrain
from tests.conftest import TINY, run_events


@pytest.fixture
def ro_ws(ws):
    """The demo workspace with a run, then made read-only (a bind mount as root, chmod otherwise)."""
    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    root = str(ws.root)
    if os.geteuid() == 0:
        if not shutil.which("mount") or subprocess.run(["mount", "--bind", root, root], capture_output=True).returncode:
            pytest.skip("cannot make a read-only folder here (no bind mount)")
        if subprocess.run(["mount", "-o", "remount,bind,ro", root, root], capture_output=True).returncode:
            subprocess.run(["umount", root])
            pytest.skip("cannot remount read-only here")
        try:
            yield ws, run
        finally:
            subprocess.run(["umount", root])
    else:
        for d, _, files in os.walk(root):
            for f in files:
                os.chmod(os.path.join(d, f), 0o444)
            os.chmod(d, 0o555)
        try:
            yield ws, run
        finally:
            for d, _, _ in os.walk(root):
                os.chmod(d, 0o755)


def test_reading_works_and_writing_says_read_only(ro_ws, tmp_path, capsys):
    ws, run = ro_ws
    with pytest.raises(OSError):
        (ws.root / "probe").write_text("x")  # it really is read-only
    assert main(["runs", str(ws.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["runs"][0]["id"] == run
    assert main(["generate", str(ws.root), "--run", run, "--prompt", "Hi", "--max-new-tokens", "2"]) == 0
    assert main(["eval", str(ws.root), "--run", run, "--limit", "2"]) == 0
    capsys.readouterr()
    for argv in (
        ["pretrain", str(ws.root), "--set", "max_steps=2"],
        ["sft", str(ws.root), "--set", "max_steps=1"],
        ["clean", str(ws.root), "--out", str(tmp_path / "c")],
        ["tokenize", str(ws.root), "--force"],
        ["reward", str(ws.root)],
        ["export", str(ws.root), "--run", run, "--format", "hf", str(ws.root / "exports" / "x")],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and ("read-only" in err or "Read-only" in err), (argv, err)
