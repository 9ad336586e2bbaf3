"""Token shards on disk and the batches read from them.

`write_shards` streams documents through the tokenizer into flat binary files of token ids
(uint16 when the vocabulary fits, else uint32), one document after another, each followed
by the end-of-text token; memory stays flat however big the corpus. Each shard has a
companion array of document start offsets so a batch can name the documents it holds.

`TokenData` memory-maps them; `BatchSampler` walks a seeded permutation of windows (of the files
as they are, or of the documents in a fresh order each epoch), epoch after epoch, and its position
(epoch, cursor) is part of every checkpoint, so a resumed run reads exactly the batches the
uninterrupted one would have.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterable

import numpy as np

from engine.data.corpus import Document
from engine.errors import DojoError
from engine.io.fsutil import atomic_write_text, building_dir, check_output_dir, replace_dir

SPLITS = ("train", "val")
ENCODE_BATCH = 512  # documents per encode_batch call: bounded memory, parallel tokenization


def hash_below(key: str, fraction: float) -> bool:
    """Whether `key` hashes into the first `fraction` of the range: the held-out split of the
    fine-tuning stages (by example id, pair or thumb), the same on every machine and every run, so
    an insight can tell which examples a run held out."""
    return int(hashlib.blake2b(key.encode(), digest_size=8).hexdigest(), 16) / 2**64 < fraction


def is_val(doc_id: str, seed: int, val_fraction: float) -> bool:
    h = hashlib.blake2b(f"{seed}:{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") / 2**64 < val_fraction


class _ShardWriter:
    def __init__(self, folder: Path, split: str, dtype, shard_tokens: int):
        self.folder, self.split, self.dtype, self.shard_tokens = folder, split, dtype, shard_tokens
        self.shards: list[dict] = []
        self.tokens = self.docs = self.bytes = self.text_tokens = 0
        self._fh = self._starts = None
        self._in_shard = 0

    def _open(self):
        name = f"{self.split}_{len(self.shards):04d}"
        self._fh = open(self.folder / f"{name}.bin", "wb")
        self._starts = open(self.folder / f"{name}.starts", "wb")
        self._ids = open(self.folder / f"{name}.ids", "w", encoding="utf-8")
        self.shards.append({"name": name, "tokens": 0, "docs": 0})
        self._in_shard = 0

    def add(self, doc_id: str, ids: list[int], n_bytes: int):
        if self._fh is None or self._in_shard >= self.shard_tokens:
            self._close()
            self._open()
        shard = self.shards[-1]
        np.array([self._in_shard], dtype=np.int64).tofile(self._starts)
        self._ids.write(doc_id.replace("\n", " ") + "\n")
        np.asarray(ids, dtype=self.dtype).tofile(self._fh)
        shard["tokens"] += len(ids)
        shard["docs"] += 1
        self._in_shard += len(ids)
        self.tokens += len(ids)
        self.text_tokens += len(ids) - 1  # without the end-of-text token
        self.docs += 1
        self.bytes += n_bytes

    def _close(self):
        if self._fh is not None:
            for fh in (self._fh, self._starts, self._ids):
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
            self._fh = None

    def finish(self) -> dict:
        self._close()
        return {
            "shards": self.shards,
            "tokens": self.tokens,
            "docs": self.docs,
            "bytes": self.bytes,
            "text_tokens": self.text_tokens,
        }


def write_shards(
    docs: Iterable[Document],
    tok,
    out_dir: Path,
    eot_id: int,
    tokenizer_hash: str,
    val_fraction: float = 0.05,
    seed: int = 0,
    shard_tokens: int = 50_000_000,
    extra_meta: dict | None = None,
) -> Generator[tuple[int, int], None, dict]:
    """Tokenize `docs` into `out_dir` (replaced only once the new shards are complete).

    A generator: yields (documents, tokens) so far after every batch, returns the meta dict.
    """
    vocab = tok.get_vocab_size()
    dtype = np.uint16 if vocab <= 2**16 else np.uint32
    check_output_dir(out_dir, "tokens", legacy=lambda f: (f / "meta.json").is_file())
    tmp = building_dir(out_dir)
    try:
        return (
            yield from _write_shards(
                docs,
                tok,
                tmp,
                out_dir,
                eot_id,
                tokenizer_hash,
                val_fraction,
                seed,
                shard_tokens,
                extra_meta,
                dtype,
                vocab,
            )
        )
    except BaseException:  # a failure or a cancel (the generator closed) leaves no half-built folder
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_shards(
    docs,
    tok,
    tmp: Path,
    out_dir: Path,
    eot_id: int,
    tokenizer_hash: str,
    val_fraction: float,
    seed: int,
    shard_tokens: int,
    extra_meta: dict | None,
    dtype,
    vocab: int,
):
    writers = {s: _ShardWriter(tmp, s, dtype, shard_tokens) for s in SPLITS}

    def flush(batch: list[Document]):
        encs = tok.encode_batch([d.text for d in batch], add_special_tokens=False)
        for d, e in zip(batch, encs):
            split = "val" if is_val(d.id, seed, val_fraction) else "train"
            writers[split].add(d.id, e.ids + [eot_id], len(d.text.encode("utf-8")))

    batch: list[Document] = []
    n = 0
    for d in docs:
        batch.append(d)
        n += 1
        if len(batch) == ENCODE_BATCH:
            flush(batch)
            batch = []
            yield n, writers["train"].tokens + writers["val"].tokens
    if batch:
        flush(batch)
    meta = {
        "dtype": np.dtype(dtype).name,
        "vocab_size": vocab,
        "eot_id": eot_id,
        "tokenizer_hash": tokenizer_hash,
        "val_fraction": val_fraction,
        "seed": seed,
        "splits": {s: w.finish() for s, w in writers.items()},
        **(extra_meta or {}),
    }
    if meta["splits"]["train"]["docs"] == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DojoError("the corpus has no documents to train on")
    atomic_write_text(tmp / "meta.json", json.dumps(meta, indent=1))
    replace_dir(tmp, out_dir, "tokens")
    return meta


def read_meta(tokens_dir: Path) -> dict:
    p = tokens_dir / "meta.json"
    if not p.is_file():
        raise DojoError(f"no token shards in {tokens_dir}; run: lmdojo-cli tokenize WS")
    return json.loads(p.read_text(encoding="utf-8"))


class TokenData:
    """The token shards of one split, memory-mapped."""

    def __init__(self, tokens_dir: Path, split: str):
        self.meta = read_meta(tokens_dir)
        self.dir, self.split = tokens_dir, split
        info = self.meta["splits"][split]
        dtype = np.dtype(self.meta["dtype"])
        self.shards = [
            np.memmap(tokens_dir / f"{s['name']}.bin", dtype=dtype, mode="r") for s in info["shards"] if s["tokens"] > 0
        ]
        self.names = [s["name"] for s in info["shards"] if s["tokens"] > 0]
        self.tokens = info["tokens"]
        self.bytes_per_token = info["bytes"] / max(1, info["text_tokens"])

    def windows(self, block: int) -> np.ndarray:
        """(shard, offset) of every non-overlapping window of block+1 tokens (inputs + next token)."""
        out = [
            np.stack([np.full(n, i), np.arange(n) * block], axis=1)
            for i, s in enumerate(self.shards)
            if (n := (len(s) - 1) // block) > 0
        ]
        return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)

    def window(self, shard: int, offset: int, block: int) -> np.ndarray:
        return np.asarray(self.shards[shard][offset : offset + block + 1], dtype=np.int64)

    def documents(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(shard, start, length) of every document, each with its end-of-text token, in file order."""
        shard_of, starts, lengths = [], [], []
        for i, (name, s) in enumerate(zip(self.names, self.shards)):
            st = np.fromfile(self.dir / f"{name}.starts", dtype=np.int64)
            shard_of.append(np.full(len(st), i, dtype=np.int32))
            starts.append(st)
            lengths.append(np.diff(st, append=len(s)))
        if not starts:
            return (np.zeros(0, np.int32),) + (np.zeros(0, np.int64),) * 2
        return np.concatenate(shard_of), np.concatenate(starts), np.concatenate(lengths)

    def doc_ids(self, shard: int, offset: int, block: int) -> list[str]:
        """Ids of the documents that a window overlaps (recorded when a batch is skipped)."""
        name = self.names[shard]
        starts = np.fromfile(self.dir / f"{name}.starts", dtype=np.int64)
        first = max(0, int(np.searchsorted(starts, offset, side="right")) - 1)
        last = int(np.searchsorted(starts, offset + block, side="right"))
        with open(self.dir / f"{name}.ids", encoding="utf-8") as fh:
            ids = [line.rstrip("\n") for i, line in enumerate(fh) if first <= i < last]
        return ids


