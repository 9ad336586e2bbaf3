"""The decoding lab's report (engine/labs/decoding.py), in English and Traditional Chinese: the setup,
the win/tie/loss tally against the SFT model, the rules' points per contender, side-by-side answers,
and the numbers it returns."""

from __future__ import annotations

from dataclasses import asdict

from engine.labs.common import cell
from engine.labs.decoding import ABOUT, DECODING, KEYS, PLAIN, SFT, TITLE, TRICKS, judge_pair, tally
from engine.labs.report import Report, tr

# The contenders' names are the numbers' keys (English in the JSON); the reports show them in their language.
CONTENDERS = {
    PLAIN: tr(PLAIN, "基礎模型"),
    DECODING: tr(DECODING, "基礎 + 解碼技巧"),
    TRICKS: tr(TRICKS, "基礎 + 全套技巧"),
    SFT: tr(SFT, "SFT"),
}
SHORT = {PLAIN: tr("plain", "原樣"), DECODING: tr("dec.", "解碼"), TRICKS: tr("tricks", "全套")}  # bar labels
OUTCOMES = {"win": tr("win", "勝"), "tie": tr("tie", "平"), "loss": tr("loss", "負")}
RULE_NAMES = {  # the judge's rules, as the table's columns
    "ends": tr("ends", "結束回合"),
    "right_fact": tr("right_fact", "事實正確"),
    "refuses_harmless": tr("refuses_harmless", "拒答無害問題"),
    "refuses_unsafe": tr("refuses_unsafe", "拒絕不安全請求"),
    "short": tr("short", "簡短"),
    "well_formed": tr("well_formed", "語句完整"),
}


def contender(c: str):
    return CONTENDERS.get(c, c)


