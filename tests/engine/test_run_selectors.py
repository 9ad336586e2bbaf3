"""Run selectors: `latest` and `STAGE:latest` name a run however many a workspace has."""

import shutil

import pytest

from engine import checkpoint as ckpt
from engine.errors import CheckpointError
from tests.conftest import cli


def test_stage_latest_and_latest_pick_the_newest_run_with_a_checkpoint(sft_ws, tmp_path, capsys):
    ws, _ = sft_ws
    runs = tmp_path / "runs"  # a copy of the workspace's runs, where newer and odd runs can be made up
    shutil.copytree(ws.runs_dir, runs)
    sft = [d.name for d in runs.iterdir() if d.name.startswith("sft-")]
    newest_sft = max(sft, key=lambda n: n.split("-", 1)[1])
    assert ckpt.resolve(runs, "sft:latest").parent.parent.name == newest_sft
    # a newer run without a checkpoint (failed at once) is passed over; a same-second run (-2) counts as newer
    (runs / "sft-29991231-235959" / "checkpoints").mkdir(parents=True)
    assert ckpt.resolve(runs, "sft:latest").parent.parent.name == newest_sft
    shutil.copytree(runs / newest_sft, runs / f"{newest_sft}-2")
    assert ckpt.resolve(runs, "sft:latest").parent.parent.name == f"{newest_sft}-2"
    shutil.copytree(runs / newest_sft, runs / "dpo-29990101-000000")
    assert ckpt.resolve(runs, "latest").parent.parent.name == "dpo-29990101-000000"
    with pytest.raises(CheckpointError, match="no kto run with a checkpoint"):
        ckpt.resolve(runs, "kto:latest")
    # every --run takes them
    rc, out, err = cli(capsys, "eval", ws.root, "--run", "pretrain:latest", "--run", "sft:latest", "--limit", "2")
    assert rc == 0, err
    named = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ") and "QA accuracy" in line]
    newest = max(
        (
            d.name
            for d in ws.runs_dir.iterdir()
            if d.name.startswith("sft-") and ckpt.list_checkpoints(d / "checkpoints")
        ),
        key=lambda n: n.split("-", 1)[1],
    )
    assert named[0].startswith("pretrain-") and named[1] == newest
    rc, out, err = cli(capsys, "eval", ws.root, "--run", "ppo:latest", "--limit", "2")
    assert rc == 2 and "no ppo run with a checkpoint" in err
