"""Deduplication steps: exact (hash of the normalised text) and near (MinHash + LSH).

`ExactDedup` drops a document whose text, with whitespace collapsed and casefolded, was seen
before; it remembers one 64-bit digest (the first half of a 16-byte blake2b) per distinct text, in
sorted numpy runs plus a small set of recent ones: ~8 bytes per document.

`NearDedup` drops a document whose set of character shingles (of the lowercased,
whitespace-collapsed text; no word splitting, so Chinese works as is) has an estimated Jaccard
similarity >= `threshold` with a document kept earlier. A shingle is `shingle` columns wide, a
CJK character counting two columns (see `shingle_hashes`): the default 3 means 3 Latin
characters or 2 Chinese ones, which on the demo world keeps templated biographies of different
people apart while catching copies with a few percent of their characters edited.

Signatures are datasketch MinHashes (scheme "affine32": murmur3's finaliser, then
`a*h + b mod 2^32` per permutation), bit-identical to `MinHash(num_perm, seed).update_batch`,
but the shingle hashing and the permutations run in numpy over a whole document at once
(on demo-like text: signatures ~6x, the whole step ~3.5x faster than SHA-1 per shingle
through update_batch).
Candidates come from an LSH index banded as datasketch's `MinHashLSH` would be (`BandIndex`:
each band's rows folded into one 64-bit hash, kept in sorted numpy arrays), so the banding only
decides who is compared: each candidate is then checked on its signature. The signatures and ids
of kept documents go to anonymous temporary files (read back only for the few candidates and for
the report), so memory grows by ~12 bytes per band per kept document (~150 bytes with the default
banding), not by the ~4.5 KB that MinHashLSH and Python lists took.

Both steps are deterministic: the same documents in the same order give the same decisions
(in any process), and the first document of a duplicate group is the one kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from datasketch import LeanMinHash, MinHash
from datasketch.lsh import _optimal_param

from engine.config import knob, validate_fields
from engine.data.steps import Doc, Step

MAX_CLUSTERS_REPORTED = 200
SCHEME = "affine32"
LSH_WEIGHTS = (0.05, 0.95)  # (false positive, false negative) weights of the LSH banding


def _normalise(text: str) -> str:
    return " ".join(text.split())


RECENT_CAP = 1 << 17  # entries kept in a Python set/dict before they are merged into the sorted arrays
SIG_BLOCK = 4096  # signatures of the latest kept documents kept in memory before they go to disk


def _merge_sorted(main: np.ndarray, new: np.ndarray, *payload: tuple[np.ndarray, np.ndarray]):
    """Merge the sorted array `new` into the sorted array `main` in linear time (entries of `new`
    go after equal entries of `main`); each (main_x, new_x) in `payload` is carried along.
    Returns the merged array, then the merged payload arrays."""
    pos = np.searchsorted(main, new, side="right") + np.arange(new.size)
    keep = np.ones(main.size + new.size, dtype=bool)
    keep[pos] = False
    out = []
    for old, add in ((main, new), *payload):
        merged = np.empty(old.size + add.size, dtype=old.dtype)
        merged[pos] = add
        merged[keep] = old
        out.append(merged)
    return out


class _SortedRuns:
    """Sorted numpy runs of uint64 values (each with an optional uint32 key), newest last, each
    run at least twice the size of the next newer one, as in an LSM tree: a new run merges with
    the newer end while that keeps the doubling, so every entry is merged O(log n) times in all
    and a lookup searches O(log n) runs."""

    def __init__(self):
        self.runs: list[tuple[np.ndarray, np.ndarray | None]] = []

    def add(self, values: np.ndarray, keys: np.ndarray | None = None):
        """Add sorted `values` (with `keys` in the same order), all newer than what is here:
        among equal values, entries stay in the order they were added."""
        self.runs.append((values, keys))
        while len(self.runs) > 1 and self.runs[-2][0].size <= 2 * self.runs[-1][0].size:
            (v1, k1), (v2, k2) = self.runs[-2], self.runs[-1]
            if k1 is None:
                (v,), k = _merge_sorted(v1, v2), None
            else:
                v, k = _merge_sorted(v1, v2, (k1, k2))
            self.runs[-2:] = [(v, k)]

    def contains(self, value: int) -> bool:
        q = np.uint64(value)
        for v, _ in self.runs:
            i = int(np.searchsorted(v, q))
            if i < v.size and v[i] == q:
                return True
        return False

    def keys_of(self, values: np.ndarray) -> list[int]:
        """The keys of every entry equal to one of `values`."""
        found: list[int] = []
        for v, k in self.runs:
            lo = np.searchsorted(v, values, side="left")
            hit = v[np.minimum(lo, v.size - 1)] == values
            if hit.any():
                hi = np.searchsorted(v, values[hit], side="right")
                for a, z in zip(lo[hit].tolist(), hi.tolist()):
                    found.extend(k[a:z].tolist())
        return found

    def __len__(self) -> int:
        return sum(v.size for v, _ in self.runs)

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes + (0 if k is None else k.nbytes) for v, k in self.runs)


class _TempFile:
    """An anonymous temporary file in the system temp dir: removed when closed, when garbage
    collected, or at once where the system allows (O_TMPFILE / unlinked on Linux), so nothing is
    left behind even after a crash. Appends at the end; reads at any offset."""

    def __init__(self, suffix: str):
        self.fh = tempfile.TemporaryFile(prefix="lmdojo-dedup-", suffix=suffix, buffering=0)
        self.size = 0

    def append(self, data: bytes) -> int:
        """Write `data` at the end; returns its offset."""
        off = self.size
        if hasattr(os, "pwrite"):
            view = memoryview(data)
            while view:
                view = view[os.pwrite(self.fh.fileno(), view, off + len(data) - len(view)) :]
        else:
            self.fh.seek(off)
            self.fh.write(data)
        self.size += len(data)
        return off

    def read(self, n: int, off: int) -> bytes:
        if hasattr(os, "pread"):
            return os.pread(self.fh.fileno(), n, off)
        self.fh.seek(off)
        return self.fh.read(n)

    def lines(self, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The file's lines (b"\n"-separated), from the start."""
        off, rest = 0, b""
        while off < self.size:
            data = self.read(min(chunk, self.size - off), off)
            off += len(data)
            parts = (rest + data).split(b"\n")
            rest = parts.pop()
            yield from parts
        if rest:
            yield rest

    def close(self):
        self.fh.close()