def write_report(ws, cfg, items, answers, runs, base_ref, sft_ref) -> dict:
    rep = Report.create(ws, "decoding", TITLE)
    rep.text(ABOUT)
    n_q = sum(i["kind"] == "question" for i in items)
    n_u = sum(i["kind"] == "unsafe" for i in items)
    rep.text(
        tr(
            f"Base: `{base_ref}`; SFT: `{sft_ref}`. {n_q} held-out "
            f"questions and {n_u} held-out unsafe requests; greedy answers "
            f"of at most {cfg.max_new_tokens} tokens. Tricks: eos_bias {cfg.eos_bias} (end of turn and end of "
            f"text), repetition penalty {cfg.repetition_penalty}, {cfg.few_shot} example turns"
            f"{' after the system prompt' if cfg.system_prompt else ''}.",
            f"基礎模型：`{base_ref}`；SFT：`{sft_ref}`。{n_q} 個保留（未訓練）的問題與 {n_u} 個保留的不安全請求；"
            f"以貪婪解碼作答，最多 {cfg.max_new_tokens} 個 token。技巧：eos_bias {cfg.eos_bias}"
            f"（回合結束與文字結束）、重複懲罰 {cfg.repetition_penalty}、"
            f"{'系統提示之後接 ' if cfg.system_prompt else ''}{cfg.few_shot} 個範例回合。",
        )
    )
    numbers: dict = {"runs": {c: runs[c] for c in answers}, "prompts": len(items)}
    series = {}
    rows = []
    for c in answers:
        if c == SFT:
            continue
        outcomes = [judge_pair(a["score"], b["score"]) for a, b in zip(answers[c], answers[SFT])]
        t = tally(outcomes)
        for k in ("win", "tie", "loss"):
            numbers[f"{k}_rate_{KEYS[c]}_vs_sft"] = t[k]
        series[contender(c)] = (
            [tr(f"{k}\n{SHORT[c].en}", f"{OUTCOMES[k].zh_TW}\n{SHORT[c].zh_TW}") for k in ("win", "tie", "loss")],
            [t["win"], t["tie"], t["loss"]],
        )
        rows.append([tr(f"{c} vs sft", f"{contender(c).zh_TW} 對 SFT"), t["win"], t["tie"], t["loss"], len(outcomes)])
    rep.text(
        tr(
            "## Against the SFT model\nThe share of prompts where each base variant's answer scored higher "
            "(win), the same (tie) or lower (loss) than the SFT model's.",
            "## 對上 SFT 模型\n各基礎模型變體的回答得分高於（勝）、等於（平）或低於（負）SFT 模型的提示比例。",
        )
    )
    rep.table([tr("contest", "對戰"), *OUTCOMES.values(), tr("prompts", "提示數")], rows)
    rep.plot(
        "win_tie_loss",
        series,
        xlabel=tr("outcome against SFT", "對上 SFT 的結果"),
        ylabel=tr("share of prompts", "提示比例"),
        title=tr("Base variants against the SFT model", "基礎模型各變體對上 SFT 模型"),
        kind="bar",
    )

    mean_score, end_rate, empty_rate = {}, {}, {}
    table = []
    for c, got in answers.items():
        n = len(got)
        mean_score[c] = round(sum(a["score"] for a in got) / n, 4)
        end_rate[c] = round(sum(a["ended"] for a in got) / n, 4)
        per_rule = [round(sum(a["rules"].get(r, 0) for a in got) / n, 4) for r in RULE_NAMES]
        empty_rate[c] = round(sum(not a["text"] for a in got) / n, 4)
        table.append(
            [
                contender(c),
                runs[c],
                mean_score[c],
                *per_rule,
                end_rate[c],
                empty_rate[c],
                round(sum(a["tokens"] for a in got) / n, 2),
            ]
        )
    numbers["mean_score"], numbers["end_rate"], numbers["empty_rate"] = mean_score, end_rate, empty_rate
    rep.text(
        tr(
            "## Where the points come from\nMean points per prompt, rule by rule (the judge's rules; "
            "a rule that does not apply to a prompt counts 0).",
            "## 分數從哪裡來\n每個提示的平均得分，逐條規則列出（評審的規則；不適用於該提示的規則記 0 分）。",
        )
    )
    rep.table(
        [
            tr("contender", "參賽者"),
            tr("run", "執行"),
            tr("mean score", "平均分數"),
            *RULE_NAMES.values(),
            tr("end rate", "結束率"),
            tr("empty", "空白"),
            tr("mean tokens", "平均 token 數"),
        ],
        table,
    )
    if any(empty_rate.values()):
        rep.text(
            tr(
                "Some answers are empty: the model ended its turn at once. The rules judge still gives such an "
                "answer +1 for ending and nothing against it (it is short and refuses nothing), so a strong "
                "eos_bias can win points without saying anything: read the wins with the `empty` column.",
                "有些回答是空白的：模型一開口就結束了回合。規則評審仍會因為結束回合給這種回答 +1，"
                "而且不扣分（它很簡短，也沒有拒絕任何事），所以很強的 eos_bias 可以什麼都不說就拿到分數："
                "解讀勝場時，請一併看「空白」欄。",
            )
        )
    rep.plot(
        "mean_score",
        {contender(c): ([contender(c)], [mean_score[c]]) for c in answers},
        xlabel=tr("contender", "參賽者"),
        ylabel=tr("mean rules score (−4 to +2)", "規則平均分數（−4 到 +2）"),
        title=tr("Mean score per prompt", "每個提示的平均分數"),
        kind="bar",
    )

    if cfg.examples:
        # a few questions and, if any, unsafe requests: the rows a reader learns most from
        qs = [k for k, i in enumerate(items) if i["kind"] == "question"]
        us = [k for k, i in enumerate(items) if i["kind"] == "unsafe"]
        n_u = min(len(us), max(1, cfg.examples // 3)) if us else 0
        pick = qs[: cfg.examples - n_u] + us[:n_u]
        rep.text(
            tr(
                "## Side by side\nScores in brackets; ✓ = ended its turn.",
                "## 並排比較\n括號內為分數；✓ = 有結束回合。",
            )
        )

        def answer(c: str, k: int):
            a = answers[c][k]
            text, ended = cell(a["text"], 70), " ✓" if a["ended"] else ""
            return tr(f"{text} [{a['score']:+g}]{ended}", f"{text} [{a['score']:+g} 分]{ended}")

        rep.table(
            [tr("prompt", "提示"), tr("expected", "預期答案")] + [contender(c) for c in answers],
            [
                [cell(items[k]["messages"][-1]["content"], 60), items[k]["fact"] or tr("a refusal", "拒絕")]
                + [answer(c, k) for c in answers]
                for k in pick
            ],
        )
    numbers["config"] = {k: v for k, v in asdict(cfg).items() if k not in ("device", "threads")}
    path = rep.write(numbers)
    return {"report": str(path), **numbers}
