"""The tokenizer stage: train byte-level BPE on the workspace corpus, then write token shards.

for event in tokenize.run(ws, cfg): ...
"""

from __future__ import annotations

import itertools
import json
import math
import time
from typing import Iterator

from engine.config import TokenizerConfig
from engine.data.corpus import corpus_files, iter_documents
from engine.data.shards import write_shards
from engine.errors import DojoError
from engine.events import Control, Finished, Log, Progress
from engine.io.fsutil import atomic_write_text
from engine.io.workspace import Workspace
from engine.tokenizer import (
    EOT,
    archive_text,
    archived_tokenizer,
    chars_per_token,
    save_tokenizer,
    special_id,
    tokenizer_hash,
    train_tokenizer,
)

CPT_SAMPLE_DOCS = 2000  # documents used to measure chars per token


def runs_with_tokenizer(ws: Workspace, tok_hash: str) -> list[str]:
    """Ids of the runs whose newest checkpoint was trained with the tokenizer `tok_hash`."""
    from engine import checkpoint as ckpt

    out = []
    if ws.runs_dir.is_dir():
        for run in sorted(p for p in ws.runs_dir.iterdir() if p.is_dir()):
            found = ckpt.list_checkpoints(run / "checkpoints")
            if found and ckpt.read_meta(found[-1]).get("tokenizer_hash") == tok_hash:
                out.append(run.name)
    return out


def _finish_half_done(ws: Workspace) -> None:
    """A tokenize killed between writing the shards and the tokenizer: the shards name a tokenizer
    that is in the archive; put it in place, so the two agree again."""
    meta = ws.tokens_dir / "meta.json"
    if not (meta.is_file() and ws.tokenizer_path.is_file()):
        return
    wanted = json.loads(meta.read_text(encoding="utf-8")).get("tokenizer_hash")
    kept = archived_tokenizer(ws.tokenizer_path, wanted) if wanted else None
    if wanted and wanted != tokenizer_hash(ws.tokenizer_path) and kept.is_file():
        atomic_write_text(ws.tokenizer_path, kept.read_text(encoding="utf-8"))


def run(
    ws: Workspace, cfg: TokenizerConfig | None = None, control: Control | None = None, force: bool = False
) -> Iterator:
    """Train the tokenizer and write the shards with it. Nothing changes until both are complete:
    the shards are replaced first, then the tokenizer (a kill between the two is finished by the
    next run). Every tokenizer the workspace has had stays in tokenizer/by-hash/. Replacing a
    tokenizer that runs were trained with needs `force`."""
    cfg = cfg or TokenizerConfig()
    control = control or Control()
    t0 = time.perf_counter()
    ws.require_writable("tokenizing")
    _finish_half_done(ws)
    if ws.tokenizer_path.is_file() and not force:
        users = runs_with_tokenizer(ws, tokenizer_hash(ws.tokenizer_path))
        if users:
            raise DojoError(
                f"{len(users)} run(s) were trained with the current tokenizer ({', '.join(users[:3])}"
                f"{', …' if len(users) > 3 else ''}); a new one means new runs cannot start from them "
                "(they keep answering with theirs, kept in tokenizer/by-hash/). Replace it anyway with "
                "--force (in the app: confirm)"
            )
    folder = ws.training_corpus()
    next(iter_documents(folder))  # fail now, with the file named, if the corpus is missing or empty
    yield Log(f"training a byte-level BPE tokenizer ({cfg.vocab_size} tokens) on {folder}")
    total = sum(p.stat().st_size for p in corpus_files(folder))
    stride = max(1, math.ceil(total / (cfg.train_mb * 1e6)))
    if stride > 1:
        yield Log(
            f"the corpus is {total / 1e6:,.0f} MB: the tokenizer trains on one document in {stride} "
            f"(about {total / stride / 1e6:,.0f} MB; train_mb = {cfg.train_mb:g})"
        )
    texts = (d.text for i, d in enumerate(iter_documents(folder)) if i % stride == 0)
    tok = train_tokenizer(texts, cfg.vocab_size, cfg.min_frequency)
    got = tok.get_vocab_size()
    if got < cfg.vocab_size:
        yield Log(
            f"the corpus supports {got} tokens, not the {cfg.vocab_size} asked for: no pair of pieces occurs "
            f"{cfg.min_frequency} times or more beyond those (a bigger corpus, or a lower min_frequency, "
            "gives more)",
            "warning",
        )
    text = tok.to_str(pretty=True)
    if control.cancelled:
        yield Finished("cancelled", {"tokenizer": str(ws.tokenizer_path)})
        return
    sample = [d.text for d in itertools.islice(iter_documents(folder), CPT_SAMPLE_DOCS)]
    cpt = chars_per_token(tok, sample)
    yield Log("chars per token: " + ", ".join(f"{k} {v}" for k, v in cpt.items()))

    yield Log(f"writing token shards to {ws.tokens_dir}")
    if ws.tokenizer_path.is_file():  # the one being replaced stays loadable by the runs made with it
        archive_text(ws.tokenizer_path, ws.tokenizer_path.read_text(encoding="utf-8"))
    tok_hash = archive_text(ws.tokenizer_path, text)
    writer = write_shards(
        iter_documents(folder),
        tok,
        ws.tokens_dir,
        special_id(tok, EOT),
        tok_hash,
        cfg.val_fraction,
        cfg.seed,
        cfg.shard_tokens,
        {"chars_per_token": cpt},
    )
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
    save_tokenizer(tok, ws.tokenizer_path)  # last: the shards already name it
    splits = meta["splits"]
    yield Finished(
        "done",
        {
            "tokenizer": str(ws.tokenizer_path),
            "tokenizer_hash": tok_hash,
            "vocab_size": got,
            "vocab_size_requested": cfg.vocab_size,
            "chars_per_token": cpt,
            "dtype": meta["dtype"],
            "train_tokens": splits["train"]["tokens"],
            "val_tokens": splits["val"]["tokens"],
            "train_docs": splits["train"]["docs"],
            "val_docs": splits["val"]["docs"],
            "seconds": round(time.perf_counter() - t0, 2),
        },
    )
