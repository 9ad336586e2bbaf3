"""Re-running tokenize (issue 19, item 8): it asks before replacing a tokenizer runs depend on, keeps
every tokenizer by its hash so old runs still answer, changes tokenizer and shards together, and says
when the corpus cannot fill the vocabulary."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.data.shards import read_meta
from engine.errors import DojoError
from engine.events import Control, Finished, Log
from engine.tokenizer import archived_tokenizer, tokenizer_hash
from engine.train import pretrain
from tests.conftest import TINY, run_events


def test_replacing_a_used_tokenizer_needs_force_and_old_runs_still_answer(ws, capsys):
    old_hash = tokenizer_hash(ws.tokenizer_path)
    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    with pytest.raises(DojoError, match=rf"1 run\(s\) were trained with the current tokenizer \({run}\).*--force"):
        list(tokenize.run(ws, TokenizerConfig(vocab_size=450)))
    assert tokenizer_hash(ws.tokenizer_path) == old_hash  # nothing changed
    assert main(["tokenize", str(ws.root), "--vocab-size", "450", "--quiet"]) == 2
    assert main(["tokenize", str(ws.root), "--vocab-size", "450", "--force", "--quiet", "--json"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["tokenizer_hash"] != old_hash == tokenizer_hash(archived_tokenizer(ws.tokenizer_path, old_hash))
    assert read_meta(ws.tokens_dir)["tokenizer_hash"] == tokenizer_hash(ws.tokenizer_path) == r["tokenizer_hash"]
    # the old run answers with its own tokenizer; training from it says why it cannot
    assert main(["generate", str(ws.root), "--run", run, "--prompt", "Hello", "--max-new-tokens", "3", "--json"]) == 0
    assert main(["eval", str(ws.root), "--run", run, "--limit", "2", "--json"]) == 0
    capsys.readouterr()
    assert main(["sft", str(ws.root), "--from", run, "--set", "max_steps=1"]) == 2
    assert "it was retrained" in capsys.readouterr().err


def test_a_kill_between_shards_and_tokenizer_is_finished_by_the_next_run(ws, monkeypatch):
    from engine.data import tokenize as t

    def crash(*a, **k):  # the shards are in place, the tokenizer not yet: the process dies here
        raise KeyboardInterrupt

    monkeypatch.setattr(t, "save_tokenizer", crash)
    with pytest.raises(KeyboardInterrupt):
        list(t.run(ws, TokenizerConfig(vocab_size=470), force=True))
    monkeypatch.undo()
    shards = read_meta(ws.tokens_dir)["tokenizer_hash"]
    assert shards != tokenizer_hash(ws.tokenizer_path)  # disagree, as after a kill -9
    t._finish_half_done(ws)  # what the next tokenize does first
    assert tokenizer_hash(ws.tokenizer_path) == shards


def test_a_cancel_changes_nothing_and_a_small_corpus_says_so(ws):
    before = tokenizer_hash(ws.tokenizer_path), read_meta(ws.tokens_dir)["tokenizer_hash"]
    control = Control()
    control.cancel()
    events = run_events(tokenize.run(ws, TokenizerConfig(vocab_size=480), control, force=True))
    assert isinstance(events[-1], Finished) and events[-1].status == "cancelled"
    assert (tokenizer_hash(ws.tokenizer_path), read_meta(ws.tokens_dir)["tokenizer_hash"]) == before
    events = run_events(tokenize.run(ws, TokenizerConfig(vocab_size=60000), force=True))
    r = events[-1].result
    assert r["vocab_size"] < r["vocab_size_requested"] == 60000
    assert any(
        isinstance(e, Log) and e.level == "warning" and f"supports {r['vocab_size']} tokens" in e.message
        for e in events
    )
