"""The tokenizer stage: train byte-level BPE on the workspace corpus, then write token shards.

    for event in tokenize.run(ws, cfg): ...
"""
from __future__ import annotations

import itertools
import math
import time
from typing import Iterator

from engine.config import TokenizerConfig
from engine.data.corpus import corpus_files, iter_documents
from engine.data.shards import write_shards
from engine.events import Control, Finished, Log, Progress
from engine.tokenizer import EOT, chars_per_token, save_tokenizer, special_id, train_tokenizer
from engine.workspace import Workspace

CPT_SAMPLE_DOCS = 2000  # documents used to measure chars per token


def run(ws: Workspace, cfg: TokenizerConfig | None = None, control: Control | None = None) -> Iterator:
    cfg = cfg or TokenizerConfig()
    control = control or Control()
    t0 = time.perf_counter()
    folder = ws.training_corpus()
    next(iter_documents(folder))  # fail now, with the file named, if the corpus is missing or empty
    yield Log(f"training a byte-level BPE tokenizer ({cfg.vocab_size} tokens) on {folder}")
    total = sum(p.stat().st_size for p in corpus_files(folder))
    stride = max(1, math.ceil(total / (cfg.train_mb * 1e6)))
    if stride > 1:
        yield Log(f"the corpus is {total / 1e6:,.0f} MB: the tokenizer trains on one document in {stride} "
                  f"(about {total / stride / 1e6:,.0f} MB; train_mb = {cfg.train_mb:g})")
    texts = (d.text for i, d in enumerate(iter_documents(folder)) if i % stride == 0)
    tok = train_tokenizer(texts, cfg.vocab_size, cfg.min_frequency)
    tok_hash = save_tokenizer(tok, ws.tokenizer_path)
    if control.cancelled:
        yield Finished("cancelled", {"tokenizer": str(ws.tokenizer_path)})
        return
    sample = [d.text for d in itertools.islice(iter_documents(folder), CPT_SAMPLE_DOCS)]
    cpt = chars_per_token(tok, sample)
    yield Log("chars per token: " + ", ".join(f"{k} {v}" for k, v in cpt.items()))

    yield Log(f"writing token shards to {ws.tokens_dir}")
    writer = write_shards(iter_documents(folder), tok, ws.tokens_dir, special_id(tok, EOT), tok_hash,
                          cfg.val_fraction, cfg.seed, cfg.shard_tokens, {"chars_per_token": cpt})
    while True:
        try:
            docs, tokens = next(writer)
        except StopIteration as stop:
            meta = stop.value
            break
        if control.cancelled:
            writer.close()
            yield Finished("cancelled", {"tokenizer": str(ws.tokenizer_path)})
            return
        el = time.perf_counter() - t0
        yield Progress(docs, None, tokens, tokens / max(el, 1e-9), el, None, unit="docs")
    splits = meta["splits"]
    yield Finished("done", {
        "tokenizer": str(ws.tokenizer_path), "tokenizer_hash": tok_hash, "vocab_size": tok.get_vocab_size(),
        "chars_per_token": cpt, "dtype": meta["dtype"],
        "train_tokens": splits["train"]["tokens"], "val_tokens": splits["val"]["tokens"],
        "train_docs": splits["train"]["docs"], "val_docs": splits["val"]["docs"],
        "seconds": round(time.perf_counter() - t0, 2),
    })
