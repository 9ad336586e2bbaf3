"""Cleaning speed: MB/s per worker for the rule steps and for MinHash near-dedup, and memory.

A corpus of at least `mb` megabytes is generated (demo worlds with different seeds, so names
and facts differ), then each step runs over all of it in one process. Resident memory is sampled at
quarters of the input: flat for the rule steps; the near-dedup index grows with what it keeps.
"""

from __future__ import annotations

import json
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_corpus(folder: Path, mb: float) -> Path:
    from engine.data.demo import DemoConfig, write_demo_world

    out = folder / "corpus.jsonl"
    size, seed = 0, 0
    with open(out, "w", encoding="utf-8") as fh:
        while size < mb * 1e6:
            tmp = folder / f"w{seed}"
            tmp.mkdir()
            write_demo_world(tmp, DemoConfig(seed=seed, people=5000, augment_versions=3, stories=2000))
            text = (tmp / "data" / "corpus" / "demo.jsonl").read_text(encoding="utf-8")
            fh.write(text)
            size += len(text.encode("utf-8"))
            shutil.rmtree(tmp)
            seed += 1
    return out


def run(seconds: float = 0.0, mb: float = 100.0) -> dict:
    from engine.data.dedup import NearDedup, NearDedupConfig
    from engine.data.readers import ReaderConfig, SourceReader
    from engine.data.rules import Normalize, Rules

    folder = Path(tempfile.mkdtemp(prefix="lmdojo-clean-bench-"))
    try:
        t = time.perf_counter()
        path = make_corpus(folder, mb)
        gen_s = time.perf_counter() - t
        total = path.stat().st_size
        docs = sum(1 for _ in open(path, encoding="utf-8"))
        rss = {"start_mb": round(_rss_mb(), 1)}

        norm, rules = Normalize(), Rules()
        t, seen, n = time.perf_counter(), 0, 0
        for doc in SourceReader([path], ReaderConfig()):
            seen += len(doc.text.encode("utf-8"))
            n += 1
            if not norm.apply(doc):
                rules.apply(doc)
            if n in (docs // 4, docs // 2, 3 * docs // 4):
                rss[f"rules_at_{round(100 * n / docs)}pct_mb"] = round(_rss_mb(), 1)
        rules_s = time.perf_counter() - t
        rss["rules_end_mb"] = round(_rss_mb(), 1)

        near = NearDedup(NearDedupConfig())
        t, n = time.perf_counter(), 0
        for doc in SourceReader([path], ReaderConfig()):
            near.apply(doc)
            n += 1
            if n in (docs // 4, docs // 2, 3 * docs // 4):
                rss[f"minhash_at_{round(100 * n / docs)}pct_mb"] = round(_rss_mb(), 1)
        near_s = time.perf_counter() - t
        rss["minhash_end_mb"] = round(_rss_mb(), 1)
        return {
            "corpus_mb": round(total / 1e6, 1),
            "documents": docs,
            "generate_s": round(gen_s, 1),
            "rules_mb_per_s": round(total / 1e6 / rules_s, 2),
            "rules_s": round(rules_s, 1),
            "minhash_mb_per_s": round(total / 1e6 / near_s, 2),
            "minhash_s": round(near_s, 1),
            "workers": 1,
            "rss": rss,
            "goal": "rules >= 10 MB/s per core, MinHash >= 3 MB/s per core, memory flat in corpus size",
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(mb=5)))
