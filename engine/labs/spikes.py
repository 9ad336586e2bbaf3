"""Lab "spikes": loss spikes from bad data, and the spike guard that points at the documents.

Junk pages (one character repeated, as in a badly crawled page) are planted in a pretraining run
at chosen steps, in bursts of growing size (2, 4, 8, 16 of the 16 sequences of a batch). The same
run is repeated with the data cleaned (the junk pages, which the cleaning rules drop, replaced by
the ordinary text that was there), and once more with junk but without the guard.

How the junk lands on chosen steps: the pretraining sampler walks a seeded permutation of fixed
windows (engine/data/shards.py). The lab writes its own token shards into a scratch workspace, with
as many windows as the run takes in one epoch (the workspace's windows, repeated), asks the same
seeded order which windows the burst steps will read, and overwrites those windows with junk. The
clean run reads exactly the same windows in the same order, without the overwrite.

Default budget: three runs of 400 steps of a 2-layer model (its time: README's Labs table).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.config import knob
from engine.data.shards import EpochOrder, read_meta
from engine.errors import DojoError
from engine.events import Finished, Log, Progress
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.labs.report import Report, tr
from engine.labs.spikes_report import rounded, write_report

TITLE = tr("Loss spikes and bad data", "損失尖峰與壞資料")
ABOUT = tr(
    "Large training runs show sudden loss spikes, and a common cause is a batch of bad data: pages of one "
    "repeated character, binary garbage, endless tables. Frameworks such as OLMo skip an update whose loss is "
    "far above its recent mean and log the batch, so that someone can look at the documents in it. This lab "
    "plants bursts of junk pages (a character repeated thousands of times) at chosen steps of a small "
    "pretraining run: each burst is a visible spike on the loss curve, the guard skips the update and records "
    "the batch's documents, and the table below checks which of them are junk. The same run on the cleaned "
    "data (the junk pages, which the cleaning rules drop, replaced by the text that was there) has no spikes, "
    "and a run with junk and without the guard shows what the junk does to the model. Read the first plot for "
    "the spikes (stars: skipped steps), the second for the extra loss the junk costs and how fast it fades. "
    "Budget: about 3–5 minutes on two CPU cores at the defaults.",
    "大型訓練常出現突如其來的損失尖峰，常見的原因之一是一批壞資料：整頁重複同一個字元、二進位亂碼、"
    "沒完沒了的表格。OLMo 等訓練框架遇到損失遠高於近期平均的一步時，會跳過這次更新並記下該批次，"
    "讓人之後能檢查裡面的文件。本實驗在一次小型預訓練的指定步數注入一批批垃圾網頁（同一個字元重複數千次）："
    "每次注入都在損失曲線上留下明顯的尖峰，防護機制跳過這次更新並記錄該批次的文件，下方表格再核對其中哪些是垃圾。"
    "同樣的訓練改用清理過的資料（清理規則會移除這些垃圾網頁，換回原本在那裡的文字）就沒有尖峰；"
    "另一次帶著垃圾但關閉防護的訓練，則顯示垃圾對模型造成什麼影響。第一張圖看尖峰（星號：被跳過的步），"
    "第二張圖看垃圾多花了多少損失、又多快消退。所需時間：預設設定下，兩個 CPU 核心約 3–5 分鐘。",
)

JUNK_CHARS = "MXZ#"  # as the demo's polluted corpus (engine/data/pollute.py)


@dataclass
class Config:
    steps: int = knob(400, "Optimizer steps of each pretraining run.", min=40)
    bursts: int = knob(
        4, "Junk bursts; burst k (of n) fills batch_size * 2^(k-n) sequences of its batch.", min=1, max=8
    )
    first_burst: float = knob(
        0.45, "Where the first burst is, as a share of the run (after the loss has settled).", min=0.2, max=0.9
    )
    last_burst: float = knob(0.85, "Where the last burst is, as a share of the run.", min=0.2, max=0.95)
    unguarded_run: bool = knob(True, "Also train on the junk with the spike guard off (what the junk does unchecked).")
    spike_sigma: float = knob(6.0, "The guard's threshold: standard deviations above the rolling mean.", min=1.0)
    spike_window: int = knob(128, "Steps in the guard's rolling window (it judges after half a window).", min=8)
    n_layer: int = knob(2, "Transformer blocks of the model.", min=1)
    n_head: int = knob(2, "Attention heads.", min=1)
    n_embd: int = knob(64, "Width of the model.", min=8)
    block_size: int = knob(64, "Context length in tokens (the window size of the sampler).", min=16)
    batch_size: int = knob(16, "Sequences per step.", min=2)
    lr: float = knob(3e-3, "Peak learning rate.", min=0.0)
    seed: int = knob(1337, "Seed of the runs (all runs use the same).")
    threads: int = knob(1, "CPU threads for torch (0 = torch's default).", min=0)
    keep_scratch: bool = knob(False, "Keep the scratch workspaces (checkpoints, shards) in the report folder.")


SMALLEST = {
    "steps": 60,
    "bursts": 2,
    "first_burst": 0.7,
    "last_burst": 0.9,
    "unguarded_run": False,
    "spike_window": 16,
    "n_layer": 1,
    "n_embd": 32,
    "block_size": 32,
    "batch_size": 8,
}


def burst_plan(cfg: Config) -> list[tuple[int, int]]:
    """(step index from 0, junk sequences) of every burst; the logged step is index + 1."""
    n = cfg.bursts
    out = []
    for k in range(n):
        frac = cfg.first_burst if n == 1 else cfg.first_burst + (cfg.last_burst - cfg.first_burst) * k / (n - 1)
        rows = max(1, round(cfg.batch_size * 2.0 ** (k - (n - 1))))
        out.append((min(cfg.steps - 1, int(frac * cfg.steps)), rows))
    return out


# -- data -------------------------------------------------------------------------------------
class _Source:
    """The workspace's training tokens as one stream, with the document each token belongs to."""

    def __init__(self, tokens_dir: Path, meta: dict):
        toks, starts, ids, base = [], [], [], 0
        for s in meta["splits"]["train"]["shards"]:
            if s["tokens"] == 0:
                continue
            t = np.fromfile(tokens_dir / f"{s['name']}.bin", dtype=np.dtype(meta["dtype"]))
            toks.append(t)
            starts.append(np.fromfile(tokens_dir / f"{s['name']}.starts", dtype=np.int64) + base)
            ids += (tokens_dir / f"{s['name']}.ids").read_text(encoding="utf-8").splitlines()
            base += len(t)
        self.tokens = np.concatenate(toks)
        self.starts = np.concatenate(starts)
        self.ids = ids

    def pieces(self, a: int, b: int) -> list[tuple[int, str]]:
        """(offset within [a, b), document id) where each document overlapping [a, b) begins there."""
        first = max(0, int(np.searchsorted(self.starts, a, side="right")) - 1)
        last = int(np.searchsorted(self.starts, b, side="left"))
        return [(max(0, int(self.starts[i]) - a), self.ids[i]) for i in range(first, last)]


