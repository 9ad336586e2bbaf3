"""The cleaning stage end to end: the polluted demo is cleaned back, bad inputs never crash it."""

import json

import pytest

from engine.cli import main
from engine.data import clean, tokenize
from engine.data.demo import DemoConfig
from engine.data.pollute import write_demo
from engine.errors import DojoError
from engine.io.workspace import Workspace
from tests.conftest import run_events


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean") / "ws"
    Workspace.create(root)
    write_demo(root, DemoConfig(people=80, augment_versions=2, stories=40))
    return root


def cleaned(ws_root, **sets):
    ws = Workspace.open(ws_root)
    cfg = clean.make_config(sets={k: str(v) for k, v in sets.items()})
    return run_events(clean.run(ws, cfg))[-1].result


def output_ids(out: str) -> list[str]:
    from pathlib import Path

    ids = []
    for f in sorted(Path(out).glob("part-*.jsonl")):
        ids += [json.loads(line)["id"] for line in f.read_text(encoding="utf-8").splitlines()]
    return ids


def test_polluted_demo_is_cleaned_back(demo_root, tmp_path):
    # The generated world repeats a few stories itself: the clean documents that should survive are
    # those that survive de-duplication of the clean corpus alone.
    base = cleaned(
        demo_root,
        out=tmp_path / "base",
        sources=json.dumps([str(demo_root / "data" / "corpus")]),
        **{"rules.enabled": "false", "quality.enabled": "false"},
    )
    unique_clean = set(output_ids(base["out"]))
    r = cleaned(demo_root)
    truth = json.loads((demo_root / "data" / "demo_truth.json").read_text())
    kept = set(output_ids(r["out"]))
    clean_ids = set(truth["clean"])
    assert len(unique_clean) > 0.9 * len(clean_ids)
    planted = set(truth["exact_duplicate"]) | set(truth["near_duplicate"]) | set(truth["junk"])
    kept_clean = len(kept & unique_clean) / len(unique_clean)
    removed = 1 - len(kept & planted) / len(planted)
    assert kept_clean >= 0.95, kept_clean
    assert removed >= 0.95, removed
    assert len(kept & clean_ids) / len(clean_ids) >= 0.95  # counting the world's own repeats as losses too
    for kind in ("exact_duplicate", "near_duplicate", "junk"):
        got = 1 - len(kept & set(truth[kind])) / len(truth[kind])
        assert got >= 0.95, (kind, got)
    assert set(truth["repaired"]) & kept  # markup and mojibake were repaired, not dropped
    funnel = r["funnel"]
    assert [f["step"] for f in funnel][0] == "input" and funnel[-1]["step"] == "output"
    assert all({"step", "documents", "chars"} <= set(f) for f in funnel)
    docs = [f["documents"] for f in funnel]
    assert docs == sorted(docs, reverse=True) and docs[0] == len(clean_ids) + len(planted)
    assert "threshold" in r["quality_note"] and r["reasons"]["quality"].get("low_quality", 0) < 0.05 * len(clean_ids)
    assert r["reasons"]["exact_dedup"]["exact_duplicate"] >= len(truth["exact_duplicate"]) * 0.9
    assert r["steps"]["near_dedup"]["clusters"]


def test_cleaning_is_deterministic_and_workers_do_not_change_it(demo_root, tmp_path):
    a = cleaned(demo_root, out=tmp_path / "a")
    b = cleaned(demo_root, out=tmp_path / "b", workers=2)
    fa = sorted((tmp_path / "a").glob("part-*.jsonl"))
    fb = sorted((tmp_path / "b").glob("part-*.jsonl"))
    assert [f.read_bytes() for f in fa] == [f.read_bytes() for f in fb]
    assert a["funnel"] == b["funnel"]


