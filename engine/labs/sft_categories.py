"""Lab "sft-categories": what SFT data teaches (Gekhman et al. 2024, "Does Fine-Tuning LLMs on New
Knowledge Encourage Hallucinations?").

1. Probe the base model (a pretraining run) on every fact that the SFT set asks about. The paper
   asks the base model with several different few-shot prompts; a base model this small cannot
   follow few-shot prompts, so the lab asks it the way it learned the facts: with the opening of
   each of the fact's biography sentences (the demo's templates) up to the fact, e.g. "Ann Lee was born in".
   Each of `prompts` paraphrases is one prompt; each prompt gets a greedy answer and `samples`
   answers sampled at `temperature`. An answer is right when it contains the fact's text.
2. Categories, as the paper's: HighlyKnown = the greedy answer is right for every prompt;
   MaybeKnown = right for some prompts; WeaklyKnown = greedy never right, some sample right;
   Unknown = no answer right.
3. Fine-tune the base on each category alone (the same number of facts from each, both of their
   demo questions), for `epochs` epochs, and measure held-out QA accuracy (engine/compare/evaluate.py:
   people the SFT set never mentions) and how well the training questions themselves were fitted.

Its time at the defaults (probing 300 facts, four short fine-tunes) is measured in README's Labs table.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass

import torch

from engine.config import knob
from engine.data.demo_questions import load_world
from engine.errors import DojoError
from engine.events import Finished, Log, Progress
from engine.io.workspace import Workspace
from engine.labs.report import Report, tr

TITLE = tr("What SFT data teaches: known and unknown facts", "SFT 資料教了什麼：已知與未知的事實")
ABOUT = tr(
    "Gekhman et al. (2024) sorted the facts of a fine-tuning set by how well the base model already knew them "
    "(HighlyKnown, MaybeKnown, WeaklyKnown, Unknown, from its greedy and sampled answers to several prompts) "
    "and fine-tuned on each kind alone. Fine-tuning on facts the model did not know taught it little: those "
    "examples were fitted late, and once fitted they made the model hallucinate more on held-out questions; "
    "MaybeKnown examples helped most. This lab repeats the experiment on the demo world: it probes the "
    "workspace's pretrained model on the facts the SFT set asks about, fine-tunes one model per category on "
    "the same number of facts, and measures held-out QA accuracy (people the SFT set never mentions) and how "
    "well each model learned its own training questions. Read the bars: held-out accuracy per category; the "
    "table gives the counts. Budget: about 5–10 minutes on two CPU cores at the defaults.",
    "Gekhman et al.（2024）依基礎模型原本對事實的熟悉程度，把一份微調資料集裡的事實分成 HighlyKnown（很熟）、"
    "MaybeKnown（可能知道）、WeaklyKnown（略知）、Unknown（不知道）四類（依據它對多個提示的貪婪回答與取樣回答），"
    "再分別只用其中一類來微調。用模型原本不知道的事實微調，教給它的東西很少：這些範例很晚才被擬合，"
    "而一旦擬合，模型在保留（未訓練）的問題上反而更常產生幻覺；MaybeKnown 的範例幫助最大。"
    "本實驗在示範世界上重做這個實驗：用 SFT 資料集問到的事實探測工作區裡預訓練好的模型，"
    "每個類別各用相同數量的事實微調一個模型，再測量保留問題（SFT 資料集從未提到的人物）的問答準確率，"
    "以及每個模型把自己的訓練問題學得多好。怎麼看：長條圖是各類別的保留題準確率；表格列出各類別的數量。"
    "預算：預設設定下，在兩個 CPU 核心上約 5–10 分鐘。",
)

CATEGORIES = ("HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown")
# The paper's names are the numbers' keys; the Chinese report adds what they mean (the Labs page's words).
CATEGORY_LABELS = {
    "HighlyKnown": tr("HighlyKnown", "HighlyKnown（很熟）"),
    "MaybeKnown": tr("MaybeKnown", "MaybeKnown（可能知道）"),
    "WeaklyKnown": tr("WeaklyKnown", "WeaklyKnown（略知）"),
    "Unknown": tr("Unknown", "Unknown（不知道）"),
}


@dataclass
class Config:
    base: str = knob("", "Pretraining run or checkpoint to probe and fine-tune (default: the latest pretraining run).")
    facts: int = knob(
        300, "Facts of the SFT set to probe (person, language, field), spread over the set; 0 = all.", min=0
    )
    prompts: int = knob(4, "Biography sentences (templates naming the person) used as prompts per fact.", min=1, max=8)
    samples: int = knob(4, "Sampled answers per prompt.", min=1)
    temperature: float = knob(0.5, "Temperature of the sampled answers (the paper's 0.5).", min=0.05)
    answer_tokens: int = knob(12, "Tokens generated per probe answer.", min=2)
    per_category: int = knob(
        40, "Facts per category to fine-tune on (fewer if the smallest category has fewer).", min=1
    )
    min_facts: int = knob(8, "A category with fewer facts than this is not fine-tuned on.", min=1)
    epochs: float = knob(10.0, "Epochs over each category's examples (many: the paper's 'to convergence').", min=0.1)
    batch_size: int = knob(16, "Examples per SFT step.", min=1)
    lr: float = knob(1e-3, "Peak learning rate of SFT.", min=0.0)
    eval_questions: int = knob(120, "Held-out questions per evaluation (spread over the held-out set).", min=1)
    fit_questions: int = knob(40, "Training questions per category asked again after fine-tuning.", min=0)
    seed: int = knob(0, "Seed of sampling, selection and fine-tuning.")
    threads: int = knob(1, "CPU threads for torch (0 = torch's default).", min=0)
    keep_scratch: bool = knob(False, "Keep the fine-tuned checkpoints (scratch workspace in the report folder).")


SMALLEST = {
    "facts": 16,
    "prompts": 2,
    "samples": 2,
    "answer_tokens": 6,
    "per_category": 4,
    "min_facts": 1,
    "epochs": 1.0,
    "batch_size": 4,
    "eval_questions": 6,
    "fit_questions": 4,
}


def category(greedy: list[bool], sampled: list[bool]) -> str:
    """The paper's categories from per-prompt greedy correctness and all sampled answers' correctness."""
    if greedy and all(greedy):
        return "HighlyKnown"
    if any(greedy):
        return "MaybeKnown"
    if any(sampled):
        return "WeaklyKnown"
    return "Unknown"


def _spread(items: list, n: int) -> list:
    """n items evenly spread over the list (all when n is 0 or more than there are)."""
    if not n or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def probe_prompts(person: dict, field: str, lang: str, n: int) -> list[str]:
    """Openings of the fact's biography sentences up to the fact (at most n), naming the person."""
    from engine.data import demo_texts as T
    from engine.data.demo import bio_sentence

    out = []
    for t in range(len(T.BIO_SENTENCES[lang][field])):
        sentence, start = bio_sentence(person, field, lang, t, named=True)
        prompt = sentence[:start].rstrip()  # "… was born in": the fact's leading space is its token's
        if person[f"name_{lang}"] not in prompt or prompt in out:
            continue
        out.append(prompt)
        if len(out) == n:
            break
    return out