class _LineLog:
    """Lines of text appended to a temporary file through a small buffer (ids of documents)."""

    def __init__(self, suffix: str, flush_bytes: int = 1 << 16):
        self.file = _TempFile(suffix)
        self._buf: list[str] = []
        self._n = 0
        self._flush_bytes = flush_bytes

    def append(self, text: str):
        line = json.dumps(text, ensure_ascii=False) + "\n"  # one line whatever the id holds
        self._buf.append(line)
        self._n += len(line)
        if self._n >= self._flush_bytes:
            self.flush()

    def flush(self):
        if self._buf:
            self.file.append("".join(self._buf).encode("utf-8", "surrogatepass"))
            self._buf, self._n = [], 0

    def __iter__(self) -> Iterator[str]:
        self.flush()
        for line in self.file.lines():
            yield json.loads(line.decode("utf-8", "surrogatepass"))

    def close(self):
        self.file.close()


# --------------------------------------------------------------------------- exact


@dataclass
class ExactDedupConfig:
    enabled: bool = knob(True, "Drop documents whose text repeats an earlier one, ignoring case and spacing.")


class ExactDedup(Step):
    name = "exact_dedup"

    def __init__(self, cfg: ExactDedupConfig | None = None):
        self.cfg = cfg or ExactDedupConfig()
        self._sorted = _SortedRuns()  # 64-bit digests seen
        self._recent: set[int] = set()  # the latest ones, not yet in a run

    @staticmethod
    def digest(text: str) -> bytes:
        key = _normalise(text).casefold().encode("utf-8", "surrogatepass")
        return hashlib.blake2b(key, digest_size=16).digest()

    def _seen(self, d: int) -> bool:
        return d in self._recent or self._sorted.contains(d)

    def apply(self, doc: Doc) -> str | None:
        d = int.from_bytes(self.digest(doc.text)[:8], "little")
        if self._seen(d):
            return "exact_duplicate"
        self._recent.add(d)
        if len(self._recent) >= RECENT_CAP:
            new = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            new.sort()
            self._sorted.add(new)
            self._recent.clear()
        return None

    def close(self) -> dict:
        return {"distinct": len(self._sorted) + len(self._recent)}


# --------------------------------------------------------------------------- near


@dataclass
class NearDedupConfig:
    enabled: bool = knob(True, "Drop documents that are near copies of an earlier one (MinHash + LSH).")
    threshold: float = knob(
        0.8,
        "Estimated Jaccard similarity of the shingle sets at which a document counts as a near copy.",
        min=0.05,
        max=1.0,
    )
    num_perm: int = knob(
        128, "MinHash permutations: more estimate similarity more precisely, slower.", min=16, max=1024
    )
    shingle: int = knob(
        3,
        "Shingle width in columns: 3 Latin characters or 2 Chinese ones (a CJK character is two columns).",
        min=1,
        max=32,
    )
    seed: int = knob(1, "Seed of the MinHash permutations.")

    def validate(self) -> None:
        validate_fields(self)


