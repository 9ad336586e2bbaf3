"""The knowledge lab's report (engine/labs/knowledge.py), in English and Traditional Chinese: the accuracy,
memorisation and curve plots, the per-fact tables, example answers and the comparison with the paper, and the
numbers it returns. The lab's TITLE and ABOUT live here too (report text; knowledge.py imports them)."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

from engine.labs.report import Report, in_lang, tr
from engine.model import n_layers

TITLE = tr(
    "Knowledge extraction: one biography, K varied ones, or mixed training (Physics of Language Models 3.1)",
    "知識提取：一篇傳記、K 篇多樣的傳記，還是混合訓練（Physics of Language Models 3.1）",
)
ABOUT = tr(
    "Allen-Zhu & Li (Physics of Language Models, part 3.1) pretrained GPT models on biographies of "
    "fictional people, fine-tuned them to answer questions (birthday, city, employer …) about half "
    "of the people, and asked about the other half. With one biography per person the model "
    "memorised every fact yet answered almost nothing about the held-out people (~10%); with several "
    "biographies per person, each worded differently, its sentences shuffled and the full name in "
    "each, it answered ~96%: varied text makes the model store each fact with the person's name, "
    "where a question can reach it, instead of as the continuation of one memorised text. Mixing QA "
    "about the fine-tuning people into pretraining also works (~87%). This lab runs the three arms on "
    "the demo world with the same model, steps and fine-tuning. Read the memorisation row first "
    "(every arm stored its facts), then the held-out bars: the gap is whether fine-tuning can reach "
    "them; the curve shows when during fine-tuning each arm gets there.",
    "Allen-Zhu & Li（Physics of Language Models 第 3.1 部分）用虛構人物的傳記預訓練 GPT 模型，"
    "以其中一半人物的問答（生日、城市、雇主……）微調，再詢問另一半人物。每人只有一篇傳記時，"
    "模型記住了每一個事實，對保留（未訓練）的人物卻幾乎答不出來（約 10%）；每人有好幾篇傳記、"
    "每篇重新措辭、打亂句子順序並在每一句寫出全名時，答對約 96%：多樣的文字讓模型把每個事實和人物的名字"
    "存在一起，問題才問得到，而不是把它存成某一段背熟文字的下文。把微調人物的問答混入預訓練也有效（約 87%）。"
    "這個實驗在示範世界上，以相同的模型、步數與微調跑這三組。先看記住的比例（每一組都存下了自己的事實），"
    "再看保留人物的長條：差距在於微調能不能觸及這些事實；曲線則顯示每一組在微調的什麼時候做到。",
)

KEYS = {"1": "1_version", "K": "k_versions", "mixed": "mixed"}  # the numbers' suffixes
FIELDS = {  # the demo world's facts, as the tables name them
    "birthday": tr("birthday", "生日"),
    "birthplace": tr("birthplace", "出生地"),
    "school": tr("school", "學校"),
    "occupation": tr("occupation", "職業"),
    "employer": tr("employer", "雇主"),
    "hobby": tr("hobby", "興趣"),
}
CHANCE = tr("chance", "猜測基準")


def _arm_names(K: int) -> dict:
    """Each arm's name in the report (the English as knowledge.ARMS, with K as a number)."""
    return {
        "1": tr("1 version", "1 個版本"),
        "K": tr(f"{K} versions", f"{K} 個版本"),
        "mixed": tr("1 version + mixed QA", "1 個版本 + 混入問答"),
    }


def _phase(key: str, results: dict, names: dict):
    """A phase of the Time line (numbers.json keeps the English key)."""
    if key == "data":
        return tr("data", "資料")
    for arm, r in results.items():
        if key == f"pretrain {r['label']}":
            return tr(key, f"預訓練（{names[arm].zh_TW}）")
        if key == f"SFT and questions {r['label']}":
            return tr(key, f"微調與提問（{names[arm].zh_TW}）")
    return key


def _code(s: str) -> str:
    """A question, fact or answer as a code span for one table cell: the same in both reports."""
    s = " ".join(s.split()).replace("|", "/").replace("`", "'")
    return f"`{s}`" if s else "—"


def _params(cfg) -> int:
    """About how many weights the model has: blocks (attention + MLP) and the tied embedding."""
    return 12 * cfg.n_layer * cfg.n_embd**2 + cfg.vocab_size * cfg.n_embd


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


