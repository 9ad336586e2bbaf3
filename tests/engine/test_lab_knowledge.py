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
    for key in ("accuracy_1_version", "accuracy_k_versions", "chance"):
        assert 0.0 <= r[key] <= 1.0, (key, r[key])
    for key in ("train_accuracy_1_version", "train_accuracy_k_versions"):
        assert 0.0 <= r[key] <= 1.0
    assert r["versions"] == labs.module("knowledge").SMALLEST["versions"]
    # the same held-out questions for both settings: 4 held-out people x 6 facts (English)
    assert r["questions"] == r["questions_1_version"] == r["questions_k_versions"] == 24
    assert set(r["by_field_1_version"]) == set(r["by_field_k_versions"]) == {
        "birthday", "birthplace", "school", "occupation", "employer", "hobby"}
    assert all(0.0 <= v <= 1.0 for v in r["by_field_k_versions"].values())
    assert r["ratio"] is None or r["ratio"] >= 0

    report = Path(r["report"])
    folder = report.parent
    assert folder.parent == ws.root / "labs" and folder.name.startswith("knowledge-")
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# Knowledge extraction")
    for heading in ("## Result", "### Per fact", "## Training", "## Example answers", "## Compared with the paper"):
        assert heading in md
    pngs = linked_pngs(folder / "report.md")
    assert "accuracy.png" in pngs and "pretraining.png" in pngs
    assert json.loads((folder / "numbers.json").read_text())["accuracy_k_versions"] == r["accuracy_k_versions"]

    # both scratch worlds trained, then their checkpoints and token shards were deleted
    for scratch in ("k1", "kK"):
        assert (folder / scratch / "dojo.toml").is_file()
        assert list((folder / scratch / "runs").iterdir()), scratch  # the runs' records stay
        assert not (folder / scratch / "tokens").exists()
        assert not list((folder / scratch / "runs").glob("*/checkpoints"))
    assert not list(folder.rglob("*.safetensors"))
    # the two worlds asked the same questions: identical QA files
    for split in ("train", "heldout"):
        assert ((folder / "k1" / "data" / "sft" / f"{split}.jsonl").read_bytes()
                == (folder / "kK" / "data" / "sft" / f"{split}.jsonl").read_bytes())


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
