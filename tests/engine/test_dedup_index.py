"""The compact dedup indexes against datasketch and the previous in-memory implementation.

`BandIndex` must return exactly the candidates datasketch's `MinHashLSH` returns (same banding),
and `NearDedup` / `ExactDedup` must take the decisions and write the report that the reference
implementations below take and write: `MinHashLSH` with every signature and id in memory, and a
Python set of 16-byte digests. Small merge and block sizes make the tests cross every path (the
recent dict/set, the sorted arrays, the signatures on disk).
"""

from __future__ import annotations

import gc
import json
import os
import random
import tempfile

import numpy as np
import pytest
from datasketch import MinHashLSH

from engine.data import dedup
from engine.data.dedup import LSH_WEIGHTS, MAX_CLUSTERS_REPORTED, BandIndex, ExactDedup, NearDedup, NearDedupConfig
from engine.data.demo import DemoConfig
from engine.data.pollute import write_demo
from engine.data.readers import ReaderConfig, SourceReader
from engine.data.steps import Doc


@pytest.fixture
def small_runs(monkeypatch):
    """Merge the recent entries every few inserts and spill signatures to disk every few keeps."""
    monkeypatch.setattr(dedup, "RECENT_CAP", 97)
    monkeypatch.setattr(dedup, "SIG_BLOCK", 13)