def write_report(
    rep: Report,
    about,
    cfg,
    results: dict,
    curves: dict,
    chance: dict,
    heldout: list,
    curve_qs: list,
    train_qs: list,
    same: dict,
    phases: dict,
    seconds: float,
) -> dict:
    K = cfg.versions
    names = _arm_names(K)
    labels = {arm: names[arm] for arm in results}
    acc = {arm: r["accuracy"] for arm, r in results.items()}
    mem = {arm: r["memorisation"]["all"] for arm, r in results.items()}
    rep.text(about)
    rep.text(tr("## Result", "## 結果"))
    rep.plot(
        "accuracy",
        {
            tr("held-out QA accuracy (exact)", "保留人物的問答準確率（完全符合）"): (
                [labels[a] for a in results] + [CHANCE],
                [acc[a] for a in results] + [chance["all"]],
            )
        },
        xlabel=tr("pretraining corpus", "預訓練語料"),
        ylabel=tr("share of right answers", "答對比例"),
        title=tr(f"Questions about {len(heldout)} held-out facts", f"關於 {len(heldout)} 個保留（未訓練）事實的提問"),
        kind="bar",
    )
    gap = acc["K"] - acc["1"]
    rep.text(
        tr(
            f"Held-out QA accuracy (the answer's value exactly right): **{_pct(acc['1'])}** with one biography per "
            f"person, **{_pct(acc['K'])}** with {K} varied ones (a gap of {100 * gap:.1f} points), "
            f"**{_pct(acc['mixed'])}** with one biography and mixed training; always answering a field's "
            f"commonest value scores {_pct(chance['all'])}.",
            f"保留（未訓練）人物的問答準確率（答案的值完全正確）：每人一篇傳記 **{_pct(acc['1'])}**，"
            f"{K} 篇多樣的傳記 **{_pct(acc['K'])}**（相差 {100 * gap:.1f} 個百分點），"
            f"一篇傳記加混合訓練 **{_pct(acc['mixed'])}**；每個欄位一律回答最常見的值，可得 {_pct(chance['all'])}。",
        )
    )
    rep.text(tr("### What each arm stored and what it can say", "### 每一組存下了什麼、又說得出什麼"))
    rows = []
    for arm, r in results.items():
        m = r["memorisation"]
        rows.append(
            [
                labels[arm],
                _pct(m["all"]),
                _pct((m.get("by_split") or {}).get("heldout")),
                _pct(r["accuracy"]),
                _pct(r["contains"]),
                _pct(r["first_token"]),
                _pct(r["train_accuracy"]),
            ]
        )
    rep.table(
        [
            tr("arm", "組別"),
            tr("memorised (all)", "記住（全部）"),
            tr("memorised (held-out people)", "記住（保留人物）"),
            tr("held-out QA (exact)", "保留人物問答（完全符合）"),
            tr("held-out QA (contains)", "保留人物問答（包含答案）"),
            tr("held-out first token", "保留人物的第一個 token"),
            tr(f"QA on fine-tuning people ({len(train_qs)})", f"微調人物的問答（{len(train_qs)}）"),
        ],
        rows,
    )
    rep.text(
        tr(
            "*Memorised*: the share of facts in the arm's own training biographies whose value's first token the "
            "pretrained model predicts from the text before it (teacher-forced). *First token*: the same after the "
            'question and the answer\'s opening ("She was born in"), after fine-tuning. A fact memorised but '
            "not reachable from a question is what the one-biography arm shows.",
            "*記住*：在該組自己的訓練傳記裡，預訓練模型能由前文（teacher forcing）預測出值的第一個 token 的"
            "事實比例。*第一個 token*：微調之後，在問題與答案的開頭（「She was born in」）之後做同樣的預測。"
            "事實記住了、卻無法從問題觸及，正是一篇傳記那一組呈現的情形。",
        )
    )
    rep.plot(
        "curve",
        {labels[a]: ([s for s, _ in r["curve"]], [v for _, v in r["curve"]]) for a, r in results.items()},
        xlabel=tr("QA fine-tuning step", "問答微調步數"),
        ylabel=tr("held-out accuracy (exact)", "保留人物準確率（完全符合）"),
        title=tr(
            f"Held-out accuracy while fine-tuning ({len(curve_qs)} questions; end: all {len(heldout)})",
            f"微調期間的保留人物準確率（{len(curve_qs)} 題；終點：全部 {len(heldout)} 題）",
        ),
    )
    rep.text(
        tr(
            "Step 0 is the pretrained model asked through the chat template: only the mixed arm has seen that "
            "format before fine-tuning.",
            "第 0 步是透過對話範本提問的預訓練模型：只有混合訓練那一組在微調前見過這種格式。",
        )
    )
    fields = sorted({f for r in results.values() for f in r["by_field"]})
    rep.text(tr("### Per fact", "### 各項事實"))
    rep.table(
        [tr("fact", "事實"), tr("questions", "題數"), CHANCE] + [labels[a] for a in results],
        [
            [FIELDS.get(f, f), sum(q["field"] == f for q in heldout), _pct(chance.get(f, 0.0))]
            + [_pct(r["by_field"].get(f)) for r in results.values()]
            for f in fields
        ],
    )
    rep.text(
        tr(
            "'chance' always answers the value most common among the fine-tuning people: a fact with "
            "few possible values (a city, a school) scores above zero by guessing; a birthday does not.",
            "「猜測基準」一律回答微調人物中最常見的值：可能值不多的事實（城市、學校）光靠猜就能得分，生日則不行。",
        )
    )

    rep.text(tr("## Training", "## 訓練"))
    series = {}
    for arm, r in results.items():
        xs, ys = _smooth(curves[arm].get("train/loss", []))
        if xs:
            series[labels[arm]] = (xs, ys)
    if series:
        rep.plot(
            "pretraining",
            series,
            xlabel=tr("step", "步"),
            ylabel=tr("training loss", "訓練損失"),
            logy=True,
            title=tr("Pretraining loss", "預訓練損失"),
        )
    rep.table(
        [
            tr("arm", "組別"),
            tr("biographies", "傳記數"),
            tr("tokens per pass", "每輪 token 數"),
            tr("pretraining tokens", "預訓練 token 數"),
            tr("passes", "輪數"),
            tr("final train loss", "最終訓練損失"),
            tr("val loss (stories)", "驗證損失（故事）"),
            tr("SFT val loss", "SFT 驗證損失"),
        ],
        [
            [
                labels[a],
                r["bios"],
                r["corpus_tokens"],
                r["tokens"],
                round((r["tokens"] or 0) / max(1, r["corpus_tokens"]), 1),
                r["pretrain_train_loss"],
                r["pretrain_val_loss"],
                r["sft_val_loss"],
            ]
            for a, r in results.items()
        ],
    )
    identical = all(same.values())
    rep.text(
        tr(
            f"Every arm: the same model ({n_layers(cfg.n_layer)} × {cfg.n_embd} wide, ~{_size(_params(cfg))} weights, "
            f"{cfg.block_size}-token context), {cfg.pretrain_steps} pretraining steps of {cfg.batch_size} sequences, "
            f"{cfg.sft_steps} QA fine-tuning steps (lr {cfg.sft_lr:g}) on the same file, the same {len(heldout)} "
            f"held-out questions (QA files identical in both corpora: {identical}). With one biography "
            f"each is read {K}× as often, so every arm gets the same number of tokens; the mixed arm spends "
            f"{cfg.mix_qa:.0%} of them on QA.",
            f"每一組都是：同樣的模型（{cfg.n_layer} 層 × {cfg.n_embd} 寬，約 {_size(_params(cfg))} 個參數，"
            f"上下文 {cfg.block_size} 個 token），{cfg.pretrain_steps} 步預訓練、每步 {cfg.batch_size} 條序列，"
            f"在同一個檔案上做 {cfg.sft_steps} 步問答微調（學習率 {cfg.sft_lr:g}），"
            f"同樣的 {len(heldout)} 道保留人物問題（兩個語料的問答檔完全相同：{'是' if identical else '否'}）。"
            f"只有一篇傳記時，每篇被讀的次數是 {K} 倍，因此每一組得到的 token 數相同；"
            f"混合訓練那一組把其中 {cfg.mix_qa:.0%} 用在問答上。",
        )
    )

    if cfg.examples:
        rep.text(tr("## Example answers (held-out people)", "## 回答範例（保留人物）"))
        picks = random.Random(cfg.seed).sample(range(len(heldout)), min(cfg.examples, len(heldout)))
        rows = []
        for i in picks:
            q = results["1"]["answers"][i][0]
            rows.append(
                [_code(q["messages"][-1]["content"]), _code(q["fact"])]
                + [("✓ " if r["answers"][i][2] else "✗ ") + _code(r["answers"][i][1]) for r in results.values()]
            )
        rep.table([tr("question", "問題"), tr("fact", "事實")] + [labels[a] for a in results], rows)

    rep.text(tr("## Compared with the paper", "## 與論文比較"))
    if gap >= 0.3:
        verdict = tr(
            f"The paper's gap reproduces: {K} varied biographies make the same memorised facts extractable.",
            f"論文的差距重現了：{K} 篇多樣的傳記讓同樣記住的事實變得問得出來。",
        )
    elif gap > 0:
        verdict = tr(
            "The direction holds, but the gap is smaller than the paper's.", "方向與論文一致，但差距比論文小。"
        )
    else:
        verdict = tr("The direction did not reproduce in this run.", "這次執行沒有重現論文的方向。")
    rep.text(
        tr(
            f"Allen-Zhu & Li report ~10% held-out QA accuracy with one biography per person (bioS single), "
            f"~96% with five varied, permuted ones (multi5 + permute) and ~87% with mixed training, on "
            f"100M-parameter models and 100,000 people. Here: {_pct(acc['1'])}, {_pct(acc['K'])} and "
            f"{_pct(acc['mixed'])} with ~{_size(_params(cfg))} weights and {cfg.people} people. {verdict.en} "
            f"Differences in setup: answers here state the fact in a sentence that opens with a pronoun "
            f'("She was born in …"), the paper\'s give the bare value; facts with few possible values score '
            f"above zero by guessing (compare with the chance column).",
            f"Allen-Zhu & Li 以 1 億參數的模型與 100,000 個人物，回報保留（未訓練）人物的問答準確率："
            f"每人一篇傳記（bioS single）約 10%，五篇多樣、句子換序的傳記（multi5 + permute）約 96%，"
            f"混合訓練約 87%。這裡：{_pct(acc['1'])}、{_pct(acc['K'])} 與 {_pct(acc['mixed'])}，"
            f"模型約 {_size(_params(cfg))} 個參數、{cfg.people} 個人物。{verdict.zh_TW}"
            f"設定上的差異：這裡的答案用一個以代名詞開頭的句子說出事實（「She was born in …」），"
            f"論文的答案只給值本身；可能值不多的事實光靠猜也能得分（請對照猜測基準那一欄）。",
        )
    )
    when = {k: _phase(k, results, names) for k in phases}
    rep.text(
        tr(
            "### Time\n" + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + f"; total {seconds:.0f} s.",
            "### 耗時\n"
            + "、".join(f"{in_lang(when[k], 'zh_TW')} {v:.0f} 秒" for k, v in phases.items())
            + f"；共 {seconds:.0f} 秒。",
        )
    )
    settings = "\n```\n" + "\n".join(f"{k} = {v!r}" for k, v in asdict(cfg).items()) + "\n```"
    rep.text(tr("### Settings" + settings, "### 設定" + settings))

    rows = [
        {
            "question": items[0][0]["messages"][-1]["content"],
            "field": items[0][0]["field"],
            "person": items[0][0]["person"],
            "fact": items[0][0]["fact"],
            **{f"answer_{KEYS[a]}": it[1] for a, it in zip(results, items)},
            **{f"right_{KEYS[a]}": it[2] for a, it in zip(results, items)},
        }
        for items in zip(*(r["answers"] for r in results.values()))
    ]
    (rep.folder / "answers.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    rep.text(
        tr(
            "Every held-out answer of the three arms: [answers.jsonl](answers.jsonl).",
            "三組對每一道保留人物問題的回答：[answers.jsonl](answers.jsonl)。",
        )
    )

    numbers = {
        "versions": K,
        "questions": len(heldout),
        "chance": chance["all"],
        "gap": round(gap, 4),
        "seconds": round(seconds, 1),
        "phases_s": {k: round(v, 1) for k, v in phases.items()},
    }
    for arm, r in results.items():
        s = KEYS[arm]
        numbers.update(
            {
                f"accuracy_{s}": r["accuracy"],
                f"memorisation_{s}": mem[arm],
                f"memorisation_heldout_people_{s}": (r["memorisation"].get("by_split") or {}).get("heldout"),
                f"contains_{s}": r["contains"],
                f"first_token_{s}": r["first_token"],
                f"train_accuracy_{s}": r["train_accuracy"],
                f"by_field_{s}": r["by_field"],
                f"curve_{s}": r["curve"],
                f"pretrain_final_loss_{s}": r["pretrain_train_loss"],
            }
        )
    path = rep.write(numbers)
    return {"report": str(path), **numbers}
