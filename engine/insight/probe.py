"""Insight "probe": what did the model memorise, and which evaluation items were in its training data?

Memorisation (Carlini et al., 2021/2023 "extractable" memorisation): a seeded sample of `docs`
training documents, read back from the token shards the pretraining run trained on (each document
with its own boundaries: the shards keep every document's start offset and id), is prompted with
the end-of-text token that preceded it in training plus its first `prefix_tokens` tokens (half the
document when it is shorter) and continued greedily for `suffix_tokens` tokens; a document counts
as memorised when every continuation token equals the document's own. The same for validation
documents gives the rate of documents the model never saw: the gap between the two is the signal.

Contamination (as the GPT-3 and Llama 2 reports measure it): every evaluation item (SFT examples,
the held-out QA set engine/compare/evaluate.py asks, the preference pairs) is cut into n-grams of tokenizer
tokens (so Chinese and English alike) and looked up in the training split's shards, streamed once
against a hash set of the items' n-grams; an item's overlap is the share of its n-grams found. Over
`threshold` it is listed with the document that holds its longest shared span, and the span.

Time: 5 s with one thread on the README demo flow's world and tiny model (64 + 64 documents; 5,209
items against 86k training tokens). There the training documents continue exactly 31% of the time,
the validation ones 6% (they retell the same people's biographies in other words).

    lmdojo-cli insight probe WS --set docs=64 --set ngram=8 --json
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log, Progress

TITLE = "Memorisation and contamination probe"

ABOUT = (
    "Two questions about the data. Memorised: the model is given the first tokens of documents it trained "
    "on and continues them greedily; the exact-continuation rate is the share of documents whose next "
    "tokens it reproduces word for word. Validation documents, which it never saw, give the rate that "
    "general fluency alone reaches (a common phrase can be guessed): only the gap between the training "
    "and validation rates is memorisation. A tiny model on a small corpus memorises little; many epochs "
    "over the same text raise it. Contaminated: each SFT example, held-out question and preference pair "
    "is cut into n-grams of tokens and looked up in the pretraining corpus; an item whose n-grams are "
    "mostly found was in the training data, so a good score on it measures recall, not skill. In the "
    "demo world the questions ask about people whose biographies are in the corpus by design (the "
    "knowledge is meant to be learnt there), so they share phrases with it and overlap partly; an item "
    "copied verbatim overlaps fully (1.0)."
)

SETS = ("sft", "qa", "prefs")
HASH_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: the n-gram hash is a polynomial mod 2^64


@dataclass
class Config:
    run: str = knob(
        "", "The model to probe for memorisation: a run id or checkpoint (empty: the latest pretraining run)."
    )
    docs: int = knob(
        64, "Training documents to prompt (and as many validation documents); 0 skips memorisation.", min=0, max=100_000
    )
    prefix_tokens: int = knob(32, "Prompt length in tokens (half the document when it is shorter).", min=1)
    suffix_tokens: int = knob(32, "Continuation tokens compared with the document's own.", min=1)
    ngram: int = knob(8, "Length of the token n-grams an evaluation item and the corpus must share.", min=1, max=256)
    threshold: float = knob(
        0.5, "An item is listed when at least this share of its n-grams is in the corpus.", min=0.0, max=1.0
    )
    sets: str = knob(
        "sft,qa,prefs",
        "Evaluation sets to check, comma-separated: sft (data/sft/*.jsonl but the "
        "held-out file), qa (data/sft/heldout.jsonl), prefs (data/prefs/*.jsonl); "
        "empty skips contamination.",
    )
    limit: int = knob(20, "Most memorised documents and flagged items to list.", min=1, max=10_000)
    seed: int = knob(0, "Seed of the document sample.")
    batch: int = knob(32, "Documents continued side by side.", min=1, max=4096)
    threads: int = knob(1, "CPU threads for PyTorch (0 = PyTorch's default).", min=0)
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")


# -- documents in the shards ---------------------------------------------------------------------


def shard_documents(tokens_dir: Path, split: str) -> list[tuple[str, np.ndarray]]:
    """[(document id, its token ids without the end-of-text token)] of one split, in shard order."""
    from engine.data.shards import TokenData

    data = TokenData(tokens_dir, split)
    out = []
    for name, arr in zip(data.names, data.shards):
        starts = np.fromfile(tokens_dir / f"{name}.starts", dtype=np.int64)
        ids = (tokens_dir / f"{name}.ids").read_text(encoding="utf-8").splitlines()
        if len(ids) != len(starts):
            raise DojoError(
                f"{tokens_dir / name}.ids names {len(ids)} documents, its .starts {len(starts)}: "
                "re-run lmdojo-cli tokenize WS"
            )
        ends = list(starts[1:]) + [len(arr)]
        out += [(ids[k], np.asarray(arr[s : e - 1], dtype=np.int64)) for k, (s, e) in enumerate(zip(starts, ends))]
    return out


def sample_docs(docs: list, n: int, seed: int, min_tokens: int = 2) -> list:
    usable = [d for d in docs if len(d[1]) >= min_tokens]
    if len(usable) <= n:
        return usable
    pick = np.random.default_rng(seed).choice(len(usable), n, replace=False)
    return [usable[i] for i in sorted(pick)]


# -- memorisation ----------------------------------------------------------------------------------


def split_lengths(n: int, prefix: int, suffix: int) -> tuple[int, int]:
    """(prompt, continuation) tokens for a document of n tokens: prefix + suffix when it is long
    enough, else the first half as the prompt and the rest (at most `suffix`) to continue."""
    if n >= prefix + suffix:
        return prefix, suffix
    p = max(1, min(prefix, n // 2))
    return p, min(suffix, n - p)


def matched_prefix(a: list[int], b: list[int]) -> int:
    k = 0
    for x, y in zip(a, b):
        if x != y:
            break
        k += 1
    return k


@torch.inference_mode()
def continue_docs(
    model, docs: list[list[int]], prefix: int, suffix: int, start_id: int | None, batch: int = 32
) -> list[dict]:
    """Greedy continuations of each document's start: [{"p", "s", "truth", "model", "matched"}].
    Documents with the same prompt length go side by side through one KV cache (no padding)."""
    was_training = model.training
    model.eval()
    device = model.tok_emb.weight.device
    lead = [] if start_id is None else [start_id]
    out: list[dict | None] = [None] * len(docs)
    groups: dict[int, list[int]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(split_lengths(len(d), prefix, suffix)[0], []).append(i)
    try:
        for p, members in sorted(groups.items()):
            for c in range(0, len(members), batch):
                rows = members[c : c + batch]
                lens = [split_lengths(len(docs[i]), prefix, suffix)[1] for i in rows]
                steps = max(lens)
                x = torch.tensor([lead + list(docs[i][:p]) for i in rows], device=device)
                cache = model.new_cache(len(rows), x.shape[1] + steps)
                logits, _ = model(x, cache, last_only=True)
                gen = []
                for t in range(steps):
                    nxt = logits[:, -1].argmax(-1)
                    gen.append(nxt)
                    if t + 1 < steps:
                        logits, _ = model(nxt[:, None], cache, last_only=True)
                gen_rows = torch.stack(gen, 1).tolist()
                for i, s, g in zip(rows, lens, gen_rows):
                    truth = [int(v) for v in docs[i][p : p + s]]
                    out[i] = {"p": p, "s": s, "truth": truth, "model": g[:s], "matched": matched_prefix(truth, g[:s])}
    finally:
        model.train(was_training)
    return out


def split_decode(tok, head, tail) -> tuple[str, str]:
    """(head text, tail text) decoded together, so a character whose bytes the cut splits (common in
    Chinese with byte-level BPE) lands whole in the tail instead of as U+FFFD on both sides."""
    ids = [int(v) for v in head] + [int(v) for v in tail]
    full = tok.decode(ids, skip_special_tokens=False)
    text = tok.decode(ids[: len(head)], skip_special_tokens=False).rstrip("\ufffd")
    if full.startswith(text):
        return text, full[len(text) :].rstrip("\ufffd")
    return text, tok.decode(ids[len(head) :], skip_special_tokens=False)


def rates(results: list[dict]) -> tuple[float | None, float | None]:
    """(exact-continuation rate, mean matched prefix in tokens); None for no documents."""
    if not results:
        return None, None
    exact = sum(r["matched"] == r["s"] for r in results) / len(results)
    return round(exact, 4), round(sum(r["matched"] for r in results) / len(results), 3)


# -- contamination ---------------------------------------------------------------------------------


def ngram_hashes(ids, n: int) -> np.ndarray:
    """The 64-bit hash of every n-gram of `ids` (uint64, len(ids) - n + 1 of them; none when shorter)."""
    a = np.asarray(ids, dtype=np.uint64) + np.uint64(1)  # +1: token 0 must still change the hash
    if len(a) < n:
        return np.zeros(0, dtype=np.uint64)
    m = len(a) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    for j in range(n):
        h = h * HASH_MUL + a[j : j + m]
    return h


def _jsonl_records(path: Path) -> list[tuple[int, bytes]]:
    return [(k, raw) for k, raw in enumerate(path.read_bytes().splitlines(), 1) if raw.strip()]


def eval_items(ws, sets: list[str]) -> list[dict]:
    """[{"set", "id", "segments": [texts]}]: each message (the system prompt left out), prompt or answer of an item is its own
    segment, so no n-gram spans two of them (the corpus holds them apart too)."""
    from engine.data.sft_data import load_sft_records
    from engine.rlhf.prefs_jsonl import BadLine, parse_line

    # the system prompt is the app's fixed preamble, shared by every item: not evaluation content
    def segments(r):
        return [m["content"] for m in r["messages"] if m["role"] != "system"]

    items = []
    sft_dir, heldout = ws.data_dir / "sft", ws.data_dir / "sft" / "heldout.jsonl"
    if "sft" in sets and sft_dir.is_dir():
        for f in sorted(p for p in sft_dir.glob("*.jsonl") if p != heldout):
            items += [{"set": "sft", "id": r["id"], "segments": segments(r)} for r in load_sft_records(f)]
    if "qa" in sets and heldout.is_file():
        items += [{"set": "qa", "id": r["id"], "segments": segments(r)} for r in load_sft_records(heldout)]
    if "prefs" in sets:
        for f in sorted((ws.data_dir / "prefs").glob("*.jsonl")):
            for k, raw in _jsonl_records(f):
                try:
                    prompt, _, chosen, rejected, _, rid = parse_line(raw, k == 1)
                except BadLine as e:
                    raise DojoError(f"{f}:{k}: {e}") from None
                items.append(
                    {
                        "set": "prefs",
                        "id": str(rid if rid is not None else f"{f.stem}-{k}"),
                        "segments": [prompt, chosen, rejected],
                    }
                )
    return items


def _clean_edges(text: str) -> str:
    return text.strip().strip("\ufffd").strip()  # a span cut inside a character decodes to U+FFFD at its edge


def contamination(ws, tok, items: list[dict], n: int, threshold: float, limit: int, control=None):
    """A generator of Progress (per shard) returning the contamination result."""
    enc = tok.encode_batch([s for it in items for s in it["segments"]], add_special_tokens=False)
    index: dict[int, list[tuple[int, int]]] = {}  # n-gram hash -> [(item, position in the item's n-grams)]
    k = 0
    for i, it in enumerate(items):
        hs = [ngram_hashes(enc[k + j].ids, n) for j in range(len(it["segments"]))]
        k += len(it["segments"])
        it["hashes"] = np.concatenate(hs) if hs else np.zeros(0, dtype=np.uint64)
        # positions run on across segments; a gap keeps a run of matches from bridging two segments
        pos, off = [], 0
        for h in hs:
            pos.append(np.arange(off, off + len(h)))
            off += len(h) + n
        it["pos"] = np.concatenate(pos) if pos else np.zeros(0, dtype=np.int64)
        for h, p in zip(it["hashes"].tolist(), it["pos"].tolist()):
            index.setdefault(h, []).append((i, p))
    checked = [i for i, it in enumerate(items) if len(it["hashes"])]
    wanted = np.fromiter(index.keys(), dtype=np.uint64, count=len(index))
    found: set[int] = set()
    best: dict[int, tuple[int, str, int]] = {}  # item -> (n-grams in its longest shared run, shard, start)
    from engine.data.shards import TokenData

    data = TokenData(ws.tokens_dir, "train")
    for s, (name, arr) in enumerate(zip(data.names, data.shards)):
        if control is not None and control.should_stop():
            return None
        h = ngram_hashes(arr, n)
        hits = np.nonzero(np.isin(h, wanted))[0]
        found.update(np.unique(h[hits]).tolist())
        runs: dict[tuple[int, int], tuple[int, int]] = {}  # (item, corpus pos - item pos) -> (last pos, length)
        for c, hv in zip(hits.tolist(), h[hits].tolist()):
            for i, p in index[hv]:
                key = (i, c - p)
                last, length = runs.get(key, (-2, 0))
                length = length + 1 if last == c - 1 else 1
                runs[key] = (c, length)
                if length > best.get(i, (0,))[0]:
                    best[i] = (length, name, c - length + 1)
        yield Progress(s + 1, len(data.shards), int(len(arr)), 0.0, 0.0, None, unit="shard")

    found_arr = np.fromiter(found, dtype=np.uint64, count=len(found))
    shard_of = dict(zip(data.names, data.shards))
    flagged, by_set = [], {}
    for i in checked:
        it = items[i]
        overlap = float(np.isin(it["hashes"], found_arr).mean())
        stats = by_set.setdefault(it["set"], {"items": 0, "flagged": 0, "overlap_sum": 0.0})
        stats["items"] += 1
        stats["overlap_sum"] += overlap
        if overlap < threshold or i not in best:
            continue
        stats["flagged"] += 1
        length, name, start = best[i]
        span_ids = np.asarray(shard_of[name][start : start + length + n - 1], dtype=np.int64).tolist()
        span = _clean_edges(tok.decode(span_ids, skip_special_tokens=False))
        text = "\n".join(it["segments"])
        flagged.append(
            {
                "set": it["set"],
                "id": it["id"],
                "text": text,
                "overlap": round(overlap, 4),
                "doc_id": _doc_at(ws.tokens_dir, name, start),
                "span": span,
                "span_tokens": len(span_ids),
                "span_start": text.find(span) if span else -1,
            }
        )
    flagged.sort(key=lambda f: (-f["overlap"], -f["span_tokens"], f["set"], f["id"]))
    for stats in by_set.values():
        stats["mean_overlap"] = round(stats.pop("overlap_sum") / max(1, stats["items"]), 4)
    return {
        "ngram": n,
        "threshold": threshold,
        "items_checked": len(checked),
        "too_short": len(items) - len(checked),
        "flagged_total": len(flagged),
        "flagged": flagged[:limit],
        "by_set": by_set,
    }


def _doc_at(tokens_dir: Path, shard: str, offset: int) -> str:
    starts = np.fromfile(tokens_dir / f"{shard}.starts", dtype=np.int64)
    k = max(0, int(np.searchsorted(starts, offset, side="right")) - 1)
    with open(tokens_dir / f"{shard}.ids", encoding="utf-8") as fh:
        for j, line in enumerate(fh):
            if j == k:
                return line.rstrip("\n")
    return f"{shard}@{offset}"


# -- the insight -----------------------------------------------------------------------------------


def parse_sets(text: str) -> list[str]:
    sets = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in sets if s not in SETS]
    if bad:
        raise DojoError(f"sets: unknown set {bad[0]!r}; the sets are {', '.join(SETS)}")
    return sets


def memorisation(ws, opts: Config, tok, control=None):
    """A generator of Progress returning (run id, the memorisation result)."""
    from engine.data.shards import read_meta
    from engine.labs.common import latest_runs, load_model
    from engine.train.loop import resolve_device

    ref = opts.run or latest_runs(ws, ("pretrain",)).get("pretrain")
    if not ref:
        raise DojoError(
            f"run: no pretraining run with a checkpoint in {ws.root}: run lmdojo-cli pretrain WS "
            "first (or set docs=0 to check contamination only)"
        )
    model, run_id, _ = load_model(ws, ref, resolve_device(opts.device))
    meta = read_meta(ws.tokens_dir)
    room = model.cfg.block_size - 1  # one position for the end-of-text token the document followed
    suffix = min(opts.suffix_tokens, room // 2)
    prefix = min(opts.prefix_tokens, room - suffix)
    train = sample_docs(shard_documents(ws.tokens_dir, "train"), opts.docs, opts.seed)
    val = sample_docs(shard_documents(ws.tokens_dir, "val"), opts.docs, opts.seed)
    total, done, t0 = len(train) + len(val), 0, time.monotonic()
    res: dict[str, list[dict]] = {"train": [], "val": []}
    for split, docs in (("train", train), ("val", val)):
        for c in range(0, len(docs), opts.batch):
            if control is not None and control.should_stop():
                return run_id, None
            chunk = [d[1] for d in docs[c : c + opts.batch]]
            res[split] += continue_docs(model, chunk, prefix, suffix, meta.get("eot_id"), opts.batch)
            done += len(chunk)
            el = time.monotonic() - t0
            yield Progress(done, total, done, done / max(el, 1e-9), el, el / done * (total - done), unit="doc")
    tr_exact, tr_mean = rates(res["train"])
    va_exact, va_mean = rates(res["val"])
    order = sorted(range(len(train)), key=lambda k: (-res["train"][k]["matched"] / max(1, res["train"][k]["s"]), k))
    examples = []
    for k in order[: opts.limit]:
        r, (doc_id, ids) = res["train"][k], train[k]
        prompt, truth = split_decode(tok, ids[: r["p"]], r["truth"])
        examples.append(
            {
                "id": doc_id,
                "prompt": prompt,
                "truth": truth,
                "model": split_decode(tok, ids[: r["p"]], r["model"])[1],
                "matched": r["matched"],
                "suffix": r["s"],
                "exact": r["matched"] == r["s"],
            }
        )
    return run_id, {
        "train_exact_rate": tr_exact,
        "val_exact_rate": va_exact,
        "train_mean_match": tr_mean,
        "val_mean_match": va_mean,
        "docs": len(train),
        "val_docs": len(val),
        "prefix_tokens": prefix,
        "suffix_tokens": suffix,
        "examples": examples,
    }


def run(ws, opts: Config, control=None):
    from engine.labs.common import threads_set
    from engine.tokenizer import load_tokenizer

    sets = parse_sets(opts.sets)
    if not opts.docs and not sets:
        raise DojoError("docs and sets: with docs=0 and no sets there is nothing to probe")
    if not ws.tokenizer_path.is_file():
        raise DojoError(f"no tokenizer in {ws.root}: run lmdojo-cli tokenize WS first")
    tok = load_tokenizer(ws.tokenizer_path)
    t0 = time.monotonic()
    run_id, mem, con = None, None, None
    with threads_set(opts.threads):
        if opts.docs:
            yield Log(f"probe: continuing {opts.docs} training and validation documents greedily")
            run_id, mem = yield from memorisation(ws, opts, tok, control)
            if mem is None:
                yield Finished("cancelled", {})
                return
            yield Log(
                f"{run_id}: exact continuations {mem['train_exact_rate']:.1%} of training documents, "
                f"{(mem['val_exact_rate'] or 0):.1%} of validation documents "
                f"({mem['prefix_tokens']} prompt + {mem['suffix_tokens']} continuation tokens)"
            )
    if sets:
        items = eval_items(ws, sets)
        if not items:
            raise DojoError(
                f"sets: no evaluation items for {opts.sets!r} in {ws.data_dir} (data/sft/*.jsonl, data/prefs/*.jsonl)"
            )
        yield Log(f"probe: {len(items)} evaluation items, {opts.ngram}-grams against the training corpus")
        con = yield from contamination(ws, tok, items, opts.ngram, opts.threshold, opts.limit, control)
        if con is None:
            yield Finished("cancelled", {})
            return
        con["note"] = (
            "The demo world asks about people whose biographies are in the corpus by design (knowledge, "
            "not contamination): its questions share phrases with the corpus; a verbatim item overlaps fully."
        )
        yield Log(
            f"{con['flagged_total']} of {con['items_checked']} items share ≥ {opts.threshold:g} of their "
            f"{opts.ngram}-grams with the corpus"
        )
    yield Finished(
        "done", {"run": run_id, "memorisation": mem, "contamination": con, "seconds": round(time.monotonic() - t0, 2)}
    )


def summary(result: dict) -> str:
    lines = []
    m, c = result.get("memorisation"), result.get("contamination")
    if m:
        lines.append(
            f"{result['run']}: exact continuation {m['train_exact_rate']:.1%} of {m['docs']} training "
            f"documents vs {(m['val_exact_rate'] or 0):.1%} of {m['val_docs']} validation documents; "
            f"mean matched {m['train_mean_match']} vs {m['val_mean_match']} of {m['suffix_tokens']} tokens"
        )
    if c:
        lines.append(f"contamination ({c['ngram']}-grams): {c['flagged_total']} of {c['items_checked']} items flagged")
        for name, s in c["by_set"].items():
            lines.append(f"  {name}: {s['flagged']} of {s['items']} flagged, mean overlap {s['mean_overlap']}")
        for f in c["flagged"][:10]:
            lines.append(f"  {f['overlap']:.2f} {f['set']} {f['id']} ~ {f['doc_id']}: {f['span'][:60]!r}")
    return "\n".join(lines)
