"""Lab `knowledge`: knowledge extraction needs varied biographies (Physics of Language Models 3.1).

Two scratch workspaces in the report folder, `k1` and `kK`: the same demo people (same seed),
with 1 and with K paraphrased biographies per person. Both share one tokenizer, pretrain the same
model for the same steps on their biographies (the corpus repeated in fresh orders, so no
biography is always cut at the same window edge), fine-tune on the same QA about half the people,
and answer the same questions about the other half. Checkpoints and token shards are deleted at
the end; report.md, numbers.json and the small run records stay.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from engine.config import knob
from engine.data.corpus import Document
from engine.data.demo import MAX_VERSIONS, DemoConfig, fact_value, write_demo_world
from engine.data.shards import is_val, write_shards
from engine.events import Control, Finished, Log, Metrics, Progress
from engine.labs.report import Report
from engine.tokenizer import EOT, special_id, train_tokenizer, save_tokenizer
from engine.workspace import Workspace

TITLE = "Knowledge extraction: one biography or K paraphrases (Physics of Language Models 3.1)"
ABOUT = (
    "Allen-Zhu & Li (Physics of Language Models, part 3.1) pretrained GPT models on biographies of "
    "fictional people, fine-tuned them to answer questions (birthday, city, employer …) about half "
    "of the people, and asked about the other half. With one biography per person the model "
    "memorised the text yet answered almost nothing about the held-out people (~10%); with several "
    "paraphrases of each biography it answered ~96%: varied wording makes the model store each fact "
    "with the person's name, where fine-tuning can find it, instead of as the continuation of one "
    "sentence. This lab does the same on the demo world: two pretraining runs, one with 1 and one "
    "with K paraphrases per person (same model, same steps), the same QA fine-tuning on half the "
    "people, and the same held-out questions. Read the bar plot (held-out accuracy of both), the "
    "per-fact table against the 'chance' column (always answering the commonest value), and the "
    "QA accuracy on the fine-tuning people themselves, which shows that both models did learn to "
    "answer; the gap is on people they only read about.")

SPLIT_FRACTION = 0.5  # val_fraction handed to write_shards; document ids are chosen to land on a side


@dataclass
class Config:
    versions: int = knob(6, "K: paraphrased biographies per person in the second run (the first has 1).",
                         min=2, max=MAX_VERSIONS)
    people: int = knob(100, "Fictional people; half are fine-tuned on, the other half are asked about.",
                       min=8, max=2000)
    lang: str = knob("en", "Biographies and questions in English, Chinese or both (both halves the "
                     "training each language gets).", choices=("en", "zh", "both"))
    stories: int = knob(60, "World stories used as validation text (neither run trains on them).", min=4, max=2000)
    seed: int = knob(0, "Seed of the demo world, initialisation and data order.")
    vocab_size: int = knob(2048, "Tokenizer vocabulary (one tokenizer for both runs).", min=300, max=65536)
    n_layer: int = knob(4, "Transformer blocks.", min=1, max=64)
    n_head: int = knob(4, "Attention heads.", min=1, max=64)
    n_embd: int = knob(128, "Width of the residual stream.", min=8, max=4096)
    block_size: int = knob(128, "Context length in tokens (a biography is ~80).", min=16, max=4096)
    batch_size: int = knob(16, "Pretraining sequences per step.", min=1)
    lr: float = knob(3e-3, "Pretraining peak learning rate.", min=0.0, max=1.0)
    pretrain_steps: int = knob(1000, "Pretraining steps of each run (the same token budget for both).", min=1)
    sft_steps: int = knob(300, "QA fine-tuning steps of each run.", min=1)
    sft_lr: float = knob(1e-3, "QA fine-tuning peak learning rate.", min=0.0, max=1.0)
    sft_batch_size: int = knob(16, "QA examples per fine-tuning step.", min=1)
    questions: int = knob(0, "Held-out questions asked (0 = all of them; the same ones for both runs).", min=0)
    train_questions: int = knob(60, "Questions about fine-tuning people also asked (0 = none).", min=0)
    max_new_tokens: int = knob(32, "Tokens generated per answer.", min=4, max=512)
    examples: int = knob(6, "Held-out answers shown in the report.", min=0, max=100)
    threads: int = knob(1, "CPU threads for torch (0 = torch's default). One is fastest for this small "
                         "model on a busy 2-core machine: spare threads spin against other processes.", min=0)
    keep_checkpoints: bool = knob(False, "Keep the scratch checkpoints and token shards.")


SMALLEST = {"versions": 2, "people": 8, "stories": 4, "vocab_size": 300, "n_layer": 1, "n_head": 2,
            "n_embd": 16, "block_size": 96, "batch_size": 4, "pretrain_steps": 6, "sft_steps": 4,
            "sft_batch_size": 4, "max_new_tokens": 6, "train_questions": 4, "examples": 2, "threads": 1}


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


def _make_world(folder: Path, cfg: Config, versions: int) -> tuple[Workspace, list[dict], list[dict]]:
    """A scratch workspace with the demo world; (ws, biographies in the lab's languages, stories)."""
    ws = Workspace.create(folder)
    write_demo_world(ws.root, DemoConfig(seed=cfg.seed, people=cfg.people, augment_versions=versions,
                                         stories=cfg.stories))
    docs = _read_jsonl(ws.corpus_dir / "demo.jsonl")
    langs = _langs(cfg)
    bios = sorted((d for d in docs if d["metadata"]["kind"] == "bio" and d["metadata"]["lang"] in langs),
                  key=lambda d: d["id"])
    stories = sorted((d for d in docs if d["metadata"]["kind"] == "story" and d["metadata"]["lang"] in langs),
                     key=lambda d: d["id"])
    if not stories:  # one story in the other language is still validation text
        stories = sorted((d for d in docs if d["metadata"]["kind"] == "story"), key=lambda d: d["id"])
    for split in ("train", "heldout"):  # QA in the lab's languages only (no chat examples)
        path = ws.data_dir / "sft" / f"{split}.jsonl"
        _write_jsonl(path, [r for r in _read_jsonl(path)
                            if r["metadata"]["kind"] == "qa" and r["metadata"]["lang"] in langs])
    return ws, bios, stories


def _write_tokens(ws: Workspace, tok, tok_hash: str, bios: list[dict], stories: list[dict],
                  budget_tokens: int, seed: int) -> Iterator:
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


def _chance(world: dict, questions: list[dict], langs) -> dict:
    """Accuracy of always answering a field's commonest value among the fine-tuning people."""
    sft_people = [p for p in world["people"] if p["split"] == "sft"]
    best = {}
    for field in world["fields"]:
        for lang in langs:
            counts = Counter(fact_value(p, field, lang) for p in sft_people)
            best[(field, lang)] = counts.most_common(1)[0][0] if counts else ""
    hits: dict[str, list[int]] = {}
    for q in questions:
        guess = best.get((q["field"], q["lang"]), "")
        hits.setdefault(q["field"], []).append(bool(guess) and q["fact"].lower() == guess.lower())
    total = [h for v in hits.values() for h in v]
    return {"all": sum(total) / max(1, len(total)), **{f: sum(v) / len(v) for f, v in hits.items()}}


def _questions(ws: Workspace, split: str, limit: int, world: dict) -> list[dict]:
    """Single-fact questions of data/sft/{split}.jsonl with their fact, field, language and person."""
    people = {p["id"]: p for p in world["people"]}
    out = []
    for rec in _read_jsonl(ws.data_dir / "sft" / f"{split}.jsonl"):
        md = rec["metadata"]
        if md.get("kind") != "qa" or len(md.get("fields", [])) != 1 or md.get("person") not in people:
            continue
        field = md["fields"][0]
        out.append({"messages": rec["messages"][:-1], "field": field, "lang": md["lang"], "person": md["person"],
                    "fact": fact_value(people[md["person"]], field, md["lang"])})
    if limit and len(out) > limit:  # spread over people and fields, same for both runs
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


def _answer_all(ws: Workspace, checkpoint: str, questions: list[dict], cfg: Config, control: Control,
                tag: str) -> Iterator:
    """Greedy answers to every question; yields Progress, returns [(question, answer, right)]."""
    import torch

    from engine import checkpoint as ckpt
    from engine.generate import SamplingConfig, chat
    from engine.tokenizer import load_tokenizer, tokenizer_hash

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    tok = load_tokenizer(ws.tokenizer_path)
    model, _ = ckpt.load_gpt(Path(checkpoint), "cpu", tokenizer_hash(ws.tokenizer_path))
    sc = SamplingConfig(greedy=True, max_new_tokens=cfg.max_new_tokens)
    out, t0, last = [], time.perf_counter(), 0.0
    for i, q in enumerate(questions, 1):
        if control.cancelled:
            return out
        text = chat(model, tok, q["messages"], sc).text
        out.append((q, text, q["fact"].lower() in text.lower()))
        el = time.perf_counter() - t0
        if el - last >= 1.0 or i == len(questions):
            last = el
            yield Progress(i, len(questions), i, i / max(el, 1e-9), el, (len(questions) - i) * el / i,
                           unit=f"{tag} answers")
    return out


def _accuracy(answers) -> tuple[float, dict]:
    by: dict[str, list[bool]] = {}
    for q, _, right in answers:
        by.setdefault(q["field"], []).append(right)
    n = len(answers)
    return (round(sum(r for _, _, r in answers) / n, 4) if n else 0.0,
            {f: round(sum(v) / len(v), 4) for f, v in sorted(by.items())})


def _cleanup(folders: list[Path]) -> None:
    for f in folders:
        shutil.rmtree(f / "tokens", ignore_errors=True)
        for c in (f / "runs").glob("*/checkpoints"):
            shutil.rmtree(c, ignore_errors=True)


# --------------------------------------------------------------------------- the lab

def run(ws: Workspace, cfg: Config | None = None, control: Control | None = None) -> Iterator:
    from engine.train import pretrain, sft

    cfg = cfg or Config()
    control = control or Control()
    t_start = time.perf_counter()
    K = cfg.versions
    rep = Report.create(ws, "knowledge", TITLE)
    settings = {"1": ("1 version", 1), "K": (f"{K} versions", K)}
    folders = {key: rep.folder / ("k1" if key == "1" else "kK") for key in settings}
    phases: dict[str, float] = {}

    def cancelled(what: str) -> Finished:
        if not cfg.keep_checkpoints:
            _cleanup(list(folders.values()))
        return Finished("cancelled", {"report": None, "folder": str(rep.folder), "stopped_in": what})

    try:
        # -- data: two worlds of the same people, one tokenizer ------------------------------------
        t = time.perf_counter()
        yield Log(f"demo world: {cfg.people} people, 1 and {K} biographies per person ({cfg.lang})")
        made = {key: _make_world(folders[key], cfg, v) for key, (_, v) in settings.items()}
        wss = {key: m[0] for key, m in made.items()}
        same = {split: _sha(wss["1"].data_dir / "sft" / f"{split}.jsonl") == _sha(wss["K"].data_dir / "sft" / f"{split}.jsonl")
                for split in ("train", "heldout")}
        if not all(same.values()):
            raise AssertionError(f"the two worlds' QA files differ: {same}")
        world = json.loads((wss["K"].data_dir / "world.json").read_text(encoding="utf-8"))
        sft_data = wss["K"].data_dir / "sft" / "train.jsonl"
        texts = [d["text"] for d in made["K"][1] + made["K"][2]]
        texts += [m["content"] for r in _read_jsonl(sft_data) for m in r["messages"]]
        tok = train_tokenizer(texts, cfg.vocab_size)
        tok_hash = ""
        for w in wss.values():
            tok_hash = save_tokenizer(tok, w.tokenizer_path)
        budget = cfg.pretrain_steps * cfg.batch_size * cfg.block_size
        shard_meta = {}
        for key, (label, _) in settings.items():
            yield Log(f"token shards for {label}")
            shard_meta[key] = yield from _write_tokens(wss[key], tok, tok_hash, made[key][1], made[key][2],
                                                       budget, cfg.seed)
        heldout = _questions(wss["K"], "heldout", cfg.questions, world)
        train_qs = _questions(wss["K"], "train", cfg.train_questions, world) if cfg.train_questions else []
        phases["data"] = time.perf_counter() - t
        if control.cancelled:
            return (yield cancelled("data"))

        # -- pretraining, QA fine-tuning, questions: the same recipe for both --------------------
        curves: dict[str, dict] = {}
        results: dict[str, dict] = {}
        for key, (label, _) in settings.items():
            w = wss[key]
            t = time.perf_counter()
            yield Log(f"pretraining on {label} per person: {cfg.pretrain_steps} steps")
            pre: dict = {}
            curves[key] = {}
            yield from _drive(pretrain.run(w, pretrain.make_config(sets={
                "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd, "block_size": cfg.block_size,
                "batch_size": cfg.batch_size, "lr": cfg.lr, "max_steps": cfg.pretrain_steps,
                "warmup_steps": min(50, max(1, cfg.pretrain_steps // 10)),
                "eval_every": max(1, cfg.pretrain_steps // 10), "eval_batches": 4, "sample_every": 0,
                "checkpoint_every": cfg.pretrain_steps, "seed": cfg.seed, "threads": cfg.threads}), control),
                label, curves[key], pre)
            phases[f"pretrain {label}"] = time.perf_counter() - t
            if control.cancelled or pre.get("status") != "done":
                return (yield cancelled(f"pretraining ({label})"))

            t = time.perf_counter()
            yield Log(f"QA fine-tuning ({label}): {cfg.sft_steps} steps on {len(_read_jsonl(sft_data))} examples")
            fin: dict = {}
            yield from _drive(sft.run(w, sft.make_config(sets={
                "base": pre["checkpoint"], "data": str(sft_data), "max_steps": cfg.sft_steps, "lr": cfg.sft_lr,
                "batch_size": cfg.sft_batch_size, "warmup_steps": min(20, max(1, cfg.sft_steps // 10)),
                "eval_every": max(1, cfg.sft_steps // 4), "sample_every": 0, "eval_prompts": 0,
                "checkpoint_every": cfg.sft_steps, "seed": cfg.seed, "threads": cfg.threads}), control),
                label + " SFT", {}, fin)
            phases[f"SFT {label}"] = time.perf_counter() - t
            if control.cancelled or fin.get("status") != "done":
                return (yield cancelled(f"fine-tuning ({label})"))

            t = time.perf_counter()
            yield Log(f"asking {len(heldout)} held-out and {len(train_qs)} fine-tuning questions ({label})")
            ans_h = yield from _answer_all(w, fin["checkpoint"], heldout, cfg, control, label)
            ans_t = yield from _answer_all(w, fin["checkpoint"], train_qs, cfg, control, label + " (SFT people)")
            phases[f"questions {label}"] = time.perf_counter() - t
            if control.cancelled:
                return (yield cancelled(f"questions ({label})"))
            acc, by_field = _accuracy(ans_h)
            results[key] = {"label": label, "accuracy": acc, "by_field": by_field,
                            "train_accuracy": _accuracy(ans_t)[0] if ans_t else None, "answers": ans_h,
                            "pretrain_train_loss": pre.get("final_train_loss"), "pretrain_val_loss": pre.get("val_loss"),
                            "sft_val_loss": fin.get("val_loss"), "tokens": pre.get("tokens"),
                            "corpus_tokens": shard_meta[key]["splits"]["train"]["tokens"] // shard_meta[key]["copies"],
                            "bios": len(made[key][1])}
            yield Log(f"{label}: held-out QA accuracy {acc:.1%}")

        # -- report ------------------------------------------------------------------------------
        chance = _chance(world, heldout, _langs(cfg))
        numbers = _write_report(rep, cfg, results, curves, chance, heldout, train_qs, same, phases,
                                time.perf_counter() - t_start)
    finally:
        if not cfg.keep_checkpoints:
            _cleanup(list(folders.values()))
    yield Finished("done", numbers)


def _params(cfg: Config) -> int:
    """About how many weights the model has: blocks (attention + MLP) and the tied embedding."""
    return 12 * cfg.n_layer * cfg.n_embd ** 2 + cfg.vocab_size * cfg.n_embd


def _size(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _smooth(points: list[tuple[int, float]], n: int = 60) -> tuple[list, list]:
    """At most n points: means over equal runs of steps."""
    if not points:
        return [], []
    size = max(1, len(points) // n)
    xs, ys = [], []
    for i in range(0, len(points), size):
        chunk = points[i : i + size]
        xs.append(chunk[-1][0])
        ys.append(sum(v for _, v in chunk) / len(chunk))
    return xs, ys


def _write_report(rep: Report, cfg: Config, results: dict, curves: dict, chance: dict, heldout: list,
                  train_qs: list, same: dict, phases: dict, seconds: float) -> dict:
    one, many = results["1"], results["K"]
    K = cfg.versions
    a1, aK = one["accuracy"], many["accuracy"]
    ratio = round(aK / a1, 2) if a1 > 0 else None
    rep.text(ABOUT)
    rep.text("## Result")
    rep.plot("accuracy", {"held-out QA accuracy": ([one["label"], many["label"], "chance"],
                                                   [a1, aK, chance["all"]])},
             xlabel="pretraining biographies per person", ylabel="share of right answers",
             title=f"Questions about {len(heldout)} held-out facts", kind="bar")
    ratio_txt = f"{ratio}x" if ratio is not None else "∞ (1 version got none right)"
    rep.text(f"Held-out QA accuracy: **{_pct(a1)}** with 1 biography per person, **{_pct(aK)}** with {K} "
             f"(ratio {ratio_txt}; always answering the commonest value scores {_pct(chance['all'])}). "
             f"On questions about the fine-tuning people themselves: {_pct(one['train_accuracy'])} and "
             f"{_pct(many['train_accuracy'])} ({len(train_qs)} questions).")
    fields = sorted(set(one["by_field"]) | set(many["by_field"]))
    rep.text("### Per fact")
    rep.table(["fact", "questions", "chance", one["label"], many["label"]],
              [[f, sum(q["field"] == f for q in heldout), _pct(chance.get(f, 0.0)), _pct(one["by_field"].get(f)),
                _pct(many["by_field"].get(f))] for f in fields])
    rep.text("'chance' always answers the value most common among the fine-tuning people: a fact with "
             "few possible values (a city, a school) scores well above zero by guessing; a birthday does not.")

    rep.text("## Training")
    series = {}
    for key in ("1", "K"):
        for name, label in (("train/loss", "train"), ("val/loss", "val (stories)")):
            xs, ys = _smooth(curves[key].get(name, []))
            if xs:
                series[f"{results[key]['label']}: {label}"] = (xs, ys)
    if series:
        rep.plot("pretraining", series, xlabel="step", ylabel="loss", logy=True,
                 title="Pretraining loss (train = the biographies; val = world stories neither run trains on)")
    rep.table(["run", "biographies", "tokens per pass", "pretraining tokens", "passes",
               "final train loss", "val loss (stories)", "SFT val loss"],
              [[r["label"], r["bios"], r["corpus_tokens"], r["tokens"],
                round((r["tokens"] or 0) / max(1, r["corpus_tokens"]), 1), r["pretrain_train_loss"],
                r["pretrain_val_loss"], r["sft_val_loss"]] for r in (one, many)])
    rep.text(f"Both runs: the same model ({cfg.n_layer} layers × {cfg.n_embd} wide, {cfg.block_size}-token "
             f"context), {cfg.pretrain_steps} pretraining steps of {cfg.batch_size} sequences, {cfg.sft_steps} "
             f"QA fine-tuning steps on the same file, the same {len(heldout)} held-out questions "
             f"(QA files identical in both worlds: {all(same.values())}). With 1 version each biography is "
             f"read {K}× as often, so the token budget is the same.")

    if cfg.examples:
        rep.text("## Example answers (held-out people)")
        picks = random.Random(cfg.seed).sample(range(len(heldout)), min(cfg.examples, len(heldout)))
        rows = []
        for i in picks:
            q = one["answers"][i][0]
            rows.append([q["messages"][-1]["content"], q["fact"]] + [
                ("✓ " if r["answers"][i][2] else "✗ ") + " ".join(r["answers"][i][1].split()).replace("|", "/")
                for r in (one, many)])
        rep.table(["question", "fact", one["label"], many["label"]], rows)

    rep.text("## Compared with the paper")
    gap = aK - a1
    if ratio is not None and ratio >= 2 and gap >= 0.1:
        verdict = f"The direction reproduces: {K} paraphrases give {ratio_txt} the held-out accuracy of one."
    elif gap > 0:
        verdict = ("The direction holds, but the gap is small: at this scale the K-version model also "
                   "stores much of its knowledge in a form fine-tuning cannot reach.")
    else:
        verdict = "The direction did not reproduce in this run."
    below = "The K-version accuracy stays below the published one: " if aK < 0.9 else "Differences in setup: "
    rep.text(f"Allen-Zhu & Li report ~10% held-out QA accuracy with one biography per person (bioS single) "
             f"and ~96% with five paraphrases (bioS multi5), on 100M-parameter models pretrained for hundreds "
             f"of passes. Here: {_pct(a1)} vs {_pct(aK)} with a model of ~{_size(_params(cfg))} weights and "
             f"{cfg.pretrain_steps} steps. {verdict} {below}the model "
             f"is ~100 times smaller or more and trained for minutes; the demo's paraphrases keep the name in the first "
             f"sentence only (the paper's 'fullname' and 'permute' augmentations help further); and the "
             f"fine-tuning people are few. Chance is not zero for facts with few possible values, so compare "
             f"each column with the 'chance' column.")
    rep.text("### Time\n" + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + f"; total {seconds:.0f} s.")
    rep.text("### Settings\n```\n" + "\n".join(f"{k} = {v!r}" for k, v in asdict(cfg).items()) + "\n```")

    rows = [{"question": a[0]["messages"][-1]["content"], "field": a[0]["field"], "person": a[0]["person"],
             "fact": a[0]["fact"], "answer_1_version": a[1], "right_1_version": a[2], "answer_k_versions": b[1],
             "right_k_versions": b[2]} for a, b in zip(one["answers"], many["answers"])]
    (rep.folder / "answers.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                              encoding="utf-8")
    rep.text("Every held-out answer of both models: [answers.jsonl](answers.jsonl).")

    numbers = {
        "accuracy_1_version": a1, "accuracy_k_versions": aK, "ratio": ratio, "versions": K,
        "questions": len(heldout), "questions_1_version": len(one["answers"]),
        "questions_k_versions": len(many["answers"]), "chance": round(chance["all"], 4),
        "train_accuracy_1_version": one["train_accuracy"], "train_accuracy_k_versions": many["train_accuracy"],
        "by_field_1_version": one["by_field"], "by_field_k_versions": many["by_field"],
        "pretrain_final_loss_1_version": one["pretrain_train_loss"],
        "pretrain_final_loss_k_versions": many["pretrain_train_loss"],
        "seconds": round(seconds, 1), "phases_s": {k: round(v, 1) for k, v in phases.items()},
    }
    path = rep.write(numbers)
    return {"report": str(path), **numbers}
