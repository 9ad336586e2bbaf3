"""The calibration lab: the ECE by hand, the lab at its smallest setting through the CLI (base,
SFT and a tiny DPO run), and the message when the workspace has nothing to ask."""

import json
import math
from pathlib import Path

import pytest

from engine import labs
from engine.cli import main
from engine.errors import DojoError
from engine.events import Control, Finished
from engine.labs.calibration import confidences, expected_calibration_error, reliability_bins
from engine.train import dpo
from tests.conftest import run_events
from tests.engine.lab_checks import linked_pngs


def test_ece_by_hand():
    conf, right = [0.05, 0.15, 0.95, 0.95], [False, True, True, False]
    # bins 0, 1, 9: 1/4·|0 − 0.05| + 1/4·|1 − 0.15| + 2/4·|0.5 − 0.95|
    assert expected_calibration_error(conf, right, 10) == pytest.approx(0.0125 + 0.2125 + 0.225)
    bins = reliability_bins(conf, right, 10)
    assert [b["n"] for b in bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[9]["accuracy"] == 0.5 and bins[9]["confidence"] == pytest.approx(0.95)
    assert bins[2]["accuracy"] is None
    # a confidence of exactly 1 falls in the last bin; a perfectly calibrated set scores 0
    assert reliability_bins([1.0], [True], 10)[9]["n"] == 1
    assert expected_calibration_error([0.25] * 4, [True, False, False, False], 10) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)
    assert expected_calibration_error([], []) == 0.0
    # two bins: [0.2, 0.4] in bin 0 (conf 0.3, acc 0.5), [0.6, 0.8] in bin 1 (conf 0.7, acc 1)
    assert expected_calibration_error([0.2, 0.4, 0.6, 0.8], [True, False, True, True], 2) == pytest.approx(0.25)
    c = confidences([0.5, 0.5, 1.0, 0.25])
    assert c["answer"] == pytest.approx(0.0625) and c["min_token"] == 0.25
    assert c["geomean"] == pytest.approx(0.0625**0.25)


def test_calibration_lab_smallest_via_cli(sft_ws, capsys, one_thread):
    ws, r = sft_ws
    rl = run_events(
        dpo.run(
            ws,
            dpo.make_config(
                sets={"max_steps": "2", "batch_size": "4", "eval_every": "2", "checkpoint_every": "2", "threads": "1"}
            ),
        )
    )[-1].result
    assert main(["lab", "calibration", str(ws.root), "--smallest", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["status"] == "done"
    assert set(out["ece"]) == {*out["stages"]} and len(out["ece"]) == 3
    assert sorted(out["stages"].values()) == ["dpo", "pretrain", "sft"]
    assert r["run"] in out["ece"] and rl["run"] in out["ece"]
    for run in out["ece"]:
        assert 0 <= out["ece"][run] <= 1 and 0 <= out["accuracy"][run] <= 1
        assert 0 <= out["mean_confidence"][run] <= 1 and 0 <= out["end_rate"][run] <= 1
        assert all(0 <= v <= 1 for v in out["ece_by_confidence"][run].values())
        assert out["ece_by_confidence"][run]["answer"] == out["ece"][run]
    assert out["questions"] == 12 and out["bins"] == 10
    report = Path(out["report"])
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Calibration") and "## Reliability diagram" in text and "| run | stage |" in text
    pngs = linked_pngs(report)
    assert pngs == ["reliability.png", "confidence_histogram.png"]
    assert json.loads((report.parent / "numbers.json").read_text())["ece"] == out["ece"]

    # one run, named; a cancelled lab stops at once
    cfg = labs.make_config(
        "calibration", sets={"runs": json.dumps([r["run"]]), "confidence": "min_token"}, smallest=True
    )
    control = Control()
    control.cancel()
    events = list(labs.run("calibration", ws, cfg, control))
    assert isinstance(events[-1], Finished) and events[-1].status == "cancelled"
    fin = run_events(labs.run("calibration", ws, cfg))[-1]
    assert list(fin.result["ece"]) == [r["run"]] and fin.result["confidence"] == "min_token"
    assert math.isfinite(fin.result["ece"][r["run"]])


def test_calibration_lab_says_what_to_run_first(ws, capsys):
    with pytest.raises(DojoError, match="no pretrain or SFT run .*run lmdojo-cli pretrain WS first"):
        run_events(labs.run("calibration", ws, labs.make_config("calibration", smallest=True)))
    assert main(["lab", "calibration", str(ws.root), "--smallest"]) == 2
    assert "run lmdojo-cli pretrain WS first" in capsys.readouterr().err