def _junk_windows(tok, eot: int, block: int, count: int, seed: int) -> list[tuple[str, str, list[int]]]:
    """(id, page text, its first `block` tokens ending in end-of-text) of `count` junk pages."""
    rng = np.random.default_rng([seed, 7])
    out = []
    for i in range(count):
        ch = JUNK_CHARS[i % len(JUNK_CHARS)]
        text = ch * int(rng.integers(2000, 6000))
        ids = tok.encode(text[: block * 16], add_special_tokens=False).ids[: block - 1]
        ids += [ids[-1]] * (block - 1 - len(ids))  # (never short: a character is at least one token)
        out.append((f"junk-{i:05d}", text, ids + [eot]))
    return out


def _write_scratch(
    ws: Workspace,
    folder: Path,
    src: _Source,
    meta: dict,
    n_windows: int,
    block: int,
    junk: dict[int, tuple[str, list[int]]],
) -> Workspace:
    """A workspace with the tokenizer and validation shards of `ws` and a training shard of exactly
    `n_windows` windows: window i is the source's window i (cycling), or junk[i] where given."""
    sws = Workspace.create(folder)
    shutil.copy2(ws.tokenizer_path, sws.tokenizer_path)
    out = sws.tokens_dir
    dtype = np.dtype(meta["dtype"])
    n_src = len(src.tokens) // block
    stream = np.empty(n_windows * block + 1, dtype=dtype)
    starts, ids = [], []
    for i in range(n_windows):
        o = i * block
        if i in junk:
            jid, jtoks = junk[i]
            stream[o : o + block] = jtoks
            starts.append(o)
            ids.append(jid)
        else:
            c = (i % n_src) * block
            stream[o : o + block] = src.tokens[c : c + block]
            for off, did in src.pieces(c, c + block):
                starts.append(o + off)
                ids.append(did)
    stream[-1] = meta["eot_id"]
    stream.tofile(out / "train_0000.bin")
    np.asarray(starts, dtype=np.int64).tofile(out / "train_0000.starts")
    (out / "train_0000.ids").write_text("".join(d + "\n" for d in ids), encoding="utf-8")
    for s in meta["splits"]["val"]["shards"]:
        for ext in (".bin", ".starts", ".ids"):
            shutil.copy2(ws.tokens_dir / f"{s['name']}{ext}", out / f"{s['name']}{ext}")
    train = meta["splits"]["train"]
    bytes_per_token = train["bytes"] / max(1, train["text_tokens"])
    new = {
        **meta,
        "splits": {
            **meta["splits"],
            "train": {
                "shards": [{"name": "train_0000", "tokens": len(stream), "docs": len(ids)}],
                "tokens": len(stream),
                "docs": len(ids),
                "text_tokens": len(stream),
                "bytes": int(bytes_per_token * len(stream)),
            },
        },
    }
    (out / "meta.json").write_text(json.dumps(new, indent=1), encoding="utf-8")
    return sws


