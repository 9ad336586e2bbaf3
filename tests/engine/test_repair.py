"""A lost, emptied or damaged workspace database (issue 19, items 7 and 10): the run index comes
back from the run folders, and a damaged file is a one-line error, never a traceback."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.io.store import Store
from engine.io.workspace import Workspace, take_notes
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events


@pytest.fixture
def two_runs(ws):
    pre = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "4"})))[-1].result
    second = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "6"})))
    return ws, pre["run"], second[-1].result["run"]


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_database_is_rebuilt_from_the_run_folders(two_runs, capsys, how):
    ws, a, b = two_runs
    take_notes()
    for side in ("", "-wal", "-shm"):
        p = ws.db_path.with_name(ws.db_path.name + side)
        if p.exists():
            p.unlink()
    if how == "emptied":
        ws.db_path.write_bytes(b"")
    assert main(["runs", str(ws.root), "--json"]) == 0
    out, err = capsys.readouterr()
    runs = json.loads(out.strip().splitlines()[-1])["runs"]
    assert [r["id"] for r in runs] == [a, b] and all(r["status"] == "done" for r in runs)
    assert "note:" in err and "rebuilt them from their folders" in err and "metrics and samples are lost" in err
    with Store(ws.db_path) as store:
        assert "lost with the database" in store.run(a)["message"] and store.run(a)["stage"] == "pretrain"
    # and what was rebuilt can be trained on: resume the first, fine-tune from the second
    more = run_events(pretrain.run(Workspace.open(ws.root), resume=a, overrides={"max_steps": "6"}))[-1].result
    assert more["run"] == a and more["steps"] == 6
    tuned = run_events(
        sft.run(
            ws,
            sft.make_config(
                sets={"max_steps": "2", "batch_size": "4", "base": b, "eval_every": "2", "sample_every": "0"}
            ),
        )
    )[-1].result
    assert tuned["steps"] == 2
    assert main(["repair", str(ws.root)]) == 0
    assert "the run index is complete (3 run folders)" in capsys.readouterr().out  # and the SFT run


def test_a_damaged_database_is_one_line_naming_the_way_back(two_runs, capsys):
    ws, a, _ = two_runs
    for side in ("-wal", "-shm"):
        ws.db_path.with_name(ws.db_path.name + side).unlink(missing_ok=True)
    ws.db_path.write_bytes(b"this is not a database at all" * 100)
    for argv in (["runs", str(ws.root)], ["pretrain", str(ws.root), "--set", "max_steps=2"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "is damaged" in err and "restore" in err and "repair" in err
