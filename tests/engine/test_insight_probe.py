"""Memorisation and contamination probe on the demo world: a planted verbatim copy of a held-out QA
item is found in the re-tokenized corpus with overlap 1.0 and ranks first; a tiny model trained many
epochs on a tiny corpus of duplicated documents continues its training documents verbatim and its validation documents not."""

import json
import random

import numpy as np
import pytest
import torch

from engine import insight
from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.data.shards import is_val
from engine.errors import DojoError
from engine.insight import probe
from engine.io.workspace import Workspace
from tests.conftest import TINY, run_events
from tests.engine.insight_checks import insight_cli

PLANT_ID = "planted-copy"  # an id the seeded split puts in train (checked below)


def _contamination(ws, **sets) -> dict:
    opts = insight.make_config("probe", sets={"docs": "0", "limit": "10000", **sets})
    r = run_events(insight.run("probe", ws, opts))[-1]
    assert r.status == "done" and r.result["memorisation"] is None
    json.dumps(r.result)
    return r.result["contamination"]


def longest_item(ws, set_name: str) -> dict:
    items = probe.eval_items(ws, [set_name])
    return max(items, key=lambda it: (sum(len(s) for s in it["segments"]), it["id"]))


def plant_duplicate(ws, set_name: str = "sft") -> tuple[str, str]:
    """Copy the longest item of `set_name` verbatim into the corpus as a document of its own and
    re-write the token shards with the workspace's tokenizer (kept, so a trained model still loads):
    (the item's id, the planted document's id)."""
    from engine.data.corpus import iter_documents
    from engine.data.shards import read_meta, write_shards
    from engine.tokenizer import load_tokenizer

    item = longest_item(ws, set_name)
    meta = read_meta(ws.tokens_dir)
    assert not is_val(PLANT_ID, meta["seed"], meta["val_fraction"])
    with open(ws.training_corpus() / "planted.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": PLANT_ID, "text": "Notes.\n" + "\n".join(item["segments"]) + "\n"}) + "\n")
    gen = write_shards(
        iter_documents(ws.training_corpus()),
        load_tokenizer(ws.tokenizer_path),
        ws.tokens_dir,
        meta["eot_id"],
        meta["tokenizer_hash"],
        meta["val_fraction"],
        meta["seed"],
    )
    for _ in gen:
        pass
    return item["id"], PLANT_ID


def test_ngram_hashes_and_lengths_by_hand():
    h = probe.ngram_hashes([1, 2, 3, 1, 2, 3], 3)
    assert len(h) == 4 and h[0] == h[3] and len(set(h.tolist())) == 3
    assert len(probe.ngram_hashes([5, 6], 3)) == 0
    assert probe.ngram_hashes([0, 1], 2)[0] != probe.ngram_hashes([1, 0], 2)[0]  # order matters, token 0 counts
    assert probe.split_lengths(100, 32, 32) == (32, 32)
    assert probe.split_lengths(20, 32, 32) == (10, 10)  # shorter: the first half prompts
    assert probe.split_lengths(3, 32, 32) == (1, 2)
    assert probe.matched_prefix([1, 2, 3], [1, 2, 4]) == 2 and probe.matched_prefix([], [1]) == 0
    assert probe.rates([{"matched": 4, "s": 4}, {"matched": 1, "s": 4}]) == (0.5, 2.5)


@pytest.mark.parametrize("set_name", ["qa", "sft"])
def test_a_planted_verbatim_copy_is_flagged_first(ws, set_name):
    item = longest_item(ws, set_name)
    before = _contamination(ws)
    # without the plant: questions about people whose biographies are in the corpus overlap partly
    assert before["by_set"]["qa"]["items"] > 100 and before["items_checked"] > 500
    assert 0 < before["by_set"]["qa"]["mean_overlap"] < 0.6
    assert all(f["overlap"] < 1.0 for f in before["flagged"] if f["id"] == item["id"])
    assert "by design" in before["note"]

    assert plant_duplicate(ws, set_name) == (item["id"], PLANT_ID)
    after = _contamination(ws)
    top = after["flagged"][0]
    assert (top["set"], top["id"], top["overlap"], top["doc_id"]) == (set_name, item["id"], 1.0, PLANT_ID)
    assert top["span"] in "\n".join(item["segments"]) and len(top["span"]) >= max(map(len, item["segments"])) - 2
    assert after["flagged_total"] >= before["flagged_total"] and after["items_checked"] == before["items_checked"]
    # at threshold 1.0 the planted item and only items whose every message it holds verbatim (a multi-turn
    # SFT example repeats single questions of the set)
    only = _contamination(ws, threshold="1.0", sets=set_name)
    assert only["flagged"][0]["id"] == item["id"] and list(only["by_set"]) == [set_name]
    segs = {it["id"]: it["segments"] for it in probe.eval_items(ws, [set_name])}
    assert all(all(s in "\n".join(item["segments"]) for s in segs[f["id"]]) for f in only["flagged"])