_U32 = np.uint32
_U64 = np.uint64
_MULT = _U64(0x100000001B3)  # FNV-1a 64-bit prime: per-character multiplier of the rolling hash
_OFFSET = _U64(0xCBF29CE484222325)  # FNV offset basis


def _fmix32(h: np.ndarray) -> np.ndarray:
    """murmur3's 32-bit finaliser (the pre-mix datasketch applies before the permutations)."""
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


# Wide (East Asian Width W/F) code point ranges: CJK ideographs, kana, hangul, fullwidth forms.
_WIDE = np.array(
    [
        (0x1100, 0x115F),
        (0x2E80, 0x303E),
        (0x3041, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xA4CF),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F),
        (0xFF00, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x20000, 0x3FFFD),
    ],
    dtype=np.int64,
)


def char_widths(cps: np.ndarray) -> np.ndarray:
    """1 per character, 2 for a wide (CJK) one."""
    idx = np.searchsorted(_WIDE[:, 0], cps, side="right") - 1
    wide = (idx >= 0) & (cps <= _WIDE[np.maximum(idx, 0), 1])
    return 1 + wide.astype(np.int64)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """32-bit hashes (uint32) of every shingle of `text` (already normalised), in order,
    duplicates included; empty when the text is narrower than one shingle.

    A shingle is `k` columns wide: k narrow characters (Latin, digits, punctuation), or
    ceil(k/2) wide ones (a CJK character is two columns, as in a terminal: it carries about as
    much as a short word, so a Chinese shingle needs fewer characters than an English one).

    Stable across runs and platforms: FNV-style hash of the code points mod 2^64, folded to
    32 bits by splitmix64's finaliser."""
    if text.isascii():  # fast path: every character is one column
        cps = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        count = cps.size - k + 1
        lengths = None
    else:
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
        ends_at = np.concatenate(([0], np.cumsum(char_widths(cps))))
        stop = np.searchsorted(ends_at, ends_at[:-1] + k, side="left")  # shingle i: cps[i:stop[i]]
        count = int(np.count_nonzero(stop <= cps.size))  # the valid starts are a prefix
        lengths = stop[:count] - np.arange(count)
        if count > 0 and bool((lengths == k).all()):
            lengths = None
    if count <= 0:
        return np.empty(0, dtype=_U32)
    padded = np.concatenate((cps.astype(_U64), np.zeros(k, dtype=_U64)))
    with np.errstate(over="ignore"):
        h = np.full(count, _OFFSET, dtype=_U64)
        for j in range(k):
            step = (h ^ padded[j : j + count]) * _MULT
            h = step if lengths is None else np.where(j < lengths, step, h)
        h ^= h >> _U64(30)
        h *= _U64(0xBF58476D1CE4E5B9)
        h ^= h >> _U64(27)
        h *= _U64(0x94D049BB133111EB)
        h ^= h >> _U64(31)
    return (h >> _U64(32)).astype(_U32)


