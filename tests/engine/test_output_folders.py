"""Folders that are not ours are never replaced (issue 19, items 1–3): cleaning's output, exports,
token shards and backups refuse what could destroy a person's files, and never touch siblings."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.data import clean
from engine.errors import DojoError
from engine.io.fsutil import OURS
from engine.train import pretrain
from tests.conftest import TINY, run_events


def _clean(ws, out=None, **sets):
    cfg = clean.make_config(
        sets={
            **({"out": str(out)} if out else {}),
            **{k: str(v) for k, v in sets.items()},
            "quality.enabled": "false",
            "near_dedup.enabled": "false",
        }
    )
    return run_events(clean.run(ws, cfg))[-1].result


def _mine(folder, name="notes.txt", text="my own notes"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


@pytest.mark.parametrize(
    "where", ["user folder", "source", "inside source", "around source", "workspace", "above workspace"]
)
def test_clean_refuses_an_output_that_is_not_ours(ws, tmp_path, where):
    source = ws.corpus_dir
    out = {
        "user folder": tmp_path / "mine",
        "source": source,
        "inside source": source / "sub",
        "around source": ws.data_dir,
        "workspace": ws.root,
        "above workspace": ws.root.parent,
    }[where]
    kept = _mine(tmp_path / "mine") if where == "user folder" else None
    before = sorted(p.relative_to(ws.root.parent) for p in ws.root.parent.rglob("*"))
    with pytest.raises(
        DojoError, match="not empty and was not written by LM Dojo|overlaps the source|would replace the workspace"
    ):
        _clean(ws, out, sources=json.dumps([str(source)]))
    assert sorted(p.relative_to(ws.root.parent) for p in ws.root.parent.rglob("*")) == before  # nothing touched
    if kept:
        assert kept.read_text() == "my own notes"


def test_clean_replaces_its_own_output_and_never_a_sibling(ws, tmp_path):
    out = tmp_path / "cleaned"
    old, building = _mine(tmp_path / "cleaned.old"), _mine(tmp_path / "cleaned.building")
    _clean(ws, out)
    assert json.loads((out / OURS).read_text()) == {"kind": "clean"} and list(out.glob("part-*.jsonl"))
    _clean(ws, out)  # again into its own output: fine
    assert old.read_text() == building.read_text() == "my own notes"
    assert sorted(p.name for p in tmp_path.iterdir() if p != ws.root) == ["cleaned", "cleaned.building", "cleaned.old"]
    # an empty folder is fine too; a CLI refusal is one line, exit 2
    (tmp_path / "empty").mkdir()
    _clean(ws, tmp_path / "empty")
    _mine(tmp_path / "theirs")
    assert main(["clean", str(ws.root), "--out", str(tmp_path / "theirs"), "--quiet"]) == 2
    assert (tmp_path / "theirs" / "notes.txt").read_text() == "my own notes"


def test_clean_output_written_before_the_marker_is_still_ours(ws, tmp_path):
    out = tmp_path / "old-clean"
    _clean(ws, out)
    (out / OURS).unlink()  # as an older LM Dojo left it: report.json and config.toml, no marker
    _clean(ws, out)
    assert (out / OURS).is_file()


@pytest.fixture
def exported(ws, tmp_path):
    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    return ws, run


def test_export_keeps_a_persons_files_and_siblings(exported, tmp_path):
    from engine.io.hf_export import export_hf

    ws, run = exported
    out = tmp_path / "hf"
    sibling = _mine(tmp_path / "hf.old")
    export_hf(ws, run, out)
    mine = _mine(out, "MY_NOTES.md", "what I learned")
    (out / "extra").mkdir()
    (out / "extra" / "eval.json").write_text("{}")
    before = (out / "model.safetensors").stat().st_mtime_ns
    export_hf(ws, run, out)  # re-export into the earlier export: only its own files are replaced
    assert mine.read_text() == "what I learned" and (out / "extra" / "eval.json").read_text() == "{}"
    assert (out / "model.safetensors").stat().st_mtime_ns >= before and (out / "config.json").is_file()
    assert sibling.read_text() == "my own notes"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hf.")]  # no building folder left
    with pytest.raises(DojoError, match="not empty and was not written by LM Dojo"):
        export_hf(ws, run, tmp_path / "hf.old")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DojoError, match="not a folder"):
        export_hf(ws, run, tmp_path / "afile")


def test_cluster_bundle_refuses_a_file_or_someone_elses_folder(exported, tmp_path):
    from engine.io.cluster import export_for_cluster

    ws, run = exported
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DojoError, match="not a folder"):
        export_for_cluster(ws, run, tmp_path / "afile", gpus_per_node=1)
    _mine(tmp_path / "theirs")
    with pytest.raises(DojoError, match="not empty"):
        export_for_cluster(ws, run, tmp_path / "theirs", gpus_per_node=1)
    assert (tmp_path / "theirs" / "notes.txt").read_text() == "my own notes"


def test_token_shards_leave_no_building_folder_when_cancelled(ws):
    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.events import Control

    before = sorted(p.name for p in ws.root.iterdir())
    control = Control()
    gen = tokenize.run(ws, TokenizerConfig(vocab_size=400), control)
    next(gen)
    gen.close()  # the job stopped mid-way
    assert sorted(p.name for p in ws.root.iterdir()) == before


def test_backup_never_overwrites_a_file_silently_and_names_one_in_a_folder(ws, tmp_path, capsys):
    from engine.rlhf.prefs import PrefStore

    mine = _mine(tmp_path, "important.sqlite", "not a database: mine")
    assert main(["prefs", str(ws.root), "backup", str(mine)]) == 2
    assert "already exists" in capsys.readouterr().err and mine.read_text() == "not a database: mine"
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["prefs", str(ws.root), "backup", str(folder), "--json"]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["backup"]
    assert main(["prefs", str(ws.root), "backup", str(folder), "--json"]) == 0  # same second: another name
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["backup"]
    assert first != second and all(p.startswith(str(folder / "dojo-")) for p in (first, second))
    with PrefStore(first) as store:
        assert store.counts()["pairs"] == 0  # a real, healthy database
    assert main(["prefs", str(ws.root), "backup", str(mine), "--force"]) == 0  # asked for: replaced
    with PrefStore(mine) as store:
        store.counts()
