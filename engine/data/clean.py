"""Stage 0, data cleaning: raw sources → normalise → rules → exact dedup → near dedup → quality
→ clean JSONL shards (text, id, metadata) and a report with the funnel.

    for event in clean.run(ws, cfg, control): ...

Per-document steps (normalise, rules) can run on several processes (`workers`); the steps
that remember what they have seen (dedup) and the writer run in order in this process, so the
output is the same whatever the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterator

from engine.config import build_sectioned, knob, to_dict, to_toml
from engine.data.dedup import ExactDedup, ExactDedupConfig, NearDedup, NearDedupConfig
from engine.data.quality import QualityConfig, QualityFilter, train_quality_model
from engine.data.readers import ReaderConfig, SourceReader
from engine.data.rules import Normalize, NormalizeConfig, Rules, RulesConfig
from engine.data.steps import Doc
from engine.errors import DojoError
from engine.events import Control, Finished, Log, Progress
from engine.io.fsutil import atomic_write_text, building_dir, check_output_dir, replace_dir
from engine.io.store import Store
from engine.io.workspace import Workspace

STAGE = "data"
CHUNK = 256  # documents per task sent to a worker process
AHEAD = 4  # chunks in flight per worker: results never pile up faster than the in-order steps take them
EXAMPLE_CHARS = 400


@dataclass
class CleanConfig:
    sources: list[str] = knob((), "Files or folders to read (default: the workspace's data/raw, else data/corpus).")
    out: str = knob("", "Output folder (default: the workspace's data/clean).")
    reference: str = knob("", "A folder of good text for the quality model (default: data/reference if present).")
    workers: int = knob(1, "Processes for the per-document steps.", min=1, max=64)
    shard_docs: int = knob(50_000, "Documents per output shard.", min=1)
    examples_per_reason: int = knob(5, "Rejected examples kept in the report per reason.", min=0)
    quality_keep_reference: float = knob(
        0.99,
        "With quality.threshold 0 (auto): the threshold keeps this share of held-out reference documents.",
        min=0.5,
        max=1.0,
    )
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    exact_dedup: ExactDedupConfig = field(default_factory=ExactDedupConfig)
    near_dedup: NearDedupConfig = field(default_factory=NearDedupConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> CleanConfig:
    cfg = build_sectioned(CleanConfig, toml, sets, toml_name)
    cfg.sources = list(cfg.sources)
    return cfg


# -- per-document steps, possibly in worker processes -------------------------------------------
_local_steps = None


def _init_worker(cfg_dict: dict):
    global _local_steps
    cfg = make_config(cfg_dict)
    _local_steps = [Normalize(cfg.normalize), Rules(cfg.rules)]


def _apply_local(docs: list[Doc]) -> list[tuple[Doc, str | None, str | None]]:
    """(doc, the step that dropped it, why) for each document; rewritten text travels back."""
    out = []
    for doc in docs:
        dropped = None
        for step in _local_steps:
            reason = step.apply(doc)
            if reason:
                dropped = (step.name, reason)
                break
        out.append((doc, *(dropped or (None, None))))
    return out


def _chunks(it, n):
    it = iter(it)
    while chunk := list(islice(it, n)):
        yield chunk


def _ordered_map(pool, fn, chunks, ahead: int):
    """`pool.imap(fn, chunks)` with at most `ahead` chunks read and not yet taken: imap reads its
    input and collects results as fast as the workers go, so when the in-order steps are the slower
    side the whole corpus would pile up in this process."""
    pending = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(fn, (chunk,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


# -- the funnel ------------------------------------------------------------------------------
@dataclass
class _Count:
    documents: int = 0
    chars: int = 0
    est_tokens: float = 0.0

    def add(self, size: tuple[int, float], times: int = 1):
        self.documents += times
        self.chars += size[0] * times
        self.est_tokens += size[1] * times


def _size(text: str) -> tuple[int, float]:
    """Characters and estimated tokens (rough chars per token by script), measured once per text."""
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    return len(text), cjk / 1.5 + (len(text) - cjk) / 4.0


class _Report:
    def __init__(self, step_names: list[str], examples: int):
        self.counts = {name: _Count() for name in ["input", *step_names, "output"]}
        self.reasons: dict[str, Counter] = {name: Counter() for name in step_names}
        self.examples: dict[str, list[dict]] = {}
        self.max_examples = examples

    def drop(self, step: str, reason: str, doc: Doc):
        self.reasons[step][reason] += 1
        key = f"{step}/{reason}"
        ex = self.examples.setdefault(key, [])
        if len(ex) < self.max_examples:
            ex.append({"id": doc.id, "source": doc.metadata.get("source"), "text": doc.text[:EXAMPLE_CHARS]})

    def funnel(self) -> list[dict]:
        first = self.counts["input"]
        out = []
        for step, c in self.counts.items():
            out.append(
                {
                    "step": step,
                    "documents": c.documents,
                    "chars": c.chars,
                    "est_tokens": round(c.est_tokens),
                    "documents_pct": round(100 * c.documents / max(1, first.documents), 2),
                    "chars_pct": round(100 * c.chars / max(1, first.chars), 2),
                }
            )
        return out


class _ShardWriter:
    def __init__(self, folder: Path, shard_docs: int):
        self.folder, self.shard_docs = folder, shard_docs
        self.files: list[str] = []
        self._fh, self._n = None, 0

    def write(self, doc: Doc):
        if self._fh is None or self._n >= self.shard_docs:
            self.close()
            name = f"part-{len(self.files):05d}.jsonl"
            self.files.append(name)
            self._fh = open(self.folder / name, "w", encoding="utf-8")
            self._n = 0
        meta = dict(doc.metadata)
        doc_id = str(meta.pop("orig_id", doc.id))  # the input's own id when it had one; else file:line
        self._fh.write(json.dumps({"text": doc.text, "id": doc_id, "metadata": meta}, ensure_ascii=False) + "\n")
        self._n += 1

    def close(self):
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None


def default_sources(ws: Workspace) -> list[Path]:
    raw = ws.data_dir / "raw"
    if raw.is_dir() and any(raw.iterdir()):
        return [raw]
    return [ws.corpus_dir]


def preview(ws: Workspace, cfg: CleanConfig, n: int = 500) -> Iterator:
    """What normalisation and the rules would drop among the first `n` documents (a quick job)."""
    sources = [Path(s) for s in cfg.sources] or default_sources(ws)
    _init_worker(to_dict(cfg))
    docs = list(islice(SourceReader(sources, cfg.reader), n))
    dropped = Counter(f"{step}/{reason}" for _, step, reason in _apply_local(docs) if reason)
    yield Finished("done", {"documents": len(docs), "dropped": dict(dropped)})


def _train_quality(cfg: CleanConfig, ws: Workspace, sources: list[Path]):
    """A quality model from the reference set vs the raw sources, or None (with why)."""
    ref = Path(cfg.reference) if cfg.reference else ws.data_dir / "reference"
    if not cfg.quality.enabled:
        return None, "quality filter off"
    if not ref.exists():
        return None, f"no reference set at {ref}: quality filter skipped"
    good = [d.text for d in islice(SourceReader([ref], cfg.reader), cfg.quality.max_train_docs)]
    # Negatives: raw documents that normalisation or the rules reject. Plain raw text would do when
    # most of it is bad (a web crawl); when most of it is good, "raw" would teach the model the
    # names and topics of the good documents themselves as bad.
    _init_worker(to_dict(cfg))
    sample = list(islice(SourceReader(sources, cfg.reader), 5 * cfg.quality.max_train_docs))
    raw = [d.text for d, _, why in _apply_local(sample) if why][: cfg.quality.max_train_docs]
    if len(raw) < 20:  # too few rejects to learn from: fall back to the raw sample
        raw = [d.text for d in sample[: cfg.quality.max_train_docs]]
    if len(good) < 20 or len(raw) < 10:
        return None, "too little text to train the quality model: quality filter skipped"
    # Hold out every tenth reference document: when no threshold is set, keep what scores at least
    # as well as the weakest `keep_reference` share of good text the model has not seen.
    held_out, train = good[::10], [t for i, t in enumerate(good) if i % 10]
    clf = train_quality_model(train, raw, cfg.quality)
    note = f"quality model trained on {len(train)} reference and {len(raw)} rejected raw documents"
    if cfg.quality.threshold <= 0:
        scores = sorted(clf.score(t) for t in held_out)
        cfg.quality.threshold = round(scores[int((1 - cfg.quality_keep_reference) * (len(scores) - 1))], 4)
        note += f"; threshold {cfg.quality.threshold} keeps {cfg.quality_keep_reference:.0%} of held-out reference text"
    return clf, note


def _finish(doc: Doc, size, steps, report: _Report, writer: _ShardWriter, cfg: CleanConfig) -> int:
    """The in-order steps, then the output; returns 1 when the document was upsampled."""
    for step in steps:
        why = step.apply(doc)
        if why:
            report.drop(step.name, why, doc)
            return 0
        report.counts[step.name].add(size)
    q = doc.metadata.get("quality")
    times = (
        cfg.quality.upsample_times
        if (cfg.quality.upsample_threshold > 0 and q is not None and q >= cfg.quality.upsample_threshold)
        else 1
    )
    for k in range(times):  # high-quality text seen more often, as GPT-3 weighted its best sources
        writer.write(doc if k == 0 else Doc(f"{doc.id}#{k + 1}", doc.text, {**doc.metadata, "copy": k + 1}))
    report.counts["output"].add(size, times)
    return int(times > 1)


def run(ws: Workspace, cfg: CleanConfig | None = None, control: Control | None = None) -> Iterator:
    cfg = cfg or make_config()
    control = control or Control()
    t0 = time.perf_counter()
    ws.require_writable("cleaning")  # it records its run in the workspace, wherever its output goes
    sources = [Path(s) for s in cfg.sources] or default_sources(ws)
    for s in sources:
        if not s.exists():
            raise DojoError(f"source not found: {s}")
    out_dir = Path(cfg.out) if cfg.out else ws.data_dir / "clean"
    check_output_dir(
        out_dir,
        "clean",
        legacy=lambda f: (f / "report.json").is_file() and (f / "config.toml").is_file(),
        sources=sources,
        workspace=ws.root,
    )
    building = building_dir(out_dir)
    try:
        return (yield from _clean_into(ws, cfg, control, sources, out_dir, building, t0))
    except BaseException:  # a failure, or the job closed mid-way: no half-built folder stays
        shutil.rmtree(building, ignore_errors=True)
        raise


def _clean_into(
    ws: Workspace, cfg: CleanConfig, control: Control, sources: list[Path], out_dir: Path, building: Path, t0: float
) -> Iterator:

    clf, note = _train_quality(cfg, ws, sources)
    yield Log(note)
    steps_after = [ExactDedup(cfg.exact_dedup), NearDedup(cfg.near_dedup)]
    if clf is not None:
        steps_after.append(QualityFilter(clf, cfg.quality))
    names = ["normalize", "rules"] + [s.name for s in steps_after]
    report = _Report(names, cfg.examples_per_reason)
    (building / "_rejects").mkdir()
    reader = SourceReader(sources, cfg.reader, rejects_path=building / "_rejects" / "bad_records.jsonl")
    writer = _ShardWriter(building, cfg.shard_docs)
    upsampled = 0

    def input_docs():
        for doc in reader:
            report.counts["input"].add(_size(doc.text))
            yield doc

    pool = None
    if cfg.workers > 1:
        ctx = multiprocessing.get_context("spawn")  # fork would copy torch's threads and locks
        pool = ctx.Pool(cfg.workers, initializer=_init_worker, initargs=(to_dict(cfg),))
        results = (
            r
            for chunk in _ordered_map(pool, _apply_local, _chunks(input_docs(), CHUNK), AHEAD * cfg.workers)
            for r in chunk
        )
    else:
        _init_worker(to_dict(cfg))
        results = (r for chunk in _chunks(input_docs(), CHUNK) for r in _apply_local(chunk))
    try:
        local = ["normalize", "rules"]
        for n, (doc, step_name, reason) in enumerate(results, 1):
            size = _size(doc.text)  # the text the later steps see; it no longer changes
            for passed in local if reason is None else local[: local.index(step_name)]:
                report.counts[passed].add(size)
            if reason:
                report.drop(step_name, reason, doc)
            else:
                upsampled += _finish(doc, size, steps_after, report, writer, cfg)
            if n % 1000 == 0:
                el = time.perf_counter() - t0
                yield Progress(
                    n,
                    None,
                    report.counts["input"].chars,
                    report.counts["input"].chars / max(el, 1e-9),
                    el,
                    None,
                    unit="docs",
                )
                if control.cancelled:
                    break
                control.wait_while_paused()
    finally:
        writer.close()
        if pool is not None:
            pool.terminate()
            pool.join()
    if control.cancelled:
        shutil.rmtree(building, ignore_errors=True)
        yield Finished("cancelled", {})
        return
    if report.counts["input"].documents == 0:
        shutil.rmtree(building, ignore_errors=True)
        skipped = "; ".join(f"{s.path}: {s.reason}" for s in reader.skipped[:5])
        raise DojoError(
            "no input: no readable documents in "
            + ", ".join(map(str, sources))
            + (f" (skipped {skipped})" if skipped else "")
        )

    extra = {s.name: s.close() for s in steps_after}
    result = {
        "out": str(out_dir),
        "files": writer.files,
        "funnel": [
            {k: f[k] for k in ("step", "documents", "chars", "est_tokens", "documents_pct", "chars_pct")}
            for f in report.funnel()
        ],
        "reasons": {step: dict(c) for step, c in report.reasons.items()},
        "skipped_inputs": [{"path": s.path, "reason": s.reason} for s in reader.skipped],
        "bad_records": reader.n_bad,
        "input_stats": reader.stats,
        "upsampled_docs": upsampled,
        "examples": report.examples,
        "steps": extra,
        "quality_note": note,
        "seconds": round(time.perf_counter() - t0, 2),
        "config": to_dict(cfg),
    }
    atomic_write_text(building / "report.json", json.dumps(result, ensure_ascii=False, indent=1))
    atomic_write_text(building / "config.toml", to_toml(cfg))
    replace_dir(building, out_dir, "clean")
    with Store(ws.db_path) as store:
        run_id = f"clean-{time.strftime('%Y%m%d-%H%M%S')}-{int(time.time() * 1000) % 1000:03d}"
        store.create_run(run_id, STAGE, to_dict(cfg), f"lmdojo-cli clean {ws.root}")
        store.save_report(run_id, result)
        store.set_status(run_id, "done")
    result["run"] = run_id
    yield Finished("done", result)
