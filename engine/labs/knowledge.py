"""Lab `knowledge`: what makes stored knowledge extractable (Physics of Language Models 3.1).

Three arms, the same people, tokenizer, model, pretraining steps and QA fine-tuning:

* `1`      one biography per person, its sentences in a fixed order, pronouns after the first
           (the paper's bioS single);
* `K`      K biographies per person, every sentence's wording drawn anew, the sentences in a
           fresh order and the full name in each (bioS multiK + permute + fullname);
* `mixed`  the one-biography corpus with the fine-tuning people's QA mixed into pretraining
           (the paper's mixed training; the pretraining stage's `mix_qa`).

Each arm's pretraining is checked for memorisation (the first token of each fact's value,
teacher-forced, in the training biographies), then fine-tuned on QA about half the people and
asked about the other half; held-out accuracy is also measured along the fine-tuning. Two scratch
workspaces in the report folder (one per corpus); checkpoints and token shards are deleted at the
end; report.md (and report.zh_TW.md), numbers.json, answers.jsonl and the small run records stay.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engine.config import knob
from engine.data.corpus import Document
from engine.data.demo import MAX_VERSIONS, DemoConfig, write_demo_world
from engine.data.demo_questions import load_world
from engine.data.shards import is_val, write_shards
from engine.events import Control, Finished, Log, Metrics, Progress
from engine.io.workspace import Workspace
from engine.labs.knowledge_report import ABOUT, TITLE, write_report  # the lab's face is report text
from engine.labs.report import Report
from engine.tokenizer import EOT, save_tokenizer, special_id, train_tokenizer

SPLIT_FRACTION = 0.5  # val_fraction handed to write_shards; document ids are chosen to land on a side
ARMS = {
    "1": "1 version",
    "K": "K versions",
    "mixed": "1 version + mixed QA",
}  # logs, phases (the report: both languages)


@dataclass
class Config:
    versions: int = knob(5, "K: biographies per person in the K arm (the others have 1).", min=2, max=MAX_VERSIONS)
    people: int = knob(
        100, "Fictional people; half are fine-tuned on, the other half are asked about.", min=8, max=2000
    )
    lang: str = knob(
        "en",
        "Biographies and questions in English, Chinese or both (both needs about twice the "
        "pretraining steps for the same memorisation).",
        choices=("en", "zh", "both"),
    )
    stories: int = knob(40, "World stories used as validation text (no arm trains on them).", min=4, max=2000)
    seed: int = knob(0, "Seed of the demo world, initialisation and data order.")
    vocab_size: int = knob(2048, "Tokenizer vocabulary (one tokenizer for every arm).", min=300, max=65536)
    n_layer: int = knob(4, "Transformer blocks.", min=1, max=64)
    n_head: int = knob(4, "Attention heads.", min=1, max=64)
    n_embd: int = knob(128, "Width of the residual stream.", min=8, max=4096)
    block_size: int = knob(128, "Context length in tokens (a biography is ~60).", min=16, max=4096)
    batch_size: int = knob(16, "Pretraining sequences per step.", min=1)
    lr: float = knob(3e-3, "Pretraining peak learning rate.", min=0.0, max=1.0)
    pretrain_steps: int = knob(
        400,
        "Pretraining steps of each arm (the same token budget for all; 400 keep the "
        "lab under 25 minutes on the slowest 2-core machine).",
        min=1,
    )
    mix_qa: float = knob(
        0.2,
        "The mixed arm: share of each pretraining batch that is QA about the fine-tuning people.",
        min=0.01,
        max=0.9,
    )
    sft_steps: int = knob(200, "QA fine-tuning steps of each arm.", min=1)
    sft_lr: float = knob(3e-4, "QA fine-tuning peak learning rate.", min=0.0, max=1.0)
    sft_batch_size: int = knob(16, "QA examples per fine-tuning step.", min=1)
    curve_points: int = knob(
        4,
        "Times held-out accuracy is measured during fine-tuning (the curve), besides before it and at its end.",
        min=0,
        max=50,
    )
    curve_questions: int = knob(60, "Held-out questions asked at each point of the curve.", min=1)
    questions: int = knob(0, "Held-out questions asked at the end (0 = all; the same ones for every arm).", min=0)
    train_questions: int = knob(60, "Questions about fine-tuning people also asked (0 = none).", min=0)
    max_new_tokens: int = knob(32, "Tokens generated per answer.", min=4, max=512)
    examples: int = knob(6, "Held-out answers shown in the report.", min=0, max=100)
    threads: int = knob(
        1,
        "CPU threads for torch (0 = torch's default). One is fastest for this small "
        "model on a busy 2-core machine: spare threads spin against other processes.",
        min=0,
    )
    keep_checkpoints: bool = knob(False, "Keep the scratch checkpoints and token shards.")


SMALLEST = {
    "versions": 2,
    "people": 8,
    "stories": 4,
    "vocab_size": 300,
    "n_layer": 1,
    "n_head": 2,
    "n_embd": 16,
    "block_size": 96,
    "batch_size": 4,
    "pretrain_steps": 6,
    "sft_steps": 4,
    "sft_batch_size": 4,
    "curve_points": 1,
    "curve_questions": 4,
    "max_new_tokens": 6,
    "train_questions": 4,
    "examples": 2,
    "threads": 1,
}


# --------------------------------------------------------------------------- data


def _langs(cfg: Config) -> tuple[str, ...]:
    return ("en", "zh") if cfg.lang == "both" else (cfg.lang,)


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _side_id(base: str, val: bool) -> str:
    """`base` with the first suffix whose hash puts it in the wanted split of write_shards."""
    for n in itertools.count():
        doc_id = f"{base}#{n}"
        if is_val(doc_id, 0, SPLIT_FRACTION) == val:
            return doc_id
    raise AssertionError  # unreachable


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _make_world(folder: Path, cfg: Config, varied: bool) -> tuple[Workspace, list[dict], list[dict]]:
    """A scratch workspace with the demo world (K varied biographies, or one plain one per person);
    returns (ws, biographies in the lab's languages, stories)."""
    ws = Workspace.create(folder)
    write_demo_world(
        ws.root,
        DemoConfig(
            seed=cfg.seed,
            people=cfg.people,
            stories=cfg.stories,
            augment_versions=cfg.versions if varied else 1,
            permute=varied,
            fullname=varied,
            practice=False,  # no RL here: half the people fine-tuned on, the other half asked about
        ),
    )
    docs = _read_jsonl(ws.corpus_dir / "demo.jsonl")
    langs = _langs(cfg)
    bios = sorted(
        (d for d in docs if d["metadata"]["kind"] == "bio" and d["metadata"]["lang"] in langs), key=lambda d: d["id"]
    )
    stories = sorted(
        (d for d in docs if d["metadata"]["kind"] == "story" and d["metadata"]["lang"] in langs), key=lambda d: d["id"]
    )
    if not stories:  # one story in the other language is still validation text
        stories = sorted((d for d in docs if d["metadata"]["kind"] == "story"), key=lambda d: d["id"])
    for split in ("train", "heldout"):  # QA in the lab's languages only (no chat examples)
        path = ws.data_dir / "sft" / f"{split}.jsonl"
        _write_jsonl(
            path, [r for r in _read_jsonl(path) if r["metadata"]["kind"] == "qa" and r["metadata"]["lang"] in langs]
        )
    return ws, bios, stories


def _write_tokens(
    ws: Workspace, tok, tok_hash: str, bios: list[dict], stories: list[dict], budget_tokens: int, seed: int
) -> Iterator:
    """Token shards: the biographies repeated in fresh orders until the budget is covered (train),
    the stories (val). Yields Progress; returns the shard meta."""
    lengths = [len(e.ids) + 1 for e in tok.encode_batch([b["text"] for b in bios], add_special_tokens=False)]
    copies = max(1, math.ceil(budget_tokens * 1.05 / max(1, sum(lengths))))
    rng = random.Random(f"knowledge:{seed}:order")

    def docs():
        for s in stories:
            yield Document(_side_id(s["id"], True), s["text"])
        for c in range(copies):
            order = list(range(len(bios)))
            rng.shuffle(order)
            for i in order:
                yield Document(_side_id(f"{bios[i]['id']}@{c}", False), bios[i]["text"])

    writer = write_shards(docs(), tok, ws.tokens_dir, special_id(tok, EOT), tok_hash, SPLIT_FRACTION, 0)
    t0 = time.perf_counter()
    while True:
        try:
            n, tokens = next(writer)
        except StopIteration as stop:
            return {**stop.value, "copies": copies}
        el = time.perf_counter() - t0
        yield Progress(n, len(stories) + copies * len(bios), tokens, tokens / max(el, 1e-9), el, None, unit="docs")


def _questions(ws: Workspace, split: str, limit: int) -> list[dict]:
    """The demo's single-fact questions of one split, spread over people and fields when limited
    (the same ones for every arm)."""
    from engine.data.demo_questions import demo_questions

    out = demo_questions(ws, split)
    if limit and len(out) > limit:
        out = random.Random(f"knowledge:{split}").sample(out, limit)
    return out


# --------------------------------------------------------------------------- training and evaluation


def _drive(gen, tag: str, curves: dict, result: dict) -> Iterator:
    """Pass a stage's Log and Progress on (tagged); keep its losses and its Finished result."""
    for ev in gen:
        if isinstance(ev, Finished):
            result.update(ev.result, status=ev.status)
        elif isinstance(ev, Metrics):
            for k in ("train/loss", "val/loss"):
                if k in ev.values:
                    curves.setdefault(k, []).append((ev.step, ev.values[k]))
        elif isinstance(ev, Log):
            yield Log(f"[{tag}] {ev.message}", ev.level)
        elif isinstance(ev, Progress):
            yield ev


def _load(ws: Workspace, checkpoint: str):
    from engine import checkpoint as ckpt
    from engine.tokenizer import tokenizer_hash

    return ckpt.load_gpt(Path(checkpoint), "cpu", tokenizer_hash(ws.tokenizer_path))[0]


def _answer_all(model, tok, questions: list[dict], cfg: Config, control: Control, tag: str) -> Iterator:
    """Greedy answers to every question; yields Progress, returns [(question, answer, exact, contains)]."""
    from engine.compare import knowledge as K
    from engine.generate import SamplingConfig, chat

    sc = SamplingConfig(greedy=True, max_new_tokens=cfg.max_new_tokens)
    out, t0, last = [], time.perf_counter(), 0.0
    for i, q in enumerate(questions, 1):
        if control.cancelled:
            return out
        text = chat(model, tok, q["messages"], sc).text.strip()
        out.append((q, text, K.exact_match(text, q["fact"], q["field"], q["lang"]), K.contains(text, q["fact"])))
        el = time.perf_counter() - t0
        if el - last >= 1.0 or i == len(questions):
            last = el
            yield Progress(
                i, len(questions), i, i / max(el, 1e-9), el, (len(questions) - i) * el / i, unit=f"{tag} answers"
            )
    return out


def _share(hits) -> float:
    hits = list(hits)
    return round(sum(hits) / len(hits), 4) if hits else 0.0


def _by_field(answers) -> dict:
    by: dict[str, list[bool]] = {}
    for q, _, exact, _ in answers:
        by.setdefault(q["field"], []).append(exact)
    return {f: _share(v) for f, v in sorted(by.items())}


def _cleanup(folders: list[Path]) -> None:
    for f in folders:
        shutil.rmtree(f / "tokens", ignore_errors=True)
        for c in (f / "runs").glob("*/checkpoints"):
            shutil.rmtree(c, ignore_errors=True)


# --------------------------------------------------------------------------- the lab


def run(ws: Workspace, cfg: Config | None = None, control: Control | None = None) -> Iterator:
    from engine import checkpoint as ckpt
    from engine.compare import knowledge as K
    from engine.labs.common import threads_set
    from engine.train import pretrain, sft

    cfg = cfg or Config()
    control = control or Control()
    t_start = time.perf_counter()
    rep = Report.create(ws, "knowledge", TITLE)
    folders = {"single": rep.folder / "k1", "multi": rep.folder / "kK"}
    world_of = {"1": "single", "K": "multi", "mixed": "single"}
    phases: dict[str, float] = {}

    def cancelled(what: str) -> Finished:
        if not cfg.keep_checkpoints:
            _cleanup(list(folders.values()))
        return Finished("cancelled", {"report": None, "folder": str(rep.folder), "stopped_in": what})

    try:
        with threads_set(cfg.threads):
            # -- data: two corpora of the same people, one tokenizer ---------------------------------
            t = time.perf_counter()
            yield Log(f"demo world: {cfg.people} people, 1 and {cfg.versions} biographies per person ({cfg.lang})")
            made = {key: _make_world(folders[key], cfg, key == "multi") for key in folders}
            wss = {key: m[0] for key, m in made.items()}
            same = {
                split: _sha(wss["single"].data_dir / "sft" / f"{split}.jsonl")
                == _sha(wss["multi"].data_dir / "sft" / f"{split}.jsonl")
                for split in ("train", "heldout")
            }
            if not all(same.values()):
                raise AssertionError(f"the two worlds' QA files differ: {same}")
            world = load_world(wss["multi"])
            splits = {p["id"]: p["split"] for p in world["people"]}
            sft_data = wss["multi"].data_dir / "sft" / "train.jsonl"
            texts = [d["text"] for d in made["multi"][1] + made["multi"][2]]
            texts += [m["content"] for r in _read_jsonl(sft_data) for m in r["messages"]]
            tok = train_tokenizer(texts, cfg.vocab_size)
            tok_hash = ""
            for w in wss.values():
                tok_hash = save_tokenizer(tok, w.tokenizer_path)
            budget = cfg.pretrain_steps * cfg.batch_size * cfg.block_size
            shard_meta = {}
            for key in folders:
                yield Log(f"token shards for the {key} corpus")
                shard_meta[key] = yield from _write_tokens(
                    wss[key], tok, tok_hash, made[key][1], made[key][2], budget, cfg.seed
                )
            heldout = _questions(wss["multi"], "heldout", cfg.questions)
            curve_qs = (
                heldout
                if len(heldout) <= cfg.curve_questions
                else random.Random(f"knowledge:curve:{cfg.seed}").sample(heldout, cfg.curve_questions)
            )
            train_qs = _questions(wss["multi"], "train", cfg.train_questions) if cfg.train_questions else []
            phases["data"] = time.perf_counter() - t
            if control.cancelled:
                return (yield cancelled("data"))

            # -- each arm: pretrain, memorisation, QA fine-tuning with a curve, questions ------------
            curves: dict[str, dict] = {}
            results: dict[str, dict] = {}
            every = max(1, cfg.sft_steps // (cfg.curve_points + 1)) if cfg.curve_points else cfg.sft_steps
            for arm, label in ARMS.items():
                w = wss[world_of[arm]]
                t = time.perf_counter()
                mix = cfg.mix_qa if arm == "mixed" else 0.0
                yield Log(
                    f"pretraining, {label}: {cfg.pretrain_steps} steps"
                    + (f", {mix:.0%} of each batch QA" if mix else "")
                )
                pre: dict = {}
                curves[arm] = {}
                yield from _drive(
                    pretrain.run(
                        w,
                        pretrain.make_config(
                            sets={
                                "n_layer": cfg.n_layer,
                                "n_head": cfg.n_head,
                                "n_embd": cfg.n_embd,
                                "block_size": cfg.block_size,
                                "batch_size": cfg.batch_size,
                                "lr": cfg.lr,
                                "max_steps": cfg.pretrain_steps,
                                "mix_qa": mix,
                                "mix_data": str(sft_data),
                                "warmup_steps": min(50, max(1, cfg.pretrain_steps // 10)),
                                "eval_every": max(1, cfg.pretrain_steps // 10),
                                "eval_batches": 4,
                                "sample_every": 0,
                                "checkpoint_every": cfg.pretrain_steps,
                                "seed": cfg.seed,
                                "threads": cfg.threads,
                            }
                        ),
                        control,
                    ),
                    label,
                    curves[arm],
                    pre,
                )
                phases[f"pretrain {label}"] = time.perf_counter() - t
                if control.cancelled or pre.get("status") != "done":
                    return (yield cancelled(f"pretraining ({label})"))

                t = time.perf_counter()
                base = _load(w, pre["checkpoint"])
                mem = K.memorisation(base, tok, made[world_of[arm]][1], splits)
                yield Log(f"{label}: memorised {mem['all']:.1%} of the facts in its biographies")
                base_answers = yield from _answer_all(base, tok, curve_qs, cfg, control, f"{label} base")
                yield Log(f"fine-tuning on QA ({label}): {cfg.sft_steps} steps")
                fin: dict = {}
                yield from _drive(
                    sft.run(
                        w,
                        sft.make_config(
                            sets={
                                "base": pre["checkpoint"],
                                "data": str(sft_data),
                                "max_steps": cfg.sft_steps,
                                "lr": cfg.sft_lr,
                                "batch_size": cfg.sft_batch_size,
                                "warmup_steps": min(20, max(1, cfg.sft_steps // 10)),
                                "eval_every": max(1, cfg.sft_steps // 4),
                                "sample_every": 0,
                                "eval_prompts": 0,
                                "checkpoint_every": every,
                                "keep_last": cfg.curve_points + 2,
                                "seed": cfg.seed,
                                "threads": cfg.threads,
                                "replay": 0.0,  # the QA set alone, as the paper fine-tunes
                            }
                        ),
                        control,
                    ),
                    label + " SFT",
                    {},
                    fin,
                )
                if control.cancelled or fin.get("status") != "done":
                    return (yield cancelled(f"fine-tuning ({label})"))
                curve = [(0, _share(a[2] for a in base_answers))]
                for c in ckpt.list_checkpoints(Path(fin["checkpoint"]).parent)[:-1]:
                    step = int(c.name.split("_")[-1])
                    ans = yield from _answer_all(_load(w, str(c)), tok, curve_qs, cfg, control, f"{label} step {step}")
                    curve.append((step, _share(a[2] for a in ans)))
                model = _load(w, fin["checkpoint"])
                ans_h = yield from _answer_all(model, tok, heldout, cfg, control, label)
                ans_t = yield from _answer_all(model, tok, train_qs, cfg, control, label + " (SFT people)")
                if control.cancelled:
                    return (yield cancelled(f"questions ({label})"))
                probes = [p for q in heldout if (p := K.answer_opening(q["messages"], q["answer"], q["fact"], tok))]
                first = K.first_token_hits(model, probes)
                acc = _share(a[2] for a in ans_h)
                curve.append((cfg.sft_steps, acc))
                phases[f"SFT and questions {label}"] = time.perf_counter() - t
                results[arm] = {
                    "label": label,
                    "accuracy": acc,
                    "contains": _share(a[3] for a in ans_h),
                    "first_token": _share(first),
                    "by_field": _by_field(ans_h),
                    "train_accuracy": _share(a[2] for a in ans_t) if ans_t else None,
                    "memorisation": mem,
                    "curve": curve,
                    "answers": ans_h,
                    "pretrain_train_loss": pre.get("final_train_loss"),
                    "pretrain_val_loss": pre.get("val_loss"),
                    "sft_val_loss": fin.get("val_loss"),
                    "tokens": pre.get("tokens"),
                    "corpus_tokens": shard_meta[world_of[arm]]["splits"]["train"]["tokens"]
                    // shard_meta[world_of[arm]]["copies"],
                    "bios": len(made[world_of[arm]][1]),
                }
                yield Log(f"{label}: held-out QA accuracy {acc:.1%} (memorised {mem['all']:.1%})")
                del model, base

            # -- report ----------------------------------------------------------------------------
            chance = K.chance_by_field(world, heldout)
            numbers = write_report(
                rep,
                ABOUT,
                cfg,
                results,
                curves,
                chance,
                heldout,
                curve_qs,
                train_qs,
                same,
                phases,
                time.perf_counter() - t_start,
            )
    finally:
        if not cfg.keep_checkpoints:
            _cleanup(list(folders.values()))
    yield Finished("done", numbers)