def test_bad_inputs_are_skipped_and_named(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    src = tmp_path / "mess"
    src.mkdir()
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (src / "blob.txt").write_bytes(b"\x00" * 5000)
    (src / "latin.txt").write_bytes(("Café au lait, naïve façade. " * 10).encode("latin-1"))
    (src / "utf16.txt").write_bytes(("陳怡君出生在流明灣，她的興趣是賞鳥。" * 5).encode("utf-16"))
    (src / "empty.txt").write_bytes(b"")
    good = json.dumps({"text": "Mara Quinn was born in Lumen Bay and works as a marine biologist there. " * 2})
    other = json.dumps({"text": "Ezra Vance repairs old clocks in a small shop near the northern railway station."})
    (src / "broken.jsonl").write_text(good + "\n{not json\n" + other + "\n")
    r = cleaned(ws.root, sources=json.dumps([str(src)]), **{"quality.enabled": "false", "rules.enabled": "false"})
    skipped = {s["path"].split("/")[-1]: s["reason"] for s in r["skipped_inputs"]}
    assert "binary" in skipped["image.png"] or "unsupported" in skipped["image.png"]
    assert "binary" in skipped["blob.txt"]
    assert "empty" in skipped["empty.txt"]
    assert r["bad_records"] == 1
    texts = " ".join(
        json.loads(line)["text"]
        for f in sorted((ws.clean_dir).glob("part-*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    )
    assert "Café" in texts and "流明灣" in texts and "Ezra" in texts
    rejects = (ws.clean_dir / "_rejects" / "bad_records.jsonl").read_text()
    assert '"line": 2' in rejects


def test_nothing_to_read_is_a_clear_error(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    (tmp_path / "none").mkdir()
    with pytest.raises(DojoError, match="no input"):
        list(clean.run(ws, clean.make_config(sets={"sources": json.dumps([str(tmp_path / "none")])})))
    with pytest.raises(DojoError, match="source not found"):
        list(clean.run(ws, clean.make_config(sets={"sources": json.dumps([str(tmp_path / "missing")])})))


def test_tokenizer_uses_the_cleaned_corpus(demo_root, tmp_path):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(demo_root, root)
    shutil.rmtree(root / "data" / "clean", ignore_errors=True)  # another test may have cleaned the shared world
    ws = Workspace.open(root)
    assert ws.training_corpus() == ws.corpus_dir
    cleaned(root, **{"quality.enabled": "false"})
    assert ws.training_corpus() == ws.clean_dir
    from engine.config import TokenizerConfig

    r = run_events(tokenize.run(ws, TokenizerConfig(vocab_size=400)))[-1].result
    n_out = sum(1 for f in ws.clean_dir.glob("part-*.jsonl") for _ in f.open(encoding="utf-8"))
    assert r["train_docs"] + r["val_docs"] == n_out


def test_cli_clean_json(demo_root, tmp_path, capsys):
    rc = main(
        [
            "clean",
            str(demo_root),
            "--json",
            "--quiet",
            "--out",
            str(tmp_path / "o"),
            "--set",
            "near_dedup.threshold=0.85",
        ]
    )
    assert rc == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["funnel"][0]["step"] == "input" and r["funnel"][-1]["step"] == "output"
    assert isinstance(r["skipped_inputs"], list)
    rc = main(["clean", str(demo_root), "--set", "rules.min_charz=3"])
    err = capsys.readouterr().err
    assert rc == 2 and "min_charz" in err and err.count("\n") == 1


def test_sectioned_config_round_trip(tmp_path):
    from engine.config import read_toml, to_toml

    cfg = clean.make_config(sets={"near_dedup.threshold": "0.7", "workers": "2"})
    p = tmp_path / "c.toml"
    p.write_text(to_toml(cfg), encoding="utf-8")
    assert clean.make_config(read_toml(p)) == cfg


def test_demo_raw_folder_holds_only_the_corpus(demo_root):
    r = (
        json.loads((demo_root / "data" / "clean" / "report.json").read_text())
        if (demo_root / "data" / "clean" / "report.json").exists()
        else cleaned(demo_root)
    )
    assert r["bad_records"] == 0 and r["skipped_inputs"] == []
    assert sorted(p.name for p in (demo_root / "data" / "raw").iterdir()) == ["demo_raw.jsonl"]