# -- the lab ----------------------------------------------------------------------------------
def run(ws: Workspace, cfg: Config, control=None):
    from engine.data.corpus import iter_documents
    from engine.data.rules import Rules
    from engine.tokenizer import EOT, load_tokenizer, special_id
    from engine.train import pretrain

    t0 = time.perf_counter()
    if not ws.tokenizer_path.is_file() or not (ws.tokens_dir / "meta.json").is_file():
        raise DojoError(f"no tokenizer or token shards in {ws.root}; run first: lmdojo-cli tokenize {ws.root}")
    meta = read_meta(ws.tokens_dir)
    tok = load_tokenizer(ws.tokenizer_path)
    eot = special_id(tok, EOT)
    src = _Source(ws.tokens_dir, meta)
    B, block = cfg.batch_size, cfg.block_size
    if len(src.tokens) // block < 4 * B:
        raise DojoError(f"too little training text in {ws.root} for block_size={block}, batch_size={B}")
    rep = Report.create(ws, "spikes", TITLE)
    scratch = rep.folder / "scratch"

    # Which windows the burst steps read: the sampler's own seeded order over n windows.
    n_windows = cfg.steps * B + B
    order = EpochOrder(n_windows, cfg.seed).take(cfg.steps * B)
    plan = burst_plan(cfg)
    pages = _junk_windows(tok, eot, block, sum(r for _, r in plan), cfg.seed)
    junk, page_of, k = {}, {}, 0
    for step, rows in plan:
        for w in order[step * B : step * B + rows]:
            jid, text, toks = pages[k]
            junk[int(w)] = (jid, toks)
            page_of[jid] = text
            k += 1
    rules = Rules()
    reasons = [rules.check(t) for t in page_of.values()]
    dropped = sum(r is not None for r in reasons)
    yield Log(
        f"{len(page_of)} junk pages planted in {len(plan)} bursts at steps "
        f"{', '.join(str(s + 1) for s, _ in plan)}; the cleaning rules drop {dropped} of them "
        f"({', '.join(sorted({r for r in reasons if r}))})"
    )

    model = {
        "n_layer": cfg.n_layer,
        "n_head": cfg.n_head,
        "n_embd": cfg.n_embd,
        "block_size": block,
        "batch_size": B,
        "lr": cfg.lr,
        "seed": cfg.seed,
        "threads": cfg.threads,
        "max_steps": cfg.steps,
        "warmup_steps": max(1, cfg.steps // 10),
        "eval_every": max(1, cfg.steps // 4),
        "eval_batches": 4,
        "sample_every": 0,
        "checkpoint_every": cfg.steps,
        "spike_window": cfg.spike_window,
        "max_bad_steps": 8,
        "shuffle_docs": False,
    }  # the junk sits in fixed windows of the files
    runs = [("with junk", True, cfg.spike_sigma), ("cleaned", False, cfg.spike_sigma)]
    if cfg.unguarded_run:
        runs.append(("junk, no guard", True, 1e9))
    results = {}
    total = cfg.steps * len(runs)
    for n, (label, with_junk, sigma) in enumerate(runs):
        folder = scratch / label.replace(",", "").replace(" ", "-")
        sws = _write_scratch(ws, folder, src, meta, n_windows, block, junk if with_junk else {})
        yield Log(f"pretraining {label} ({cfg.steps} steps)")
        fin = None
        for ev in pretrain.run(sws, pretrain.make_config(sets={**model, "spike_sigma": sigma}), control):
            if isinstance(ev, Progress):
                yield Progress(
                    n * cfg.steps + ev.step, total, ev.tokens, ev.tokens_per_s, time.perf_counter() - t0, None
                )
            elif isinstance(ev, Log):
                yield ev
            elif isinstance(ev, Finished):
                fin = ev
        with Store(sws.db_path) as store:
            run_id = fin.result["run"]
            results[label] = {
                "loss": store.metrics(run_id, "train/loss"),
                "skipped": store.skipped(run_id),
                "val_loss": fin.result.get("val_loss"),
            }
        if fin.status != "done":
            shutil.rmtree(scratch, ignore_errors=True)
            yield Finished("cancelled", {"report": None})
            return

    # -- what the guard flagged --------------------------------------------------------------
    flagged_steps = [s["step"] for s in results["with junk"]["skipped"]]
    flagged_docs: list[str] = []
    for s in results["with junk"]["skipped"]:
        flagged_docs += [d for d in s["doc_ids"] if d not in flagged_docs]
    junk_flagged = [d for d in flagged_docs if d in page_of]
    burst_steps = {s + 1: rows for s, rows in plan}
    clean_loss = dict(results["cleaned"]["loss"])
    junk_loss = dict(results["with junk"]["loss"])

    texts = {}
    wanted = set(d for d in flagged_docs if d not in page_of)
    if wanted:
        for d in iter_documents(ws.training_corpus()):
            if d.id in wanted:
                texts[d.id] = d.text
    numbers = {
        "spikes_with_junk": len(flagged_steps),
        "spikes_clean": len(results["cleaned"]["skipped"]),
        "junk_bursts": len(plan),
        "bursts_flagged": sum(s in burst_steps for s in flagged_steps),
        "flagged_documents": len(flagged_docs),
        "junk_documents_flagged": len(junk_flagged),
        "junk_documents_planted": len(page_of),
        "junk_share_of_flagged_documents": round(len(junk_flagged) / len(flagged_docs), 4) if flagged_docs else 0.0,
        "junk_dropped_by_cleaning_rules": dropped,
        "max_loss_jump": round(max(junk_loss.get(s, 0.0) - clean_loss.get(s, 0.0) for s in burst_steps), 4),
        "val_loss_with_junk": rounded(results["with junk"]["val_loss"]),
        "val_loss_clean": rounded(results["cleaned"]["val_loss"]),
    }
    if cfg.unguarded_run:
        numbers["val_loss_junk_no_guard"] = rounded(results["junk, no guard"]["val_loss"])

    # -- report ------------------------------------------------------------------------------
    write_report(
        rep,
        ABOUT,
        cfg,
        results,
        plan,
        page_of,
        texts,
        flagged_steps,
        flagged_docs,
        numbers,
        dropped,
        n_windows,
        JUNK_CHARS,
    )
    if not cfg.keep_scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    path = rep.write(numbers)
    yield Finished("done", {"report": str(path), **numbers})
