"""Shared fixtures: a small demo workspace, tokenized once per test session."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import torch

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.data.demo import DemoConfig, write_demo_world
from engine.events import Finished
from engine.io.workspace import Workspace

# A model small enough that a test trains it in seconds on two CPU cores.
TINY = {
    "n_layer": 2,
    "n_head": 2,
    "n_embd": 32,
    "block_size": 32,
    "batch_size": 4,
    "lr": 3e-3,
    "warmup_steps": 5,
    "eval_every": 10,
    "eval_batches": 2,
    "sample_every": 0,
    "checkpoint_every": 10,
    "threads": 1,
}

# a short SFT on the demo world that still learns (the session's SFT run, the Hugging Face world's)
QUICK_SFT = {
    "batch_size": "8",
    "eval_every": "20",
    "sample_every": "0",
    "checkpoint_every": "20",
    "threads": "1",
    "lr": "3e-3",
}


def tiny_sets(**extra) -> list[str]:
    """TINY (and `extra`) as lmdojo-cli arguments: --set k=v ..."""
    return [a for k, v in {**TINY, **extra}.items() for a in ("--set", f"{k}={v}")]


@pytest.fixture
def one_thread():
    """Tiny tensors: one thread is faster, and a second one spins against other processes."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def run_events(gen):
    events = list(gen)
    assert isinstance(events[-1], Finished), events[-1]
    return events


@pytest.fixture(scope="session")
def demo_ws_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("template") / "ws"
    ws = Workspace.create(root)
    write_demo_world(root, DemoConfig(seed=0, people=30, augment_versions=2, stories=20))
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512, val_fraction=0.1)))
    return root


@pytest.fixture
def ws(demo_ws_template, tmp_path):
    """A fresh copy of the tokenized demo workspace for each test."""
    dst = tmp_path / "ws"
    shutil.copytree(demo_ws_template, dst)
    return Workspace.open(dst)


@pytest.fixture
def sft_ws(ws):
    """The demo workspace after a tiny pretrain and SFT: (ws, the SFT run's result)."""
    from engine.train import pretrain, sft

    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    r = run_events(
        sft.run(
            ws,
            sft.make_config(sets={**QUICK_SFT, "max_steps": "20"}),
        )
    )
    return ws, r[-1].result


def cli(capsys, *argv):
    """lmdojo-cli in this process: (exit code, stdout, stderr)."""
    from engine.cli import main

    try:
        rc = main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own errors
        rc = e.code
    out, err = capsys.readouterr()
    return rc, out, err