def shingles(text: str, k: int) -> list[str]:
    """The shingles themselves (for inspection and tests; `shingle_hashes` is what is used)."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
    ends_at = np.concatenate(([0], np.cumsum(char_widths(cps))))
    stop = np.searchsorted(ends_at, ends_at[:-1] + k, side="left")
    return [text[i : int(e)] for i, e in enumerate(stop) if e <= len(text)]


class MinHasher:
    """MinHash signatures of shingle hashes, bit-identical to datasketch's
    `MinHash(num_perm, seed).update_batch(...)` (scheme affine32) fed the same 32-bit values."""

    def __init__(self, num_perm: int = 128, seed: int = 1):
        self.num_perm, self.seed = num_perm, seed
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self.a, self.b = a.astype(_U32), b.astype(_U32)
        # rows at a time: keeps the (rows x num_perm) temporary around 1 MB
        self._chunk = max(256, (1 << 18) // num_perm)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """uint32[num_perm]; all 0xFFFFFFFF for an empty input (datasketch's empty MinHash)."""
        out = np.full(self.num_perm, 0xFFFFFFFF, dtype=_U32)
        if hashes.size == 0:
            return out
        hv = hashes.astype(_U32, copy=False)
        if hv.size > 1024:  # long documents repeat shingles; short ones rarely pay for the sort
            hv = np.unique(hv)
        hv = _fmix32(hv)
        for start in range(0, hv.size, self._chunk):
            col = hv[start : start + self._chunk, None]
            np.minimum(out, (col * self.a + self.b).min(axis=0), out=out)
        return out

    def lean(self, signature: np.ndarray) -> LeanMinHash:
        return LeanMinHash(seed=self.seed, hashvalues=signature, scheme=SCHEME)


class BandIndex:
    """LSH over MinHash signatures, banded as datasketch's `MinHashLSH(threshold, num_perm,
    weights)`: `b` bands of `r` rows (slots [i*r, (i+1)*r) of the signature form band i).

    A band's rows are folded into one 64-bit hash (band number included), and (hash, key) pairs
    live in sorted numpy runs (`_SortedRuns`), plus a dict of the recent ones that becomes a new
    run every RECENT_CAP entries: 12 bytes per band per key. `query` returns every key
    inserted earlier that shares a band hash with the signature, so everything MinHashLSH would
    return (two equal bands give equal hashes); a 64-bit collision can add a key, never lose one."""

    def __init__(self, threshold: float, num_perm: int, weights: tuple[float, float] = LSH_WEIGHTS):
        self.b, self.r = _optimal_param(threshold, num_perm, *weights)
        rng = np.random.default_rng(0x15D0)  # fixed: the same hashes in every process
        self._salt = rng.integers(0, 2**63, size=(self.b, self.r), dtype=np.int64).astype(_U64)
        self._runs = _SortedRuns()  # band hash -> key (uint32)
        self._recent: dict[int, int | list[int]] = {}
        self._n_recent = 0
        self.count = 0  # keys inserted

    def band_hashes(self, signature: np.ndarray) -> np.ndarray:
        """uint64[b]: one hash per band of the signature."""
        x = signature[: self.b * self.r].astype(_U64).reshape(self.b, self.r)
        with np.errstate(over="ignore"):
            x = (x + self._salt) * _U64(0x9E3779B97F4A7C15)  # a bijection per slot, salted per slot
            x ^= x >> _U64(31)
            x *= _U64(0xBF58476D1CE4E5B9)
            h = x.sum(axis=1, dtype=_U64)
            h ^= h >> _U64(29)
            h *= _U64(0x94D049BB133111EB)
            h ^= h >> _U64(32)
        return h

    def query(self, hashes: np.ndarray) -> np.ndarray:
        """Sorted unique keys sharing at least one band hash with `hashes` (from `band_hashes`)."""
        found = self._runs.keys_of(hashes)
        if self._recent:
            get = self._recent.get
            for h in hashes.tolist():
                v = get(h)
                if v is not None:
                    if isinstance(v, list):
                        found.extend(v)
                    else:
                        found.append(v)
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.array(found, dtype=np.int64))

    def insert(self, key: int, hashes: np.ndarray):
        rec = self._recent
        for h in hashes.tolist():
            v = rec.get(h)
            if v is None:
                rec[h] = key
            elif isinstance(v, list):
                v.append(key)
            else:
                rec[h] = [v, key]
        self.count += 1
        self._n_recent += len(hashes)
        if self._n_recent >= RECENT_CAP:
            self._merge()

    def _merge(self):
        hs, ks = [], []
        for h, v in self._recent.items():
            if isinstance(v, list):
                hs.extend([h] * len(v))
                ks.extend(v)
            else:
                hs.append(h)
                ks.append(v)
        h_new = np.array(hs, dtype=_U64)
        k_new = np.array(ks, dtype=np.uint32)
        order = np.lexsort((k_new, h_new))
        self._runs.add(h_new[order], k_new[order])
        self._recent, self._n_recent = {}, 0

    @property
    def nbytes(self) -> int:
        return self._runs.nbytes


