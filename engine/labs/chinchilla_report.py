"""The chinchilla lab's report (engine/labs/chinchilla.py), in English and Traditional Chinese: the
setup, the iso-FLOP curves and the optimum per budget, the comparison with Chinchilla, every run and
the planner."""

from __future__ import annotations

import math

from engine.labs.chinchilla_law import CHINCHILLA_TOKENS_PER_PARAM, plan
from engine.labs.report import Report, tr


def human(x: float) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def write_report(rep: Report, about, rows: list[dict], budgets: list[float], numbers: dict, cfg):
    ratio = numbers["mean_tokens_per_param"]
    n_int = sum(p["interior"] for p in numbers["budgets"])
    flops_list = ", ".join(f"{c:.3g}" for c in budgets)
    flops_zh = "、".join(f"{c:.3g}" for c in budgets)
    minutes, train_minutes = numbers["seconds"] / 60, numbers["training_seconds"] / 60
    gflops = numbers["flops_per_s"] / 1e9
    rep.text(about)
    rep.text(
        tr(
            f"## Setup\n\n{len(budgets)} compute budgets ({flops_list} FLOPs, "
            f"x{cfg.budget_factor:g} apart), {cfg.sizes} model sizes each; scratch demo world of {cfg.people} people, "
            f"{numbers['train_tokens']:,} training tokens, {numbers['vocab_size']}-token vocabulary, context "
            f"{cfg.block_size}, {cfg.batch_size} sequences per step. Each run trains for D = C / (6 N) tokens and "
            f"is scored by its final validation loss.\n\n"
            "**N counts every parameter**, the tied embedding/output matrix included (Chinchilla's convention; "
            "Kaplan et al. 2020 left the embedding out). At this scale the embedding is a large share of each "
            "model, and the output matrix is real compute (every token multiplies it), so leaving it out would "
            "mis-state both the size and the FLOPs of the smallest models; the non-embedding count is in the "
            "table for comparison. 6·N·D leaves out attention's own FLOPs (a few percent here).\n\n"
            f"The lab took {minutes:.1f} minutes ({train_minutes:.1f} of training; median {gflops:.2f} GFLOP/s).",
            f"## 設定\n\n{len(budgets)} 個算力預算（{flops_zh} FLOPs，相鄰預算相差 {cfg.budget_factor:g} 倍），"
            f"每個預算訓練 {cfg.sizes} 種大小的模型；暫存的示範世界有 {cfg.people} 人、"
            f"{numbers['train_tokens']:,} 個訓練 token，詞彙表 {numbers['vocab_size']} 個 token，"
            f"上下文 {cfg.block_size}，每步 {cfg.batch_size} 條序列。每次訓練 D = C / (6 N) 個 token，"
            "並以最終驗證損失評分。\n\n"
            "**N 計入所有參數**，包括綁定（tied）的嵌入／輸出矩陣（這是 Chinchilla 的算法；Kaplan et al. 2020 "
            "則不計嵌入層）。在這個規模下，嵌入層占每個模型相當大的比例，而輸出矩陣是實實在在的計算"
            "（每個 token 都要乘上它），若不計入，最小幾個模型的大小和 FLOPs 都會算錯；表格另列不含嵌入層的"
            "參數量供比較。6·N·D 沒有計入注意力本身的 FLOPs（在這裡只占幾個百分點）。\n\n"
            f"整個實驗花了 {minutes:.1f} 分鐘（其中訓練 {train_minutes:.1f} 分鐘；中位數 {gflops:.2f} GFLOP/s）。",
        )
    )

    series, markers = {}, {}
    for b, p in enumerate(numbers["budgets"]):
        mine = [r for r in rows if r["budget"] == b]
        series[f"{p['flops']:.2g} FLOPs"] = ([r["params"] for r in mine], [r["val_loss"] for r in mine])
        markers[tr(f"optimum {p['flops']:.2g}", f"最佳點 {p['flops']:.2g}")] = (p["optimum_params"], p["optimum_loss"])
    rep.text(
        tr(
            "## Iso-FLOP curves\n\nEach line: models of different sizes trained with the same compute. "
            "The star is the fitted minimum (a parabola in log N).",
            "## 等算力曲線\n\n每條線是以相同算力訓練的不同大小模型。星號是擬合出的最低點（對 log N 擬合的拋物線）。",
        )
    )
    rep.plot(
        "isoflop",
        series,
        xlabel=tr("parameters N (total, log scale)", "參數量 N（總數，對數刻度）"),
        ylabel=tr("final validation loss", "最終驗證損失"),
        title=tr("Iso-FLOP curves", "等算力曲線"),
        logx=True,
        markers=markers,
    )

    rep.text(tr("## The optimum per budget", "## 各預算的最佳點"))
    rep.table(
        [
            tr("budget (FLOPs)", "預算（FLOPs）"),
            tr("optimum N*", "最佳 N*"),
            "D* = C/(6N*)",
            tr("tokens per param", "每參數 token 數"),
            tr("loss at N*", "N* 處的損失"),
            tr("interior?", "位於內部？"),
        ],
        [
            [
                f"{p['flops']:.3g}",
                human(p["optimum_params"]),
                human(p["optimum_tokens"]),
                float(p["tokens_per_param"]),
                float(p["optimum_loss"]),
                tr("yes", "是") if p["interior"] else tr("no (the sweep's end)", "否（在掃描範圍的端點）"),
            ]
            for p in numbers["budgets"]
        ],
    )
    if len(budgets) >= 2:
        cs = budgets
        opt = [p["optimum_params"] for p in numbers["budgets"]]
        ref = [math.sqrt(c / (6 * CHINCHILLA_TOKENS_PER_PARAM)) for c in cs]
        rep.plot(
            "optimum",
            {
                tr("this lab's N*", "本實驗的 N*"): (cs, opt),
                tr("Chinchilla, 20 tokens/param", "Chinchilla，每參數 20 個 token"): (cs, ref),
            },
            xlabel=tr("compute C (FLOPs)", "算力 C（FLOPs）"),
            ylabel=tr("compute-optimal params N*", "算力最佳參數量 N*"),
            title=tr("Optimal size vs compute", "最佳模型大小與算力"),
            logx=True,
            logy=True,
        )
        e = numbers["params_exponent"]
        rep.text(
            tr(
                f"Fitted across budgets: N* ∝ C^{e:.2f} (Chinchilla: C^0.50, so tokens grow as fast as parameters).",
                f"跨預算擬合：N* ∝ C^{e:.2f}（Chinchilla 為 C^0.50，也就是 token 數與參數量成長得一樣快）。",
            )
        )
    if n_int:
        verdict = tr(
            f"{n_int} of {len(budgets)} budgets have an interior optimum: the smallest loss is at neither "
            "the smallest nor the largest model of the sweep, as Chinchilla found.",
            f"{len(budgets)} 個預算中有 {n_int} 個的最佳點位於內部：最小損失既不在掃描中最小的模型，"
            "也不在最大的模型，與 Chinchilla 的發現一致。",
        )
    else:
        verdict = tr(
            "No budget has an interior optimum here: the sweep missed the valley (try "
            "another center_tokens_per_param or more sizes).",
            "這裡沒有任何預算的最佳點位於內部：掃描範圍沒有涵蓋谷底"
            "（可以換一個 `center_tokens_per_param`，或增加模型大小的數量）。",
        )
    tpp = numbers["tokens_per_param"]
    rep.text(
        tr(
            f"## Compared with Chinchilla\n\n{verdict.en} At the optimum this lab trains "
            f"**{tpp:.3g} tokens per parameter** at its largest budget "
            f"({ratio:.3g} on average over the budgets), against Chinchilla's ~20. The direction is the published "
            "one; the number need not be. These models are a thousand times smaller than Chinchilla's smallest, "
            "with a tiny vocabulary and short context, trained for minutes with a schedule and learning rates "
            "not tuned per size; the demo world is a small, repetitive corpus whose learnable part saturates "
            "(a memorising model gains little from more tokens of the same templates); and the fit rests on a "
            "handful of noisy points per budget. Chinchilla's own three methods already disagree by a factor of "
            "about 1.5-2 in the ratio.",
            f"## 與 Chinchilla 比較\n\n{verdict.zh_TW}本實驗在最大預算的最佳點上，"
            f"**每個參數訓練 {tpp:.3g} 個 token**（各預算平均 {ratio:.3g}），Chinchilla 則約為 20。"
            "趨勢方向與論文相同；數字則未必相同。這些模型比 Chinchilla 最小的模型還小一千倍，詞彙表很小、"
            "上下文很短，只訓練了幾分鐘，排程與學習率也沒有針對各個大小調整；示範世界是一個小而重複的語料，"
            "其中可學的部分很快就會飽和（死記的模型從同一批模板的更多 token 中獲益不多）；而且每個預算的擬合"
            "只靠少數幾個帶有雜訊的點。Chinchilla 自己的三種方法，算出的比例就已相差約 1.5 到 2 倍。",
        )
    )

    rep.text(tr("## Every run", "## 每次訓練"))
    rep.table(
        [
            tr("budget", "預算"),
            tr("layers x width", "層數 x 寬度"),
            tr("N (total)", "N（總數）"),
            tr("N (non-emb.)", "N（不含嵌入）"),
            tr("steps", "步數"),
            tr("tokens D", "token 數 D"),
            "D/N",
            tr("epochs", "輪數（epoch）"),
            tr("val loss", "驗證損失"),
            tr("seconds", "秒數"),
        ],
        [
            [
                f"{r['flops']:.3g}",
                f"{r['n_layer']}x{r['n_embd']}",
                r["params"],
                r["non_embedding_params"],
                r["steps"],
                r["tokens"],
                float(r["tokens_per_param"]),
                float(r["epochs"]),
                float(r["val_loss"]),
                float(r["seconds"]),
            ]
            for r in rows
        ],
    )

    fps = numbers["flops_per_s"]
    rep.text(
        tr(
            f"## Planner\n\nA budget -> compute-optimal params and tokens, at this lab's {ratio:.3g} tokens per "
            f"parameter and at Chinchilla's 20 (C = 6·N·D). Minutes are on this machine, at the median "
            f"{fps / 1e9:.2f} GFLOP/s measured above (`engine.labs.chinchilla_law.plan`).",
            f"## 規劃表\n\n給定預算 -> 算力最佳的參數量與 token 數，分別按本實驗的每參數 {ratio:.3g} 個 token "
            f"與 Chinchilla 的 20 個計算（C = 6·N·D）。分鐘數指在這台電腦上，以上面測得的中位數 "
            f"{fps / 1e9:.2f} GFLOP/s 換算（`engine.labs.chinchilla_law.plan`）。",
        )
    )
    budgets_plan = [
        (tr("1 minute here", "在這台電腦上 1 分鐘"), fps * 60),
        (tr("10 minutes here", "在這台電腦上 10 分鐘"), fps * 600),
        (tr("1 hour here", "在這台電腦上 1 小時"), fps * 3600),
        ("1e15 FLOPs", 1e15),
        ("1e18 FLOPs", 1e18),
        ("1e21 FLOPs", 1e21),
    ]
    table = []
    for name, c in budgets_plan:
        ours, theirs = plan(flops=c, tokens_per_param=ratio), plan(flops=c)
        table.append(
            [
                name,
                f"{c:.3g}",
                human(ours["params"]),
                human(ours["tokens"]),
                human(theirs["params"]),
                human(theirs["tokens"]),
            ]
        )
    rep.table(
        [
            tr("budget", "預算"),
            "FLOPs",
            tr("params (lab)", "參數量（本實驗）"),
            tr("tokens (lab)", "token 數（本實驗）"),
            tr("params (20/param)", "參數量（每參數 20）"),
            tr("tokens (20/param)", "token 數（每參數 20）"),
        ],
        table,
    )
    plain = {k: v for k, v in numbers.items() if k != "report"}
    return rep.write(plain)