@dataclass
class SamplerState:
    epoch: int = 0
    cursor: int = 0  # windows already taken in this epoch


class EpochOrder:
    """A seeded permutation of n items, a new one every epoch; where it stands is a SamplerState
    (saved in checkpoints), so a resumed run takes exactly the items the uninterrupted one would.

    With `lengths` and `batch`, the order is length-bucketed: each run of BUCKET_BATCHES batches of
    the permutation is sorted by length and cut into batches, and the batches are shuffled, so a
    batch holds items of similar length (little padding) while every epoch still sees each item
    at most once in a fresh order. An epoch then drops its last n % batch items (different ones
    each epoch) so that batches never straddle an epoch boundary."""

    def __init__(
        self, n: int, seed: int, state: SamplerState | None = None, lengths: np.ndarray | None = None, batch: int = 0
    ):
        self.n, self.seed = n, seed
        self.state = state or SamplerState()
        self.lengths = None if lengths is None else np.asarray(lengths)
        self.batch = batch if (self.lengths is not None and 1 < batch <= n) else 0
        self._perm_epoch, self._perm = -1, None

    def _order(self) -> np.ndarray:
        if self._perm_epoch != self.state.epoch:
            rng = np.random.default_rng([self.seed, self.state.epoch])
            perm = rng.permutation(self.n)
            if self.batch:
                perm = _bucketed(perm, self.lengths, self.batch, rng)
            self._perm, self._perm_epoch = perm, self.state.epoch
        return self._perm

    def take(self, k: int) -> np.ndarray:
        """Indices of the next k items, crossing into the next epoch when this one runs out."""
        out = []
        while len(out) < k:
            order = self._order()
            if self.state.cursor >= len(order):
                self.state.epoch += 1
                self.state.cursor = 0
                order = self._order()
            step = min(k - len(out), len(order) - self.state.cursor)
            out.extend(order[self.state.cursor : self.state.cursor + step])
            self.state.cursor += step
        return np.asarray(out, dtype=np.int64)


