"""One exit-code rule for every lmdojo-cli command (engine/cli/common.py): done 0, failed 1, bad
input 2, cancelled 130 — the same for a training stage, tokenize, clean, a lab and an insight."""

from __future__ import annotations

import json

import pytest

from engine.cli.common import EXIT_BAD_INPUT, EXIT_CANCELLED, EXIT_DONE, EXIT_FAILED, exit_code
from engine.events import Control
from tests.conftest import cli, tiny_sets

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def cancelled(monkeypatch):
    """Every job's Control says it was cancelled (as the first Ctrl-C does) from its first check."""
    monkeypatch.setattr(Control, "cancelled", property(lambda self: True))


def test_the_rule():
    assert (EXIT_DONE, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_CANCELLED) == (0, 1, 2, 130)
    assert [exit_code(s) for s in ("done", "failed", "cancelled")] == [0, 1, 130]


@pytest.mark.parametrize(
    "argv",
    [
        ["pretrain", "{ws}", *tiny_sets(max_steps=50)],
        ["tokenize", "{ws}", "--vocab-size", "400", "--force"],
        ["clean", "{ws}", "--out", "{ws}/data/clean2"],
        ["lab", "spikes", "{ws}", "--smallest"],
        ["insight", "probe", "{ws}", "--set", "docs=0"],
    ],
)
def test_a_cancelled_command_exits_130_and_says_cancelled(ws, capsys, cancelled, argv):
    rc, out, err = cli(capsys, *[a.format(ws=ws.root) for a in argv], "--json", "--quiet")
    assert rc == EXIT_CANCELLED, err
    assert json.loads(out.splitlines()[-1])["status"] == "cancelled"


@pytest.mark.parametrize(
    "argv",
    [
        ["pretrain", "{ws}", "--device", "bogus"],
        ["sft", "{ws}", "--device", "bogus"],
        ["generate", "{ws}", "--run", "nope", "--prompt", "x", "--device", "bogus"],
        ["eval", "{ws}", "--run", "nope", "--device", "bogus"],
        ["sample", "{ws}", "--device", "bogus"],
        ["shift", "{ws}", "--base", "a", "--aligned", "b", "--device", "bogus"],
        ["distill", "{ws}", "--teacher", "t", "--device", "bogus"],
        ["compare", "{ws}", "--run", "a", "--run", "b", "--prompt", "x", "--device", "bogus"],
    ],
)
def test_a_bad_device_is_bad_input_in_every_command(ws, capsys, argv):
    rc, out, err = cli(capsys, *[a.format(ws=ws.root) for a in argv])
    assert rc == EXIT_BAD_INPUT, err
    assert len(err.strip().splitlines()) == 1 and "bogus" in err and "Traceback" not in err


def test_a_failure_in_the_work_exits_1(ws, capsys, monkeypatch):
    from engine.train import pretrain

    def boom(*a, **k):
        raise RuntimeError("the disk caught fire")
        yield

    monkeypatch.setattr(pretrain, "run", boom)
    rc, out, err = cli(capsys, "pretrain", ws.root, *tiny_sets(max_steps=2))
    assert rc == EXIT_FAILED and err.strip() == "error: RuntimeError: the disk caught fire"


def test_done_exits_0(ws, capsys):
    rc, out, err = cli(capsys, "pretrain", ws.root, *tiny_sets(max_steps=2), "--json", "--quiet")
    assert rc == EXIT_DONE and json.loads(out.splitlines()[-1])["status"] == "done"