class _Signatures:
    """Signatures of kept documents by key: the latest `block` in memory, the rest in a temporary
    file read back (os.pread) only for the candidates of a query."""

    def __init__(self, num_perm: int, block: int | None = None):
        self.num_perm, self.row = num_perm, num_perm * 4
        self._block = np.empty((block or SIG_BLOCK, num_perm), dtype=_U32)
        self._base = 0  # keys below this are on disk
        self._fill = 0  # rows used in the block
        self._file: _TempFile | None = None

    def append(self, signature: np.ndarray):
        self._block[self._fill] = signature
        self._fill += 1
        if self._fill == len(self._block):
            if self._file is None:
                self._file = _TempFile(".sig")
            self._file.append(self._block.tobytes())
            self._base += self._fill
            self._fill = 0

    def get(self, keys: np.ndarray) -> np.ndarray:
        out = np.empty((len(keys), self.num_perm), dtype=_U32)
        for i, key in enumerate(keys.tolist()):
            if key >= self._base:
                out[i] = self._block[key - self._base]
            else:
                out[i] = np.frombuffer(self._file.read(self.row, key * self.row), dtype=_U32)
        return out

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class NearDedup(Step):
    name = "near_dedup"

    def __init__(self, cfg: NearDedupConfig | None = None):
        self.cfg = cfg or NearDedupConfig()
        self.cfg.validate()
        self.hasher = MinHasher(self.cfg.num_perm, self.cfg.seed)
        # Every candidate is checked against its signature, so the banding is tuned for recall
        # (weights favour false negatives): with 128 permutations at 0.8 that is 16 bands of 8
        # rows, which finds 95% of pairs at Jaccard 0.8 (the default weights find 40%).
        self.lsh = BandIndex(self.cfg.threshold, self.cfg.num_perm, LSH_WEIGHTS)
        self._sigs = _Signatures(self.cfg.num_perm)  # key (kept-document number) -> signature
        self._ids = _LineLog(".ids")  # key -> doc id, one line each
        self._dropped = _LineLog(".dropped")  # ids of near duplicates, in order
        self._dropped_for = np.empty(1024, dtype=np.int64)  # the key each one was dropped for
        self._n_dropped = 0
        self.too_short = 0
        self._report: dict | None = None
        # the smallest count of equal signature slots that reaches the threshold
        self._need = int(np.ceil(self.cfg.threshold * self.cfg.num_perm - 1e-9))

    def signature(self, text: str) -> np.ndarray | None:
        """The document's MinHash signature, or None when it is shorter than one shingle."""
        norm = _normalise(text).lower()
        hashes = shingle_hashes(norm, self.cfg.shingle)
        if hashes.size == 0:
            return None
        return self.hasher.signature(hashes)

    def apply(self, doc: Doc) -> str | None:
        sig = self.signature(doc.text)
        if sig is None:
            self.too_short += 1  # left to exact dedup
            return None
        bands = self.lsh.band_hashes(sig)
        keys = self.lsh.query(bands)  # sorted: ties go to the earliest
        if keys.size:
            equal = np.count_nonzero(self._sigs.get(keys) == sig, axis=1)
            best = int(np.argmax(equal))
            if equal[best] >= self._need:
                if self._n_dropped == len(self._dropped_for):
                    self._dropped_for = np.concatenate((self._dropped_for, np.empty_like(self._dropped_for)))
                self._dropped_for[self._n_dropped] = keys[best]
                self._n_dropped += 1
                self._dropped.append(doc.id)
                return "near_duplicate"
        key = self.lsh.count
        self._sigs.append(sig)
        self.lsh.insert(key, bands)
        self._ids.append(doc.id)
        return None

    def clusters(self, limit: int | None = None) -> list[tuple[str, list[str]]]:
        """(kept id, dropped ids in order) per cluster, biggest first (ties: the earlier kept doc
        first); the first `limit` of them, or all."""
        for_key = self._dropped_for[: self._n_dropped]
        keys, sizes = np.unique(for_key, return_counts=True)
        ranked = keys[np.lexsort((keys, -sizes))][:limit]
        if ranked.size == 0:
            return []
        wanted = set(ranked.tolist())
        dropped: dict[int, list[str]] = {k: [] for k in wanted}
        for doc_id, key in zip(self._dropped, for_key.tolist()):
            if key in wanted:
                dropped[key].append(doc_id)
        kept: dict[int, str] = {}
        last = int(ranked.max())
        for key, doc_id in enumerate(self._ids):
            if key in wanted:
                kept[key] = doc_id
            if key >= last:
                break
        return [(kept[k], dropped[k]) for k in ranked.tolist()]

    @property
    def cluster_count(self) -> int:
        return int(np.unique(self._dropped_for[: self._n_dropped]).size)

    def close(self) -> dict:
        if self._report is not None:
            return self._report
        clusters = [
            {"kept": kept, "dropped": dropped, "size": len(dropped) + 1}
            for kept, dropped in self.clusters(MAX_CLUSTERS_REPORTED)
        ]
        report = {"clusters": clusters, "cluster_count": self.cluster_count, "too_short": self.too_short}
        self.release()
        self._report = report
        return report

    def release(self):
        """Remove the temporary files now (they also go when the step is garbage collected)."""
        for part in (self._sigs, self._ids, self._dropped):
            part.close()
