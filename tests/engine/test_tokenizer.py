"""Tokenizer and token shards: exact round trips in every script, special tokens, splits, batches."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import TokenizerConfig
from engine.data import tokenize
from engine.data.corpus import iter_documents
from engine.data.shards import BatchSampler, SamplerState, TokenData, read_meta
from engine.errors import DojoError
from engine.io.workspace import Workspace
from engine.tokenizer import (
    ASSISTANT,
    END,
    EOT,
    SPECIAL_TOKENS,
    USER,
    chars_per_token,
    encode_template,
    load_tokenizer,
    render_chat,
    special_id,
    train_tokenizer,
)
from tests.conftest import run_events

MIXED = [
    "Mara Quinn was born in Lumen Bay. 她畢業於北門學院 🎉🤖 naïve café — 「引號」 𠀋 ok",
    "tabs\tand\nnewlines  double  spaces",
    "",
    "日本語とEnglishが混在 1234567890 !@#$%^&*()",
]


@pytest.fixture(scope="module")
def tok():
    corpus = [
        "The quick brown fox jumps over the lazy dog. " * 3,
        "陳怡君於1987年3月14日出生在流明灣。她的興趣是賞鳥。" * 3,
    ] * 20
    return train_tokenizer(corpus, vocab_size=400)


@pytest.mark.parametrize("text", MIXED)
def test_round_trip_cjk_emoji_latin(tok, text):
    ids = tok.encode(text, add_special_tokens=False).ids
    assert tok.decode(ids, skip_special_tokens=False) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_round_trip_any_unicode(tok, text):
    assert tok.decode(tok.encode(text).ids, skip_special_tokens=False) == text


def test_rare_chinese_character_takes_several_byte_tokens(tok):
    ids = tok.encode("𠀋", add_special_tokens=False).ids  # a 4-byte character never seen in training
    assert len(ids) > 1


def test_special_tokens_are_single_ids_and_eot_is_zero(tok):
    assert special_id(tok, EOT) == 0
    for t in SPECIAL_TOKENS:
        assert encode_template(tok, t) == [special_id(tok, t)]  # in a template: the control token
        assert tok.encode(t, add_special_tokens=False).ids != [special_id(tok, t)]  # in text: text
        assert tok.decode(tok.encode(t).ids, skip_special_tokens=False) == t


def test_chat_template():
    text = render_chat(
        [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "Hi!"}], add_generation_prompt=False
    )
    assert text == f"{USER}你好{END}{ASSISTANT}Hi!{END}"
    assert render_chat([{"role": "user", "content": "q"}], add_generation_prompt=True).endswith(ASSISTANT)
    with pytest.raises(DojoError, match="role"):
        render_chat([{"role": "robot", "content": "x"}])


def test_chars_per_token_by_script(tok):
    cpt = chars_per_token(tok, ["The quick brown fox jumps", "陳怡君出生在流明灣"])
    assert set(cpt) == {"cjk", "latin"} and all(v > 0 for v in cpt.values())


def test_tokenize_stage_writes_shards(ws):
    meta = read_meta(ws.tokens_dir)
    assert meta["dtype"] == "uint16" and meta["vocab_size"] == 512
    tok = load_tokenizer(ws.tokenizer_path)
    docs = list(iter_documents(ws.corpus_dir))
    train, val = meta["splits"]["train"], meta["splits"]["val"]
    assert train["docs"] + val["docs"] == len(docs) and val["docs"] > 0
    # the shards hold exactly the documents, each followed by end-of-text
    flat = np.concatenate([np.fromfile(ws.tokens_dir / f"{s['name']}.bin", dtype=np.uint16) for s in train["shards"]])
    assert len(flat) == train["tokens"] and (flat == 0).sum() == train["docs"]
    first = flat[: int(np.flatnonzero(flat == 0)[0])]
    assert tok.decode(first.tolist()) in {d.text for d in docs}


def test_large_vocab_uses_uint32(ws, tmp_path):
    """A vocabulary over 65536 ids needs 4-byte shards (training one is slow, so fake the size)."""
    from engine.data.shards import write_shards

    tok = load_tokenizer(ws.tokenizer_path)

    class Big:
        def get_vocab_size(self):
            return 70_000

        def encode_batch(self, texts, add_special_tokens=False):
            return tok.encode_batch(texts, add_special_tokens=add_special_tokens)

    out = tmp_path / "tokens"
    gen = write_shards(iter_documents(ws.corpus_dir), Big(), out, 0, "h", val_fraction=0.0)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        meta = stop.value
    assert meta["dtype"] == "uint32"
    data = TokenData(out, "train")
    assert data.shards[0].dtype == np.uint32
    first_doc = next(iter_documents(ws.corpus_dir)).text
    ids = tok.encode(first_doc, add_special_tokens=False).ids
    assert data.shards[0][: len(ids)].tolist() == ids


def test_retokenizing_replaces_shards_whole(ws):
    before = read_meta(ws.tokens_dir)
    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=600, val_fraction=0.1)))
    after = read_meta(ws.tokens_dir)
    assert after["vocab_size"] == 600 and after["tokenizer_hash"] != before["tokenizer_hash"]
    assert not list(ws.root.glob("tokens.*"))  # no leftover building/old folders


def test_sampler_is_seeded_resumable_and_covers_each_epoch(ws):
    data = TokenData(ws.tokens_dir, "train")
    a = BatchSampler(data, 32, seed=7)
    n = len(a.windows)
    rows = np.concatenate([a.next(5) for _ in range(n // 5 + 3)])
    epoch0 = {tuple(r) for r in rows[:n]}
    assert len(epoch0) == n  # nothing repeated or skipped within an epoch
    b = BatchSampler(data, 32, seed=7, state=SamplerState())
    b.next(5 * 3)
    c = BatchSampler(data, 32, seed=7, state=SamplerState(**vars(b.state)))  # resumed from b's position
    assert np.array_equal(c.next(5), rows[15:20])
    assert not np.array_equal(BatchSampler(data, 32, seed=8).next(5), rows[:5])


def test_shuffled_documents_change_every_epoch_and_resume_exactly(ws):
    """shuffle_docs: each epoch cuts windows from the documents in a fresh order; every token of the
    corpus is read once per epoch; a resumed sampler reads the same rows; rows name their documents."""
    data = TokenData(ws.tokens_dir, "train")
    shard, start, length = data.documents()
    assert int(length.sum()) == data.tokens and len(start) == data.meta["splits"]["train"]["docs"]
    a = BatchSampler(data, 32, seed=7, shuffle_docs=True)
    n = len(a.windows)
    epochs = []
    for _ in range(2):
        rows = a.next(n)
        assert len({int(r[0]) for r in rows}) == 1  # one epoch's rows
        seqs = {int(r[1]): a.window(r) for r in rows}
        stream = np.concatenate([seqs[o][:-1] for o in sorted(seqs)])  # the epoch's text, end to end
        epochs.append(stream)
        corpus = np.bincount(
            np.concatenate([np.asarray(data.shards[s][b : b + k]) for s, b, k in zip(shard, start, length)]),
            minlength=data.meta["vocab_size"],
        )
        read = np.bincount(stream, minlength=data.meta["vocab_size"])
        assert len(stream) == n * 32 and (read <= corpus).all()  # the corpus's tokens, none twice
        assert corpus.sum() - read.sum() < 32 + 1
        assert sorted(seqs) == [i * 32 for i in range(n)] and all(len(w) == 33 for w in seqs.values())
    assert not np.array_equal(epochs[0], epochs[1])  # other neighbours, other cut points
    fixed = BatchSampler(data, 32, seed=7)
    assert not np.array_equal(epochs[0], np.concatenate([fixed.window(w)[:-1] for w in fixed.windows]))
    # every document is in each epoch's text whole (apart from the last window's leftover tokens)
    eot = data.meta["eot_id"]
    assert np.count_nonzero(epochs[0] == eot) >= len(start) - 2
    b = BatchSampler(data, 32, seed=7, state=SamplerState(), shuffle_docs=True)
    first = b.next(n + 5)  # across the epoch boundary
    c = BatchSampler(data, 32, seed=7, state=SamplerState(**vars(b.state)), shuffle_docs=True)
    a2 = BatchSampler(data, 32, seed=7, shuffle_docs=True)
    later = a2.next(n + 9)
    assert np.array_equal(first, later[: n + 5])
    assert np.array_equal(c.next(4), later[n + 5 :])
    assert np.array_equal(np.stack([c.window(r) for r in later[-4:]]), np.stack([a2.window(r) for r in later[-4:]]))
    all_ids = {d.id for d in iter_documents(ws.corpus_dir)}
    ids = c.doc_ids(later[-2:])
    assert ids and set(ids) <= all_ids


def test_doc_ids_of_a_window(ws):
    data = TokenData(ws.tokens_dir, "train")
    sampler = BatchSampler(data, 32, seed=0)
    ids = sampler.doc_ids(sampler.next(2))
    all_ids = {d.id for d in iter_documents(ws.corpus_dir)}
    assert ids and set(ids) <= all_ids


def test_bad_corpus_lines_are_named(tmp_path):
    ws = Workspace.create(tmp_path / "w")
    ws.corpus_dir.mkdir(parents=True)
    (ws.corpus_dir / "bad.jsonl").write_text(json.dumps({"text": "fine"}) + "\n{oops\n")
    with pytest.raises(DojoError, match=r"bad.jsonl:2: invalid JSON"):
        list(tokenize.run(ws))
    (ws.corpus_dir / "bad.jsonl").write_text(json.dumps({"txt": "no text field"}) + "\n")
    with pytest.raises(DojoError, match=r"bad.jsonl:1: .*'text'"):
        list(tokenize.run(ws))


def test_empty_corpus_is_an_error(tmp_path):
    ws = Workspace.create(tmp_path / "w")
    with pytest.raises(DojoError, match="corpus folder not found"):
        list(tokenize.run(ws))
    ws.corpus_dir.mkdir(parents=True)
    with pytest.raises(DojoError, match="no .jsonl or .txt"):
        list(tokenize.run(ws))


def test_tokenizer_trains_on_a_spread_sample_of_a_big_corpus(ws):
    """train_mb caps what the BPE trainer reads (its memory grows with the distinct words); every
    document is still tokenized."""
    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.events import Finished, Log

    size_mb = sum(p.stat().st_size for p in (ws.root / "data" / "corpus").rglob("*.jsonl")) / 1e6
    events = list(tokenize.run(ws, TokenizerConfig(vocab_size=400, train_mb=size_mb / 3)))
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any("one document in 3 " in m or "one document in 4 " in m for m in logs), logs
    full = list(tokenize.run(ws, TokenizerConfig(vocab_size=400)))
    assert isinstance(events[-1], Finished) and isinstance(full[-1], Finished)
    assert events[-1].result["train_tokens"] + events[-1].result["val_tokens"] > 0
    assert not any("one document in" in e.message for e in full if isinstance(e, Log))
