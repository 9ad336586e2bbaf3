"""The emergence lab's report (engine/labs/emergence.py), in English and Traditional Chinese: the setup,
accuracy and loss against size, the sharpness of each curve, every model, and the verdict."""

from __future__ import annotations

from engine.labs.report import Report, tr

TITLE = tr("Emergence: sudden abilities, or an all-or-nothing metric?", "湧現：能力突然出現，還是全有全無的指標？")
ABOUT = tr(
    "Wei et al. (2022) saw abilities such as multi-digit arithmetic stay at chance in smaller models "
    'and then jump in bigger ones, and called them emergent; Schaeffer et al. (2023, "Are Emergent '
    'Abilities of Large Language Models a Mirage?") showed that the jump is mostly in the metric: '
    "exact match scores a multi-step answer all-or-nothing, so a model that gets most digits right "
    "still scores 0, while per-step metrics of the same models improve smoothly. This lab trains a "
    "sweep of model sizes from scratch on 3-digit addition (made up on the fly, answers written "
    "the usual way, leading digit first), every size on the same number of problems, in about 6 minutes "
    "on 2 CPU cores, and scores each on held-out problems three ways: exact match of the greedy "
    "answer, per-digit accuracy of that answer, and the per-token loss of the right answer. Read the "
    "plots against parameters (log scale): when exact match jumps while per-digit accuracy climbs "
    "steadily, the jump is the metric's (the dotted curve, per-digit accuracy to the power of the "
    "answer's length, is what an all-or-nothing score of steadily improving steps looks like); when "
    "per-digit accuracy jumps too, the models changed abruptly. The report says which it saw.",
    "Wei et al.（2022）看到多位數算術這類能力在較小的模型上停在隨機猜測的水準，到了較大的模型卻突然跳升，"
    '於是稱之為湧現能力；Schaeffer et al.（2023，"Are Emergent Abilities of Large Language Models a Mirage?"）'
    "則指出，這個跳升主要是指標造成的海市蜃樓（假象）：完全符合對多步驟的答案採全有全無的計分，"
    "所以大部分數字都答對的模型仍然得 0 分，而同一批模型的逐步指標其實是平滑進步的。"
    "本實驗從頭訓練一系列不同大小的模型做 3 位數加法（題目即時產生，答案照一般寫法，最高位先寫），"
    "每種大小都訓練相同數量的題目，在 2 個 CPU 核心上約需 6 分鐘；再用保留（未訓練）的題目，"
    "以三種方式為每個模型打分：貪婪回答的完全符合、同一回答的逐位準確率，以及正確答案的每 token 損失。"
    "怎麼看：對照參數量（對數刻度）看圖。若完全符合跳升、逐位準確率卻穩定爬升，跳升就來自指標"
    "（虛線是逐位準確率的「答案長度」次方，也就是每一步穩定進步時，全有全無的分數看起來的樣子）；"
    "若逐位準確率也跳升，就是模型本身突然改變了。報告會說明這次看到的是哪一種。",
)

MIRAGE_SHARPNESS = 0.6  # a curve with less of its rise in one step between neighbouring sizes counts as gradual
# exact match within this of (per-digit accuracy)^digits at every size: the all-or-nothing score of the steps
MIRAGE_GAP = 0.15