def _tiny_corpus_ws(root, texts: int = 12, copies: int = 6) -> Workspace:
    """Documents of 20 random words (nothing to learn but the documents themselves); a training text
    appears `copies` times (ids the seeded split puts in train) at different places of the corpus,
    as duplicated web text does, a validation text once."""
    ws = Workspace.create(root)
    rng = random.Random(0)
    words = (
        "apple river stone cloud green tiger seven window mountain silver paper orange castle dream lamp "
        "forest bridge candle hammer violet garden rocket pepper winter yellow island copper mirror"
    ).split()
    lines = []
    for i in range(texts):
        text = " ".join(rng.choice(words) for _ in range(20)) + "."
        val = is_val(f"t{i:02d}", 0, 0.25)
        ids = [f"t{i:02d}-{k}" for k in range(100) if is_val(f"t{i:02d}-{k}", 0, 0.25) == val]
        lines += [{"id": d, "text": text} for d in ids[: 1 if val else copies]]
    rng.shuffle(lines)
    ws.corpus_dir.mkdir(parents=True, exist_ok=True)
    with open(ws.corpus_dir / "tiny.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(line) + "\n" for line in lines)
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=400, val_fraction=0.25, seed=0)))
    return ws


def test_memorised_training_documents_continue_verbatim(tmp_path, one_thread):
    from engine.labs.common import load_model
    from engine.model import GPT
    from engine.train import pretrain

    ws = _tiny_corpus_ws(tmp_path / "ws")
    run_events(
        pretrain.run(
            ws,
            pretrain.make_config(sets={**TINY, "max_steps": "200", "eval_every": "1000", "checkpoint_every": "1000"}),
        )
    )
    r = run_events(insight.run("probe", ws, insight.make_config("probe", sets={"sets": ""})))[-1].result
    m = r["memorisation"]
    assert r["run"].startswith("pretrain-") and r["contamination"] is None
    assert (m["docs"], m["val_docs"]) == (48, 4)  # every document of each split (fewer than docs=64)
    assert (m["prefix_tokens"], m["suffix_tokens"]) == (16, 15)  # capped to fit block_size 32
    assert m["train_exact_rate"] >= 0.6 and m["val_exact_rate"] == 0.0
    assert m["train_mean_match"] > m["val_mean_match"] + 5
    ex = m["examples"]
    assert len(ex) == 20 and ex[0]["exact"] and ex[0]["model"] == ex[0]["truth"] and ex[0]["prompt"]
    assert ex[0]["prompt"] + ex[0]["truth"] in (ws.corpus_dir / "tiny.jsonl").read_text(encoding="utf-8")
    assert [e["matched"] / e["suffix"] for e in ex] == sorted((e["matched"] / e["suffix"] for e in ex), reverse=True)

    # the same documents through a freshly initialised model of the same shape: nothing memorised
    model, _, _ = load_model(ws, r["run"], "cpu")
    torch.manual_seed(0)
    fresh = GPT(model.cfg)
    docs = [ids for _, ids in probe.shard_documents(ws.tokens_dir, "train")]
    eot = json.loads((ws.tokens_dir / "meta.json").read_text())["eot_id"]
    res = probe.continue_docs(fresh, docs, m["prefix_tokens"], m["suffix_tokens"], eot)
    assert probe.rates(res)[0] == 0.0
    trained = probe.continue_docs(model, docs, m["prefix_tokens"], m["suffix_tokens"], eot, batch=3)
    assert probe.rates(trained)[0] == m["train_exact_rate"]  # batching does not change greedy continuations


def test_shard_documents_keep_the_boundaries(ws):
    docs = probe.shard_documents(ws.tokens_dir, "train")
    from engine.data.shards import read_meta

    meta = read_meta(ws.tokens_dir)
    assert len(docs) == meta["splits"]["train"]["docs"]
    assert sum(len(d) + 1 for _, d in docs) == meta["splits"]["train"]["tokens"]  # + each one's end-of-text
    assert all(meta["eot_id"] not in d.tolist() for _, d in docs[:50])
    assert isinstance(docs[0][1], np.ndarray) and len({i for i, _ in docs}) == len(docs)


@pytest.mark.parametrize(
    "sets, match", [({"ngram": "0"}, "ngram"), ({"sets": "sft,exam"}, "exam"), ({"threshold": "1.5"}, "threshold")]
)
def test_bad_options_are_named(ws, sets, match):
    with pytest.raises(DojoError, match=match):
        run_events(insight.run("probe", ws, insight.make_config("probe", sets={"docs": "0", **sets})))


def test_memorisation_needs_a_pretraining_run(ws):
    with pytest.raises(DojoError, match="pretrain"):
        run_events(insight.run("probe", ws, insight.make_config("probe", sets={"sets": ""})))


def test_cli_probe_json(ws, capsys, one_thread):
    from engine.train import pretrain

    run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
    rc, r = insight_cli("probe", ws, capsys, {"docs": 16})
    assert rc == 0
    m, c = r["memorisation"], r["contamination"]
    assert r["status"] == "done" and r["run"].startswith("pretrain-")
    assert m["docs"] == 16 and 0 < m["val_docs"] <= 16 and (m["prefix_tokens"], m["suffix_tokens"]) == (32, 32)
    assert 0 <= m["val_exact_rate"] <= 1 and 0 <= m["train_mean_match"] <= 32
    assert c["ngram"] == 8 and set(c["by_set"]) == {"sft", "qa", "prefs"} and len(c["flagged"]) <= 20
    assert c["items_checked"] == sum(s["items"] for s in c["by_set"].values())
    assert c["flagged_total"] == sum(s["flagged"] for s in c["by_set"].values())
    assert [f["overlap"] for f in c["flagged"]] == sorted((f["overlap"] for f in c["flagged"]), reverse=True)
    assert all(f["overlap"] >= 0.5 and f["span"] for f in c["flagged"])