def _load_facts(ws: Workspace) -> tuple[dict, dict]:
    """{(person, lang, field): [single-fact QA records of the SFT set]} and the people by id."""
    path, world = ws.data_dir / "sft" / "train.jsonl", ws.data_dir / "world.json"
    if not path.is_file() or not world.is_file() or not (ws.data_dir / "sft" / "heldout.jsonl").is_file():
        raise DojoError(
            f"no demo world in {ws.root}: this lab needs the demo's SFT and held-out QA sets "
            f"(create the workspace with: lmdojo-cli init DIR --demo)"
        )
    people = {p["id"]: p for p in load_world(ws)["people"]}
    facts: dict = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        md = rec.get("metadata", {})
        if md.get("kind") == "qa" and len(md.get("fields", [])) == 1 and md.get("person") in people:
            facts.setdefault((md["person"], md["lang"], md["fields"][0]), []).append(rec)
    return facts, people


def run(ws: Workspace, cfg: Config, control=None):
    from engine import checkpoint as ckpt
    from engine.compare.evaluate import evaluate_run
    from engine.data.demo import fact_value
    from engine.data.demo_questions import demo_questions
    from engine.generate import SamplingConfig, generate, sample_batch
    from engine.io.store import Store
    from engine.tokenizer import EOT, load_tokenizer, special_id, tokenizer_hash
    from engine.train import sft
    from engine.train.runs import latest_checkpoint

    t0 = time.perf_counter()
    facts, people = _load_facts(ws)
    if not ws.tokenizer_path.is_file():
        raise DojoError(f"no tokenizer in {ws.root}; run first: lmdojo-cli tokenize {ws.root}")
    with Store(ws.db_path) as store:
        base = latest_checkpoint(ws, store, "pretrain", cfg.base, "nothing to probe")
    tok = load_tokenizer(ws.tokenizer_path)
    model, _ = ckpt.load_gpt(base, "cpu", tokenizer_hash(ws.tokenizer_path))
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    eot = special_id(tok, EOT)
    keys = _spread(sorted(facts), cfg.facts)
    questions = _spread(demo_questions(ws, "heldout"), cfg.eval_questions)
    if not questions:
        raise DojoError("the held-out QA set is empty")
    yield Log(f"probing {base} on {len(keys)} facts: {cfg.prompts} prompts, greedy + {cfg.samples} samples each")

    # -- 1. probe and categorise --------------------------------------------------------------
    greedy_cfg = SamplingConfig(greedy=True, max_new_tokens=cfg.answer_tokens)
    sample_cfg = SamplingConfig(temperature=cfg.temperature, top_k=0, max_new_tokens=cfg.answer_tokens)
    gen = torch.Generator().manual_seed(cfg.seed)
    cats: dict[str, list] = {c: [] for c in CATEGORIES}
    examples = []  # a few probes for the report
    for i, key in enumerate(keys):
        if control is not None and control.cancelled:
            yield Finished("cancelled", {"report": None})
            return
        pid, lang, field = key
        fact = fact_value(people[pid], field, lang).lower()
        greedy, sampled = [], []
        for prompt in probe_prompts(people[pid], field, lang, cfg.prompts):
            g = generate(model, tok, prompt, greedy_cfg, {eot}).text
            greedy.append(fact in g.lower())
            ids = tok.encode(prompt, add_special_tokens=False).ids
            for out, _ in sample_batch(model, ids, cfg.samples, sample_cfg, {eot}, gen):
                sampled.append(fact in tok.decode(out).lower())
            if len(examples) < 12 and i % max(1, len(keys) // 12) == 0 and len(greedy) == 1:
                examples.append((prompt, g.strip(), fact))
        c = category(greedy, sampled)
        cats[c].append(key)
        if (i + 1) % 10 == 0 or i + 1 == len(keys):
            yield Progress(i + 1, len(keys), 0, 0.0, time.perf_counter() - t0, None, unit="facts")
    counts = {c: len(v) for c, v in cats.items()}
    yield Log("categories: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    del model

    # -- 2. fine-tune on each category --------------------------------------------------------
    usable = [c for c in CATEGORIES if counts[c] >= cfg.min_facts]
    if not usable:
        raise DojoError(f"no category has {cfg.min_facts} facts; probe more facts (--set facts=…) or lower min_facts")
    n_facts = min(cfg.per_category, min(counts[c] for c in usable))
    rep = Report.create(ws, "sft-categories", TITLE)
    scratch = rep.folder / "scratch"
    sws = Workspace.create(scratch)
    shutil.copy2(ws.tokenizer_path, sws.tokenizer_path)
    accuracy, fit, end_rate, trained_examples, steps_of = {}, {}, {}, {}, {}
    for n, c in enumerate(usable):
        chosen = _spread(cats[c], n_facts)
        records = [r for key in chosen for r in facts[key]]
        data = sws.data_dir / f"{c}.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        steps = max(1, math.ceil(cfg.epochs * len(records) / cfg.batch_size))
        trained_examples[c], steps_of[c] = len(records), steps
        yield Log(f"fine-tuning on {c}: {len(chosen)} facts, {len(records)} examples, {steps} steps")
        sets = {
            "base": str(base),
            "data": str(data),
            "max_steps": steps,
            "batch_size": cfg.batch_size,
            "lr": cfg.lr,
            "warmup_steps": min(20, max(1, steps // 10)),
            "val_fraction": 0.0,
            "eval_every": steps,
            "sample_every": 0,
            "checkpoint_every": steps,
            "seed": cfg.seed,
            "threads": cfg.threads,
            "replay": 0.0,  # the categories alone: what each kind of example does
        }
        fin = None
        for ev in sft.run(sws, sft.make_config(sets=sets), control):
            if isinstance(ev, Finished):
                fin = ev
        if fin.status != "done":
            shutil.rmtree(scratch, ignore_errors=True)
            yield Finished("cancelled", {"report": None})
            return
        r = evaluate_run(sws, fin.result["run"], questions)
        accuracy[c], end_rate[c] = r["qa_accuracy"], r["end_rate"]
        if cfg.fit_questions:
            own = [
                {
                    "messages": rec["messages"][:-1],
                    "field": rec["metadata"]["fields"][0],
                    "fact": fact_value(
                        people[rec["metadata"]["person"]], rec["metadata"]["fields"][0], rec["metadata"]["lang"]
                    ),
                }
                for rec in records
            ]
            fit[c] = evaluate_run(sws, fin.result["run"], _spread(own, cfg.fit_questions))["qa_accuracy"]
        yield Log(
            f"{c}: held-out accuracy {accuracy[c]:.3f}" + (f", training questions {fit[c]:.3f}" if c in fit else "")
        )
        yield Progress(n + 1, len(usable), 0, 0.0, time.perf_counter() - t0, None, unit="categories")

    # -- 3. report ----------------------------------------------------------------------------
    best = max(accuracy, key=accuracy.get)
    numbers = {
        "accuracy": accuracy,
        "fit_accuracy": fit,
        "end_rate": end_rate,
        "counts": counts,
        "facts_probed": len(keys),
        "facts_per_category": n_facts,
        "examples_per_category": trained_examples,
        "steps_per_category": steps_of,
        "heldout_questions": len(questions),
        "best_category": best,
        "base": str(base),
    }
    rep.text(ABOUT)
    rep.text(
        tr(
            f"## Probing the base model\n\nBase: `{base}`. {len(keys)} facts of the SFT set (person, language, "
            f"field), each asked with up to {cfg.prompts} biography openings as prompts (the paper uses 10 "
            f"different few-shot prompts; a model this small follows no few-shot prompt, so the lab asks the way "
            f"the facts were written in pretraining). Per prompt: one greedy answer and {cfg.samples} sampled at "
            f"temperature {cfg.temperature:g} ({cfg.answer_tokens} tokens). HighlyKnown: greedy right for every "
            "prompt; MaybeKnown: greedy right for some; WeaklyKnown: greedy never right, some sample right; "
            "Unknown: no answer right.",
            f"## 探測基礎模型\n\n基礎模型：`{base}`。取 SFT 資料集中的 {len(keys)} 個事實（人物、語言、欄位），"
            f"每個事實以最多 {cfg.prompts} 個傳記句子的開頭作為提示來提問（論文用 10 種不同的 few-shot 提示；"
            "這麼小的模型不會遵循任何 few-shot 提示，所以本實驗照預訓練資料裡事實的寫法來問）。"
            f"每個提示取一個貪婪回答，再以溫度 {cfg.temperature:g} 取樣 {cfg.samples} 個回答"
            f"（各 {cfg.answer_tokens} 個 token）。HighlyKnown（很熟）：每個提示的貪婪回答都對；"
            "MaybeKnown（可能知道）：部分提示的貪婪回答對；WeaklyKnown（略知）：貪婪回答從沒對過，但有取樣回答對；"
            "Unknown（不知道）：沒有任何回答對。",
        )
    )
    if examples:  # the model's own words: code spans, the same in both reports
        rep.table(
            [tr("prompt", "提示"), tr("greedy answer", "貪婪回答"), tr("fact", "事實")],
            [[_code(p), _code(a), _code(f)] for p, a, f in examples],
        )
    rep.table(
        [
            tr("category", "類別"),
            tr("facts", "事實數"),
            tr("fine-tuned on (facts / examples)", "微調用量（事實 / 範例）"),
            tr("steps", "步數"),
            tr("held-out accuracy", "保留題準確率"),
            tr("training questions right", "訓練題答對率"),
            tr("answers ended", "回答結束回合比例"),
        ],
        [
            [
                CATEGORY_LABELS[c],
                counts[c],
                f"{n_facts} / {trained_examples[c]}" if c in accuracy else tr("— (too few)", "—（太少）"),
                steps_of.get(c, "—"),
                accuracy.get(c, "—"),
                fit.get(c, "—"),
                end_rate.get(c, "—"),
            ]
            for c in CATEGORIES
        ],
    )
    series = {tr("held-out accuracy", "保留題準確率"): (list(accuracy), list(accuracy.values()))}
    if fit:
        series[tr("training questions right", "訓練題答對率")] = (list(fit), list(fit.values()))
    rep.plot(
        "accuracy",
        series,
        tr("fine-tuned on", "微調所用類別"),
        tr("accuracy", "準確率"),
        kind="bar",
        title=tr("Held-out QA accuracy after fine-tuning on one category", "只用一個類別微調後的保留問答準確率"),
    )
    rep.plot(
        "counts",
        {tr("facts", "事實數"): (list(counts), list(counts.values()))},
        tr("category", "類別"),
        tr("facts", "事實數"),
        kind="bar",
        title=tr("What the base model knows of the SFT set's facts", "基礎模型對 SFT 資料集事實的掌握程度"),
    )
    rep.text(
        tr(
            f"## Reading it\n\nEach model was fine-tuned from the same base on {n_facts} facts of one category "
            f"(both demo questions of each, {cfg.epochs:g} epochs) and asked {len(questions)} held-out questions "
            f"about people no fine-tuning set mentions: a right answer there comes from what pretraining stored, "
            f"so held-out accuracy measures how well the fine-tuning taught the model to *use* its knowledge. "
            f"The paper found MaybeKnown best and Unknown worst (and Unknown examples fitted slowest). Here the "
            f"best is **{best}**. With a toy model the categories are small and uneven and one run per category "
            f"is noisy (a few questions are a few percent): compare the bars with that in mind, and rerun with "
            f"another seed or more facts before trusting a difference of a few points.",
            f"## 怎麼解讀\n\n每個模型都從同一個基礎模型出發，用某一類別的 {n_facts} 個事實微調"
            f"（每個事實的兩個示範問題都用上，{cfg.epochs:g} 輪），再問它 {len(questions)} 個保留問題，"
            "問的是任何微調資料集都沒提到的人物：在這些問題上答對，靠的是預訓練存下的知識，"
            "所以保留題準確率衡量的是微調有沒有教會模型*運用*它已有的知識。"
            "論文發現 MaybeKnown 最好、Unknown 最差（而且 Unknown 的範例擬合得最慢）。"
            f"這次最好的是 **{CATEGORY_LABELS[best].zh_TW}**。玩具模型的各類別事實既少又不平均，"
            "每個類別又只跑一次，結果雜訊很大（幾道題就差好幾個百分點）：比較長條時請記住這點；"
            "差距只有幾個百分點時，先換個種子或用更多事實重跑，再下結論。",
        )
    )
    if max(accuracy.values()) == 0:
        rep.text(
            tr(
                "**No fine-tuned model answered a held-out question right.** The training questions column "
                "shows what happened instead: each model learned its few examples by heart (and answers new "
                "questions with the people it was trained on), not the skill of answering from what pretraining "
                "stored. At this size that takes more facts per category and a better-trained base: raise "
                "`per_category` (and `facts`, 0 = all) and pretrain longer, or fewer `epochs`.",
                "**沒有任何微調後的模型答對保留問題。**「訓練題答對率」一欄說明了實際發生的事："
                "每個模型都把自己那幾個範例背了下來（遇到新問題，就拿訓練時見過的人物來回答），"
                "卻沒學會根據預訓練存下的知識作答。在這個規模下，這需要每個類別更多的事實，以及訓練得更好的基礎模型："
                "調高 `per_category`（以及 `facts`，0 = 全部）並延長預訓練，或減少 `epochs`。",
            )
        )
    if not cfg.keep_scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    path = rep.write(numbers)
    yield Finished("done", {"report": str(path), **numbers})


def _code(s: str, n: int = 60) -> str:
    """A prompt or an answer as a code span fit for one table cell (empty: —)."""
    s = " ".join(s.split()).replace("|", "/").replace("`", "'")
    return f"`{s[:n]}{'…' if len(s) > n else ''}`" if s else "—"
