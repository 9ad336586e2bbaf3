"""Lab "spikes": junk bursts planted at chosen steps, the guard's record, the cleaned run."""

from __future__ import annotations

import json

import pytest

from engine import labs
from engine.errors import DojoError
from engine.events import Control, Finished
from engine.io.workspace import Workspace
from engine.labs import spikes
from tests.engine.lab_checks import lab_cli, linked_pngs


def test_burst_plan_grows_and_stays_in_the_run():
    cfg = labs.make_config("spikes")
    plan = spikes.burst_plan(cfg)
    assert [rows for _, rows in plan] == [2, 4, 8, 16]
    steps = [s for s, _ in plan]
    assert steps == sorted(steps) and steps[0] >= cfg.steps * 0.4 and steps[-1] < cfg.steps
    small = labs.make_config("spikes", smallest=True)
    assert all(0 <= s < small.steps and 1 <= r <= small.batch_size for s, r in spikes.burst_plan(small))


def test_smallest_through_the_cli(ws, capsys, one_thread):
    r, report = lab_cli("spikes", ws, capsys)
    assert len(linked_pngs(report)) == 2
    assert json.loads((report.parent / "numbers.json").read_text())["spikes_with_junk"] == r["spikes_with_junk"]
    assert not (report.parent / "scratch").exists()  # checkpoints and shards deleted, numbers kept
    # the junk was planted, spiked, and is among the documents the guard recorded
    assert r["junk_documents_planted"] == 4 + 8  # bursts of half and all of a batch of 8
    assert r["spikes_with_junk"] >= 1 and r["bursts_flagged"] >= 1
    assert r["junk_documents_flagged"] >= 1
    assert 0 < r["junk_share_of_flagged_documents"] <= 1
    assert r["junk_documents_flagged"] <= r["flagged_documents"]
    assert r["junk_dropped_by_cleaning_rules"] == r["junk_documents_planted"]
    assert r["spikes_clean"] <= r["spikes_with_junk"]
    assert r["max_loss_jump"] > 0.5
    md = report.read_text(encoding="utf-8")
    assert "junk-0000" in md and "| yes |" in md


def test_cancel_and_missing_tokens(ws, tmp_path):
    control = Control()
    control.cancel()
    events = list(spikes.run(ws, labs.make_config("spikes", smallest=True), control))
    assert isinstance(events[-1], Finished) and events[-1].status == "cancelled"
    bare = Workspace.create(tmp_path / "bare")
    with pytest.raises(DojoError, match="tokenize"):
        list(labs.run("spikes", bare, labs.make_config("spikes", smallest=True)))