def write_report(ws, rows: list[dict], numbers: dict, cfg, problem_text, vocab: int):
    """report.md and report.zh_TW.md (and numbers.json) in WS/labs/emergence-TIMESTAMP/; returns report.md's path.
    `problem_text`: the lab's writing of a problem, `vocab`: the lab's tokens."""
    rep = Report.create(ws, "emergence", TITLE)
    d, L = cfg.digits, cfg.digits + 1
    a, b = 1234 % 10**d, 5678 % 10**d
    example = problem_text(a, b, d, cfg.reverse, cfg.reverse_operands)
    n_train, n_distinct = numbers["training_problems"], numbers["distinct_training_problems"]
    rep.text(ABOUT)
    rep.text(
        tr(
            f"## Setup\n\n**Task**: {d}-digit addition, operands uniform in 0…{10**d - 1} written zero-padded, the "
            f"answer as {L} digits, "
            + (
                f"**reversed** (least-significant digit first, the order in which the carry is computed; a small "
                f"model that must write the leading digit first has to do the whole sum before writing anything): "
                f"`{example}` means {a}+{b}={a + b}."
                if cfg.reverse
                else f"in the usual order: `{example}`."
            )
            + f" Character-level tokenizer of the lab's own ({vocab} tokens). Every model trains from scratch for "
            f"{cfg.steps} steps of {cfg.batch_size} problems ({n_train:,} problems, "
            f"{n_distinct:,} distinct; the same ones, in the same order, for every size), "
            f"loss on the answer tokens only, AdamW at peak lr {cfg.lr:g}, seed {cfg.seed}. Scoring: "
            f"{cfg.eval_problems:,} held-out problems (none of them in training), greedy answers of {L} digits.\n\n"
            f"- **exact match**: share of problems whose whole answer is right (all-or-nothing);\n"
            f"- **per-digit accuracy**: share of answer positions right, each on its own (chance: 10%);\n"
            f"- **answer loss**: mean cross-entropy (nats per token) of the right answer's tokens, teacher-forced "
            f"(chance: ln 10 = 2.30).\n\n"
            f"The lab took {numbers['seconds'] / 60:.1f} minutes.",
            f"## 設定\n\n**任務**：{d} 位數加法，兩個運算元在 0…{10**d - 1} 間均勻抽取、補零寫滿 {d} 位，"
            f"答案寫成 {L} 位數，"
            + (
                "**反寫**（個位數先寫，也就是計算進位的順序；小模型若必須先寫最高位，"
                f"就得在寫下任何數字之前先算完整個和）：`{example}` 表示 {a}+{b}={a + b}。"
                if cfg.reverse
                else f"照一般順序書寫：`{example}`。"
            )
            + f"使用本實驗自備的字元層級分詞器（{vocab} 個 token）。每個模型都從頭訓練 {cfg.steps} 步、"
            f"每步 {cfg.batch_size} 題（共 {n_train:,} 題，其中 {n_distinct:,} 題不重複；"
            "每種大小用的都是同一批題目、同樣的順序），損失只算答案的 token，"
            f"使用 AdamW，峰值學習率 {cfg.lr:g}，種子 {cfg.seed}。"
            f"評分：{cfg.eval_problems:,} 道保留（未訓練）的題目（沒有一道出現在訓練資料中），"
            f"以貪婪解碼回答 {L} 位數。\n\n"
            "- **完全符合**：整個答案全對的題目比例（全有全無）；\n"
            "- **逐位準確率**：答案中各個位置分別答對的比例（隨機猜測：10%）；\n"
            "- **答案損失**：以 teacher forcing 計算正確答案各 token 的平均交叉熵"
            "（每個 token 的 nats；隨機猜測：ln 10 = 2.30）。\n\n"
            f"本實驗花了 {numbers['seconds'] / 60:.1f} 分鐘。",
        )
    )

    ps = numbers["sizes"]
    em, acc, loss = numbers["exact_match"], numbers["step_accuracy"], numbers["answer_loss"]
    rep.text(
        tr(
            "## Accuracy against size\n\nThe same models, two scores. The dotted line is per-digit accuracy "
            f"raised to the power {L}: what exact match would be if each digit were right independently.",
            f"## 準確率與模型大小\n\n同一批模型，兩種分數。虛線是逐位準確率的 {L} 次方："
            "假如每一位數各自獨立地答對，完全符合應有的數值。",
        )
    )
    params_axis = tr("parameters (log scale)", "參數量（對數刻度）")
    rep.plot(
        "accuracy",
        {
            tr("exact match", "完全符合"): (ps, em),
            tr("per-digit accuracy", "逐位準確率"): (ps, acc),
            tr(f"per-digit accuracy ^ {L}", f"逐位準確率 ^ {L}"): (ps, [v**L for v in acc]),
        },
        xlabel=params_axis,
        ylabel=tr("accuracy on held-out problems", "保留題目上的準確率"),
        title=tr("Exact match jumps, per-digit accuracy climbs", "完全符合跳升，逐位準確率爬升"),
        logx=True,
    )
    rep.plot(
        "answer_loss",
        {tr("loss of the right answer", "正確答案的損失"): (ps, loss)},
        xlabel=params_axis,
        ylabel=tr("nats per answer token", "每個答案 token 的 nats"),
        title=tr("Per-token loss of the right answer", "正確答案的每 token 損失"),
        logx=True,
    )

    sh = numbers["sharpness"]
    ratio = (
        tr(f"{sh['ratio']:.2f}", f"{sh['ratio']:.2f}")
        if sh["ratio"] is not None
        else tr("undefined (per-digit accuracy did not rise)", "無定義（逐位準確率沒有上升）")
    )
    even = 1 / (len(ps) - 1)
    rep.text(
        tr(
            "## Sharpness\n\nFor each curve over the sizes: its **largest rise between neighbouring sizes as a "
            "share of its total rise** (its highest value minus its lowest; for the loss, its fall). 1 means the whole change "
            f"happens in one step; {even:.2f} means it is spread evenly over the {len(ps) - 1} steps between "
            f"{len(ps)} sizes; 0 means no rise.\n\n"
            f"- exact match: **{sh['exact_match']:.2f}** (from {em[0]:.1%} to {em[-1]:.1%})\n"
            f"- per-digit accuracy: **{sh['step_accuracy']:.2f}** (from {acc[0]:.1%} to {acc[-1]:.1%})\n"
            f"- answer loss: **{sh['answer_loss']:.2f}** (from {loss[0]:.3f} to {loss[-1]:.3f} nats)\n"
            f"- ratio exact / per-digit: **{ratio.en}**",
            "## 陡峭度\n\n對每條隨模型大小變化的曲線，取**相鄰兩個大小之間的最大升幅占總升幅的比例**"
            "（總升幅是最高值減最低值；損失則看降幅）。1 表示整個變化都發生在一次跨越中；"
            f"{even:.2f} 表示變化平均分散在 {len(ps)} 個大小之間的 {len(ps) - 1} 次跨越；0 表示沒有上升。\n\n"
            f"- 完全符合：**{sh['exact_match']:.2f}**（從 {em[0]:.1%} 到 {em[-1]:.1%}）\n"
            f"- 逐位準確率：**{sh['step_accuracy']:.2f}**（從 {acc[0]:.1%} 到 {acc[-1]:.1%}）\n"
            f"- 答案損失：**{sh['answer_loss']:.2f}**（從 {loss[0]:.3f} 到 {loss[-1]:.3f} nats）\n"
            f"- 完全符合 / 逐位準確率的比值：**{ratio.zh_TW}**",
        )
    )

    shape = tr("layers x width", "層數 x 寬度")
    rep.text(tr("## Every model", "## 每個模型"))
    rep.table(
        [
            shape,
            tr("params", "參數量"),
            tr("exact match", "完全符合"),
            tr("per-digit acc.", "逐位準確率"),
            tr(f"per-digit^{L}", f"逐位準確率^{L}"),
            tr("answer loss", "答案損失"),
            tr("seconds", "秒數"),
        ],
        [
            [
                f"{r['n_layer']}x{r['n_embd']}",
                r["params"],
                f"{r['exact_match']:.1%}",
                f"{r['step_accuracy']:.1%}",
                f"{r['step_accuracy'] ** L:.1%}",
                float(r["answer_loss"]),
                r["seconds"],
            ]
            for r in rows
        ],
    )
    order = tr("least-significant first", "個位數先寫") if cfg.reverse else tr("most-significant first", "最高位先寫")
    rep.text(
        tr(
            f"Per-digit accuracy by answer position ({order.en}, as written):",
            f"各答案位置的逐位準確率（{order.zh_TW}，依書寫順序）：",
        )
    )
    rep.table(
        [shape] + [tr(f"digit {i + 1}", f"第 {i + 1} 位") for i in range(L)],
        [[f"{r['n_layer']}x{r['n_embd']}"] + [f"{v:.0%}" for v in r["position_accuracy"]] for r in rows],
    )

    gap = numbers["independence_gap"]
    verdict = (
        tr(
            'Here that is what happened: the "emergence" is in the all-or-nothing metric, not a sudden change in '
            f"the models, whose per-digit accuracy moved gradually (sharpness {sh['step_accuracy']:.2f}, under "
            f"{MIRAGE_SHARPNESS}), while exact match stayed within {gap:.0%} of the dotted curve at every size "
            "(Schaeffer et al. 2023).",
            "這次正是如此：「湧現」來自全有全無的指標，而不是模型突然改變；模型的逐位準確率是逐漸進步的"
            f"（陡峭度 {sh['step_accuracy']:.2f}，低於 {MIRAGE_SHARPNESS}），而完全符合在每個大小都與虛線相差不到 "
            f"{gap:.0%}（Schaeffer et al. 2023）。",
        )
        if numbers["mirage"]
        else tr(
            "Here it did not happen that way: per-digit accuracy jumped too "
            f"(sharpness {sh['step_accuracy']:.2f}: most of its rise between two neighbouring sizes) — the models "
            "themselves changed abruptly: below the jump they sat on a plateau (a few answer positions learned, "
            "the others at chance) and above it they had learned the whole algorithm, as in grokking. Sizes "
            "between the two, or several seeds per size, show where the plateau ends; the metric adds to the "
            "jump only what the dotted curve shows.",
            f"這次並非如此：逐位準確率也跳升了（陡峭度 {sh['step_accuracy']:.2f}：大部分升幅集中在相鄰的兩個大小之間）"
            "——是模型本身突然改變：跳升之前，它們停在停滯期（學會了幾個答案位置，其他位置仍是隨機猜測），"
            "跳升之後則學會了整套演算法，就像 grokking（頓悟）。在這兩個大小之間多加幾個大小，"
            "或每個大小多跑幾個種子，就能看出停滯期在哪裡結束；指標對跳升的貢獻，只有虛線所顯示的那部分。",
        )
    )
    rep.text(
        tr(
            "## Reading it\n\nA model that gets each digit right 80% of the time gets a whole "
            f"{L}-digit answer right only {0.8**L:.0%} of the time (0.8^{L}); at 95% per digit, {0.95**L:.0%}. So "
            "exact match can stay near zero while the models learn most of the task and then rise over the sizes "
            "where the last digits fall into place, even when per-digit accuracy improves steadily. "
            + verdict.en
            + " Digits that need a carry are the last to be learned; the position table shows which.",
            f"## 怎麼解讀\n\n一個模型若每一位數答對的機率是 80%，整個 {L} 位數的答案全對的機率只有 "
            f"{0.8**L:.0%}（0.8^{L}）；每位 95% 時則是 {0.95**L:.0%}。所以即使逐位準確率穩定進步，"
            "完全符合仍可能在模型學會大部分任務的期間一直接近零，直到最後幾位數也到位的那幾個大小才升起來。"
            + verdict.zh_TW
            + "需要進位的位數最晚學會；位置表格會顯示是哪幾位。",
        )
    )
    plain = {k: v for k, v in numbers.items() if k != "report"}
    return rep.write(plain)
