"""The knowledge-extraction lab at its smallest setting: report structure, numbers' ranges, cleanup, cancel."""

from __future__ import annotations

import json
from pathlib import Path

from engine import labs
from engine.events import Control, Finished
from tests.conftest import run_events
from tests.engine.lab_checks import linked_pngs


def test_knowledge_lab_smallest_through_the_cli(ws, capsys):
    from engine.cli import main

    assert main(["lab", "knowledge", str(ws.root), "--smallest", "--json", "--quiet"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["status"] == "done"
    arms = ("1_version", "k_versions", "mixed")
    for arm in arms:
        for key in ("accuracy", "memorisation", "contains", "first_token", "train_accuracy"):
            assert 0.0 <= r[f"{key}_{arm}"] <= 1.0, (key, arm, r[f"{key}_{arm}"])
        assert r[f"accuracy_{arm}"] <= r[f"contains_{arm}"]  # exact match is the stricter score
        assert set(r[f"by_field_{arm}"]) == {"birthday", "birthplace", "school", "occupation", "employer", "hobby"}
        # the curve: before fine-tuning, SMALLEST's one point in between, the end (= the final accuracy)
        steps = [s for s, _ in r[f"curve_{arm}"]]
        assert steps[0] == 0 and steps[-1] == labs.module("knowledge").SMALLEST["sft_steps"] and steps == sorted(steps)
        assert r[f"curve_{arm}"][-1][1] == r[f"accuracy_{arm}"]
    assert 0.0 <= r["chance"] <= 1.0 and r["gap"] == round(r["accuracy_k_versions"] - r["accuracy_1_version"], 4)
    assert r["versions"] == labs.module("knowledge").SMALLEST["versions"]
    # the same held-out questions for every arm: 4 held-out people x 6 facts (English)
    assert r["questions"] == 24

    report = Path(r["report"])
    folder = report.parent
    assert folder.parent == ws.root / "labs" and folder.name.startswith("knowledge-")
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# Knowledge extraction")
    for heading in (
        "## Result",
        "### What each arm stored",
        "### Per fact",
        "## Training",
        "## Example answers",
        "## Compared with the paper",
    ):
        assert heading in md
    pngs = linked_pngs(folder / "report.md")
    assert {"accuracy.png", "curve.png", "pretraining.png"} <= set(pngs)
    assert json.loads((folder / "numbers.json").read_text())["accuracy_k_versions"] == r["accuracy_k_versions"]

    # both scratch corpora trained (the mixed arm in the one-version one), then their checkpoints and
    # token shards were deleted
    for scratch in ("k1", "kK"):
        assert (folder / scratch / "dojo.toml").is_file()
        assert list((folder / scratch / "runs").iterdir()), scratch  # the runs' records stay
        assert not (folder / scratch / "tokens").exists()
        assert not list((folder / scratch / "runs").glob("*/checkpoints"))
    assert not list(folder.rglob("*.safetensors"))
    # the two worlds asked the same questions: identical QA files
    for split in ("train", "heldout"):
        assert (folder / "k1" / "data" / "sft" / f"{split}.jsonl").read_bytes() == (
            folder / "kK" / "data" / "sft" / f"{split}.jsonl"
        ).read_bytes()


def test_knowledge_lab_cancel(ws):
    control = Control()
    control.cancel()
    events = run_events(labs.run("knowledge", ws, labs.make_config("knowledge", smallest=True), control))
    fin = events[-1]
    assert isinstance(fin, Finished) and fin.status == "cancelled"
    folder = Path(fin.result["folder"])
    assert not list(folder.rglob("*.safetensors"))
    assert not list(folder.glob("*/tokens"))
    assert not (folder / "report.md").exists()
