"""Peak memory: preparing a ~1 GB corpus (cleaning, then tokenising) and a short pretraining run.

A demo-like corpus of at least `mb` megabytes is generated with `clean_speed.make_corpus` into the
raw folder of a temporary workspace (with the demo's reference set, so the quality filter runs).
Each phase then runs in its own process through the engine functions the CLI uses:

* clean: `engine.data.clean.run` with the default config and `workers=2`;
* tokenize: `engine.data.tokenize.run` with the default config (BPE training, then token shards);
* pretrain: `engine.train.pretrain.run`, the tiny preset for a short run on those shards.

While a phase runs, a thread of this process sums the resident memory (VmRSS) of the phase's
process and all its descendants (the cleaning workers) every 0.1 s; a phase's peak is the largest
sum seen. `prepare_1gb_peak_rss_mb` is the larger of the clean and tokenize peaks. (getrusage's
ru_maxrss is no help here: it is a per-process maximum, and a child started by fork + exec inherits
the high-water mark of this process, corpus generation included.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

INTERVAL = 0.1  # seconds between samples
RESCAN = 10  # samples between scans of /proc for the process tree (1 s)
GOAL_MB = 2000.0
PRETRAIN_STEPS = 30


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _vm_rss(pid: int) -> int:
    """Resident bytes of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int, kids: dict[int, list[int]] | None = None) -> tuple[int, int]:
    """(resident bytes of `root`, of `root` and all its descendants together); `kids` is a
    parent → children map from `_children()` (scanning all of /proc is the costly part)."""
    kids = _children() if kids is None else kids
    total, todo, own = 0, [root], _vm_rss(root)
    while todo:
        pid = todo.pop()
        total += own if pid == root else _vm_rss(pid)
        todo.extend(kids.get(pid, ()))
    return own, total


class _Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_main, self.samples = pid, 0, 0, 0
        self.stop = threading.Event()

    def run(self):
        kids: dict[int, list[int]] = {}
        while not self.stop.is_set():
            if self.samples % RESCAN == 0:  # the process tree changes rarely; its memory often
                kids = _children()
            own, total = tree_rss(self.pid, kids)
            self.peak, self.peak_main = max(self.peak, total), max(self.peak_main, own)
            self.samples += 1
            self.stop.wait(INTERVAL)


def _phase(name: str, root: Path) -> dict:
    """Run one phase in a child process, sampling its process tree; returns its result + peaks."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.memory", name, str(root)], stdout=subprocess.PIPE, text=True)
    sampler = _Sampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"memory bench phase {name} failed (exit {proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(
        peak_rss_mb=round(sampler.peak / 1e6, 1),
        peak_main_rss_mb=round(sampler.peak_main / 1e6, 1),
        wall_s=round(time.perf_counter() - t, 1),
        samples=sampler.samples,
    )
    return result


def _drain(events) -> dict:
    last = None
    for last in events:
        pass
    if getattr(last, "status", "done") != "done":
        raise RuntimeError(f"phase ended {last}")
    return last.result


def _run_phase(name: str, root: Path) -> dict:
    """In the child process: one phase on the workspace at `root`."""
    from engine.io.workspace import Workspace

    ws = Workspace.open(root)
    t = time.perf_counter()
    if name == "clean":
        from engine.data import clean

        r = _drain(clean.run(ws, clean.make_config(sets={"workers": "2"})))
        funnel = {f["step"]: f["documents"] for f in r["funnel"]}
        out = {
            "documents_in": funnel["input"],
            "documents_out": funnel["output"],
            "funnel": funnel,
            "near_clusters": r["steps"]["near_dedup"]["cluster_count"],
            "workers": 2,
        }
    elif name == "tokenize":
        from engine.config import TokenizerConfig
        from engine.data import tokenize

        r = _drain(tokenize.run(ws, TokenizerConfig()))
        out = {"train_tokens": r["train_tokens"], "val_tokens": r["val_tokens"], "vocab_size": r["vocab_size"]}
    elif name == "pretrain":
        from engine.train import pretrain

        cfg = pretrain.make_config(
            sets={
                "preset": "tiny",
                "max_steps": str(PRETRAIN_STEPS),
                "eval_every": "10",
                "sample_every": "0",
                "checkpoint_every": str(PRETRAIN_STEPS),
            }
        )
        r = _drain(pretrain.run(ws, cfg))
        out = {"steps": r["steps"], "val_loss": r.get("val_loss")}
    else:
        raise SystemExit(f"unknown phase {name}")
    out["seconds"] = round(time.perf_counter() - t, 1)
    return out


def run(seconds: float = 0.0, mb: float = 1000.0) -> dict:
    from bench.clean_speed import make_corpus
    from engine.data.pollute import write_reference
    from engine.io.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="lmdojo-memory-bench-"))
    try:
        t = time.perf_counter()
        gen = folder / "gen"
        gen.mkdir()
        corpus = make_corpus(gen, mb)
        root = folder / "ws"
        Workspace.create(root)
        raw = root / "data" / "raw"
        raw.mkdir(parents=True)
        shutil.move(str(corpus), raw / "corpus.jsonl")
        shutil.rmtree(gen)
        write_reference(root)
        gen_s = time.perf_counter() - t
        size = (raw / "corpus.jsonl").stat().st_size

        phases = {name: _phase(name, root) for name in ("clean", "tokenize", "pretrain")}
        c, k, p = phases["clean"], phases["tokenize"], phases["pretrain"]
        prepare = max(c["peak_rss_mb"], k["peak_rss_mb"])
        return {
            "corpus_mb": round(size / 1e6, 1),
            "documents": c["documents_in"],
            "documents_clean": c["documents_out"],
            "prepare_1gb_peak_rss_mb": prepare,
            "clean_peak_rss_mb": c["peak_rss_mb"],
            "clean_main_peak_rss_mb": c["peak_main_rss_mb"],
            "clean_s": c["seconds"],
            "clean_workers": c["workers"],
            "near_clusters": c["near_clusters"],
            "tokenize_peak_rss_mb": k["peak_rss_mb"],
            "tokenize_s": k["seconds"],
            "train_tokens": k["train_tokens"],
            "pretrain_peak_rss_mb": p["peak_rss_mb"],
            "pretrain_s": p["seconds"],
            "pretrain_steps": p["steps"],
            "generate_s": round(gen_s, 1),
            "funnel": c["funnel"],
            "sample_interval_s": INTERVAL,
            "goal": f"cleaning + tokenising 1 GB: peak (process + workers) under {GOAL_MB:.0f} MB",
            "goal_met": prepare < GOAL_MB,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:  # a phase, in a child process of run()
        print(json.dumps(_run_phase(sys.argv[1], Path(sys.argv[2]))))
    else:
        print(json.dumps(run(mb=float(sys.argv[1]) if len(sys.argv) > 1 else 5)))