class ReferenceNearDedup:
    """The previous NearDedup: datasketch's MinHashLSH, signatures and ids in memory."""

    def __init__(self, cfg: NearDedupConfig):
        self.new = NearDedup(cfg)  # only for its signature()
        self.lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, weights=LSH_WEIGHTS)
        self.ids, self.sigs, self.clusters, self.too_short = [], [], {}, 0
        self.need = self.new._need

    def apply(self, doc: Doc):
        sig = self.new.signature(doc.text)
        if sig is None:
            self.too_short += 1
            return None
        lean = self.new.hasher.lean(sig)
        candidates = self.lsh.query(lean)
        if candidates:
            keys = sorted(candidates)
            equal = np.count_nonzero(np.array([self.sigs[k] for k in keys]) == sig, axis=1)
            best = int(np.argmax(equal))
            if equal[best] >= self.need:
                self.clusters.setdefault(keys[best], []).append(doc.id)
                return "near_duplicate"
        key = len(self.ids)
        self.sigs.append(sig)
        self.lsh.insert(key, lean, check_duplication=False)
        self.ids.append(doc.id)
        return None

    def close(self) -> dict:
        self.new.release()
        ranked = sorted(self.clusters.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        clusters = [
            {"kept": self.ids[key], "dropped": list(dropped), "size": len(dropped) + 1}
            for key, dropped in ranked[:MAX_CLUSTERS_REPORTED]
        ]
        return {"clusters": clusters, "cluster_count": len(self.clusters), "too_short": self.too_short}


class ReferenceExactDedup:
    def __init__(self):
        self.seen = set()

    def apply(self, doc: Doc):
        d = ExactDedup.digest(doc.text)
        if d in self.seen:
            return "exact_duplicate"
        self.seen.add(d)
        return None

    def close(self) -> dict:
        return {"distinct": len(self.seen)}


@pytest.mark.parametrize("threshold", [0.85, 0.8, 0.5])
def test_band_index_returns_what_minhashlsh_returns(threshold, small_runs):
    rng = np.random.default_rng(int(threshold * 100))
    num_perm = 128
    index = BandIndex(threshold, num_perm)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    assert (index.b, index.r) == (lsh.b, lsh.r)
    hasher = NearDedup(NearDedupConfig(threshold=threshold)).hasher
    sigs: list[np.ndarray] = []
    hits = 0
    for key in range(3000):
        if sigs and rng.random() < 0.5:  # planted: an earlier signature with a few slots changed
            sig = sigs[int(rng.integers(len(sigs)))].copy()
            slots = rng.choice(num_perm, size=int(rng.integers(0, 60)), replace=False)
            sig[slots] = rng.integers(0, 2**32, size=slots.size, dtype=np.uint64).astype(np.uint32)
        else:
            sig = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
        bands = index.band_hashes(sig)
        got = index.query(bands).tolist()
        lean = hasher.lean(sig)
        assert got == sorted(lsh.query(lean)), key
        hits += bool(got)
        if rng.random() < 0.8:  # most are kept (inserted), as near-dedup keeps the non-duplicates
            index.insert(len(sigs), bands)
            lsh.insert(len(sigs), lean, check_duplication=False)
            sigs.append(sig)
    assert hits > 500  # the planted copies were found, through the recent dict and the sorted arrays
    assert len(index._runs) > 0 and index.nbytes == len(index._runs) * 12  # 8-byte hash + 4-byte key


def test_sorted_runs_stay_logarithmic_and_ordered():
    rng = np.random.default_rng(0)
    runs = dedup._SortedRuns()
    added_v, added_k, key = [], [], 0
    for _ in range(300):
        v = np.sort(rng.integers(0, 50, size=int(rng.integers(1, 40)), dtype=np.uint64))
        k = np.arange(key, key + v.size, dtype=np.uint32)
        key += v.size
        runs.add(v, k)
        added_v.append(v)
        added_k.append(k)
        sizes = [r.size for r, _ in runs.runs]
        assert all(a > 2 * b for a, b in zip(sizes, sizes[1:]))  # each older run > twice the next
        assert len(sizes) <= int(np.log2(max(1, key))) + 2
    for v, k in runs.runs:
        assert (np.diff(v.astype(np.int64)) >= 0).all()
        for value in np.unique(v):  # equal values keep the order they came in (ascending keys)
            assert (np.diff(k[v == value].astype(np.int64)) > 0).all()
    all_v, all_k = np.concatenate(added_v), np.concatenate(added_k)
    for value in range(52):
        assert sorted(runs.keys_of(np.array([value], dtype=np.uint64))) == all_k[all_v == value].tolist()
        assert runs.contains(value) == bool((all_v == value).any())
    assert len(runs) == all_v.size


@pytest.fixture(scope="module")
def polluted(tmp_path_factory):
    root = tmp_path_factory.mktemp("polluted")
    write_demo(root, DemoConfig(people=80, augment_versions=2, stories=40))
    raw = list(SourceReader([root / "data" / "raw"], ReaderConfig()))
    corpus = list(SourceReader([root / "data" / "corpus"], ReaderConfig()))
    return raw + corpus  # the corpus again after the raw sources: plenty of exact and near copies


@pytest.mark.parametrize("threshold", [0.85, 0.8])
def test_near_dedup_matches_reference_on_polluted_demo(polluted, threshold, small_runs):
    cfg = NearDedupConfig(threshold=threshold)
    new, ref = NearDedup(cfg), ReferenceNearDedup(cfg)
    got = [new.apply(Doc(d.id, d.text)) for d in polluted]
    want = [ref.apply(Doc(d.id, d.text)) for d in polluted]
    assert got == want
    assert want.count("near_duplicate") > 100
    report = new.close()
    assert report == ref.close()
    assert report["cluster_count"] > 50 and report["clusters"]
    assert new.close() == report  # a second close returns the same report


def test_exact_dedup_matches_reference_on_polluted_demo(polluted, small_runs):
    new, ref = ExactDedup(), ReferenceExactDedup()
    got = [new.apply(Doc(d.id, d.text)) for d in polluted]
    want = [ref.apply(Doc(d.id, d.text)) for d in polluted]
    assert got == want and want.count("exact_duplicate") > 100
    assert new.close() == ref.close()
    assert len(new._sorted) > 0  # the sorted runs were used


def test_cluster_cap_and_odd_ids(small_runs):
    rng = random.Random(1)
    new, ref = NearDedup(NearDedupConfig(threshold=0.8)), ReferenceNearDedup(NearDedupConfig(threshold=0.8))
    docs = []
    for i in range(330):  # more clusters than reported; ids with newlines, quotes and CJK
        text = "".join(rng.choice("abcdefghij ") for _ in range(90))
        docs += [Doc(f'u{i}\n"行"', text)] + [Doc(f"u{i}+{k}", text + "k" * k) for k in range(1, 1 + i % 3)]
    assert [new.apply(d) for d in docs] == [ref.apply(d) for d in docs]
    report = new.close()
    assert report == ref.close() and len(report["clusters"]) == MAX_CLUSTERS_REPORTED


def _fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_temporary_files_are_removed(polluted, small_runs, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    before = _fds()

    step = NearDedup(NearDedupConfig())  # closed normally
    for d in polluted[:300]:
        step.apply(Doc(d.id, d.text))
    assert step._sigs._file is not None  # signatures went to disk
    assert list(tmp.iterdir()) == []  # anonymous files: never visible, even after a crash
    step.close()
    assert _fds() == before and list(tmp.iterdir()) == []

    step = NearDedup(NearDedupConfig())  # abandoned mid-way (an exception, a cancelled job)
    with pytest.raises(RuntimeError):
        for i, d in enumerate(polluted):
            if i == 300:
                raise RuntimeError("cancelled")
            step.apply(Doc(d.id, d.text))
    del step
    gc.collect()
    assert _fds() == before and list(tmp.iterdir()) == []


def test_report_ids_roundtrip_json(small_runs):
    step = NearDedup(NearDedupConfig(threshold=0.8))
    text = "The quick brown fox jumps over the lazy dog near the riverbank every single morning."
    ids = ["a\u2028b", "tab\tid", "\\back", '{"x": 1}']
    for i in ids:
        step.apply(Doc(i, text))
    report = step.close()
    assert report["clusters"] == [{"kept": ids[0], "dropped": ids[1:], "size": 4}]
    assert json.loads(json.dumps(report)) == report