BUCKET_BATCHES = 16  # batches sorted together: wider buckets pad less but mix lengths less randomly


def _bucketed(perm: np.ndarray, lengths: np.ndarray, batch: int, rng) -> np.ndarray:
    perm = perm[: len(perm) // batch * batch]
    span = batch * BUCKET_BATCHES
    sorted_runs = [run[np.argsort(lengths[run], kind="stable")] for run in np.split(perm, range(span, len(perm), span))]
    batches = np.concatenate(sorted_runs).reshape(-1, batch)
    return batches[rng.permutation(len(batches))].reshape(-1)


class BatchSampler:
    """Seeded, resumable order of windows of block + 1 tokens: a new permutation every epoch.

    With `shuffle_docs`, every epoch also puts the documents in a fresh seeded order before cutting
    the windows, so a document's neighbours and the places where windows cut it change from epoch
    to epoch: the model cannot learn the corpus as one long memorised text (a fact then follows
    from the words around it in this document, not from the text that happened to precede it).
    A row is then (epoch, offset in that epoch's order); without it, (shard, offset) of a fixed
    window of the files."""

    def __init__(
        self, data: TokenData, block: int, seed: int, state: SamplerState | None = None, shuffle_docs: bool = False
    ):
        self.data, self.block, self.seed, self.shuffle_docs = data, block, seed, shuffle_docs
        if shuffle_docs:
            self.doc_shard, self.doc_start, self.doc_len = data.documents()
            n = max(0, (int(self.doc_len.sum()) - 1) // block)
            self.windows = np.stack([np.zeros(n, dtype=np.int64), np.arange(n) * block], axis=1)
            self._layouts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        else:
            self.windows = data.windows(block)
        if len(self.windows) == 0:
            raise DojoError(
                f"the {data.split} split is too small: need at least {block + 1} tokens "
                f"for block_size={block}, got {data.tokens}"
            )
        self.order = EpochOrder(len(self.windows), seed, state)

    @property
    def state(self) -> SamplerState:
        return self.order.state

    @state.setter
    def state(self, value: SamplerState):
        self.order.state = value

    def next(self, batch: int) -> np.ndarray:
        """Rows for the next `batch` sequences; advances the position."""
        if not self.shuffle_docs:
            return self.windows[self.order.take(batch)]
        rows = []
        while len(rows) < batch:  # one epoch at a time: a row names the epoch whose order it reads
            if self.order.state.cursor >= len(self.windows):
                self.order.state = SamplerState(self.order.state.epoch + 1, 0)
            epoch = self.order.state.epoch
            k = min(batch - len(rows), len(self.windows) - self.order.state.cursor)
            rows += [(epoch, int(i) * self.block) for i in self.order.take(k)]
        return np.asarray(rows, dtype=np.int64)

    def _layout(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """That epoch's document order and where each document starts in it."""
        if epoch not in self._layouts:
            perm = np.random.default_rng([self.seed, epoch, 1]).permutation(len(self.doc_len))
            ends = np.cumsum(self.doc_len[perm])
            self._layouts = {e: v for e, v in self._layouts.items() if e >= epoch - 1}  # rows in flight
            self._layouts[epoch] = (perm, ends - self.doc_len[perm])
        return self._layouts[epoch]

    def _docs_in(self, epoch: int, offset: int, length: int):
        """(document index, first token, last token + 1) of the documents a stretch overlaps."""
        perm, starts = self._layout(epoch)
        i = int(np.searchsorted(starts, offset, side="right")) - 1
        pos = offset
        while pos < offset + length and i < len(perm):
            d = perm[i]
            lo = pos - int(starts[i])
            hi = min(int(self.doc_len[d]), lo + offset + length - pos)
            yield int(d), lo, hi
            pos += hi - lo
            i += 1

    def window(self, row) -> np.ndarray:
        """The block + 1 tokens of one row."""
        a, o = int(row[0]), int(row[1])
        if not self.shuffle_docs:
            return self.data.window(a, o, self.block)
        parts = [
            np.asarray(
                self.data.shards[self.doc_shard[d]][self.doc_start[d] + lo : self.doc_start[d] + hi], dtype=np.int64
            )
            for d, lo, hi in self._docs_in(a, o, self.block + 1)
        ]
        return np.concatenate(parts)

    def tensors(self, rows: np.ndarray):
        """Inputs and targets (B, block) as int64 numpy arrays."""
        seqs = np.stack([self.window(r) for r in rows])
        return seqs[:, :-1], seqs[:, 1:]

    def doc_ids(self, rows: np.ndarray) -> list[str]:
        ids: list[str] = []
        for s, o in rows:
            if self.shuffle_docs:
                found = [self._doc_id(d) for d, _, _ in self._docs_in(int(s), int(o), self.block)]
            else:
                found = self.data.doc_ids(int(s), int(o), self.block)
            for d in found:
                if d not in ids:
                    ids.append(d)
        return ids

    def _doc_id(self, d: int) -> str:
        shard = int(self.doc_shard[d])
        index = d - int(np.searchsorted(self.doc_shard, shard))  # the document's line in its shard's .ids
        with open(self.data.dir / f"{self.data.names[shard]}.ids", encoding="utf-8") as fh:
            return next(line.rstrip("\n") for i, line in enumerate(fh) if i == index)


def eval_rows(data: TokenData, block: int, n: int) -> np.ndarray:
    """A fixed set of up to n validation windows spread evenly over the split."""
    windows = data.windows(block)
    if len(windows) == 0:
        raise DojoError(
            f"the validation split is too small: need at least {block + 1} tokens for "
            f"block_size={block}, got {data.tokens}; raise val_fraction or add data"
        )
    idx = np.unique(np.linspace(0, len(windows) - 1, num=min(n, len(windows))).astype(np.int64))
    return windows[idx]
