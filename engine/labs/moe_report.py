"""The moe lab's report (engine/labs/moe.py), in English and Traditional Chinese: the setup, the
table of runs, the loss and expert-load plots, the per-layer loads and the verdict."""

from __future__ import annotations

import json

import numpy as np

from engine.labs.report import Report, tr

# the four runs, in the order trained; their names are the JSON's (engine/labs/moe.py imports them)
RUNS = ("dense (active size)", "MoE, aux loss", "MoE, no aux loss", "dense (total size)")

# The runs' names are the numbers' keys (English in the JSON); the reports show them in their language.
RUN_LABELS = dict(
    zip(
        RUNS,
        (
            tr(RUNS[0], "稠密（啟用參數同 MoE）"),
            tr(RUNS[1], "MoE，有輔助損失"),
            tr(RUNS[2], "MoE，無輔助損失"),
            tr(RUNS[3], "稠密（總參數同 MoE）"),
        ),
    )
)


def run_label(name: str):
    return RUN_LABELS.get(name, name)


def torch_threads_text(n: int):
    return tr(f"{n} CPU thread{'s' if n != 1 else ''}", f"{n} 個 CPU 執行緒")


def write_report(rep: Report, about, results: list[dict], numbers: dict, cfg, threads: int, hidden: int, imbalance):
    """`hidden`: one expert's width; `imbalance(shares)`: the lab's load measures of one layer."""
    rep.text(about)
    h, E, k = hidden, cfg.n_experts, cfg.expert_top_k
    threads_text = torch_threads_text(threads)
    rep.text(
        tr(
            f"## Setup\n\nEvery run: {cfg.n_layer} Transformer blocks {cfg.n_embd} wide ({cfg.n_head} heads), "
            f"context {cfg.block_size}, {cfg.steps} steps of {cfg.batch_size} sequences "
            f"({numbers['tokens_per_run']:,} tokens) of the workspace's training split in the same seeded order, "
            f"the same initial seed ({cfg.seed}), AdamW at peak lr {cfg.lr:g}, {threads_text.en}. "
            f"One expert is a SwiGLU feed-forward of hidden width {h}; the MoE has {E} of them in "
            f"every block and routes each token to its top {k}. The dense models' feed-forward "
            f"is {k} x {h} = {k * h} wide (the MoE's *active* parameters) and "
            f"{E} x {h} = {E * h} wide (its *total*). Parameters count the tied "
            "embedding once; the router (n_embd x n_experts per block) counts in the MoE's total, not its active parameters. Training "
            "tokens/s times the training steps only; generation tokens/s is one sequence of "
            f"{cfg.gen_tokens} tokens with the KV cache (the fastest of three tries).",
            f"## 設定\n\n每組訓練條件相同：{cfg.n_layer} 個寬 {cfg.n_embd} 的 Transformer 區塊（{cfg.n_head} 個注意力頭），"
            f"上下文 {cfg.block_size}，共 {cfg.steps} 步、每步 {cfg.batch_size} 條序列"
            f"（{numbers['tokens_per_run']:,} 個 token），取自工作區的訓練集，並以同一個種子決定的相同順序讀取；"
            f"初始化種子相同（{cfg.seed}），使用 AdamW，峰值學習率 {cfg.lr:g}，{threads_text.zh_TW}。"
            f"一個專家是隱藏寬度 {h} 的 SwiGLU 前饋層；MoE 在每個區塊中有 {E} 個專家，"
            f"並把每個 token 送到分數最高的 {k} 個。兩個稠密模型的前饋層寬度分別是 "
            f"{k} x {h} = {k * h}（等於 MoE 的*啟用*參數）與 {E} x {h} = {E * h}（等於它的*總*參數）。"
            "參數量中，綁定（tied）的嵌入層只算一次；路由器（每個區塊 n_embd x n_experts）算進 MoE 的總參數，不算進啟用參數。"
            "訓練 tokens/s 只計入訓練步本身的時間；生成 tokens/s 是以 KV 快取生成一條 "
            f"{cfg.gen_tokens} 個 token 的序列（三次嘗試中最快的一次）。",
        )
    )
    rows = []
    for r in results:
        imb = r["load_imbalance"]
        rows.append(
            [
                run_label(r["name"]),
                f"{r['total_params']:,}",
                f"{r['active_params']:,}",
                round(r["val_loss"], 4),
                round(r["final_train_loss"], 4),
                f"{r['train_tokens_per_s']:,.0f}",
                f"{r['generate_tokens_per_s']:,.0f}",
                f"{imb['max_over_mean']:.2f} / {imb['cv']:.2f}" if imb else "–",
            ]
        )
    rep.table(
        [
            tr("run", "模型"),
            tr("total params", "總參數"),
            tr("active params", "啟用參數"),
            tr("val loss", "驗證損失"),
            tr("train loss (last 10%)", "訓練損失（最後 10%）"),
            tr("train tok/s", "訓練 tok/s"),
            tr("generate tok/s", "生成 tok/s"),
            tr("load max/mean / cv", "負載 max/mean / cv"),
        ],
        rows,
    )
    # One bar per run, each its own series: the run's name is in the legend, in the report's language
    # (the bars' tick labels are plain strings, the same in both plots: the run's number).
    rep.plot(
        "val_loss",
        {run_label(r["name"]): ([str(i + 1)], [r["val_loss"]]) for i, r in enumerate(results)},
        tr("run", "模型"),
        tr("validation loss", "驗證損失"),
        title=tr("Validation loss at equal training tokens", "訓練 token 數相同時的驗證損失"),
        kind="bar",
    )
    curves = {}
    for r in results:
        c = np.asarray(r["_curve"])
        w = max(1, len(c) // 50)
        sm = np.convolve(c, np.ones(w) / w, mode="valid")
        curves[run_label(r["name"])] = (list(range(w, w + len(sm))), sm.tolist())
    rep.plot(
        "train_loss",
        curves,
        tr("step", "步"),
        tr(f"training loss (mean of {w} steps)", f"訓練損失（每 {w} 步平均）"),
        title=tr("Training loss", "訓練損失"),
    )
    moes = [r for r in results if r["expert_load"]]
    series = {}
    for r in moes:
        ranked = np.mean([sorted(layer, reverse=True) for layer in r["expert_load_per_layer"]], axis=0)
        series[run_label(r["name"])] = (list(range(1, E + 1)), ranked.tolist())
    series[tr("even (1/n_experts)", "平均分配（1/n_experts）")] = ([1, E], [1 / E, 1 / E])
    rep.plot(
        "expert_load",
        series,
        tr(
            "expert, busiest first (within each layer, then averaged over layers)",
            "專家，由最忙到最閒（先在每層內排序，再對各層平均）",
        ),
        tr("share of the routed tokens", "分到的路由 token 比例"),
        title=tr("Expert load on validation batches", "驗證批次上的專家負載"),
    )
    rep.text(
        tr(
            "## Expert loads\n\nAn expert's load is its share of the (token, slot) assignments the router made on "
            f"the validation batches: each token takes {k} slot(s), the shares of a layer sum to 1, "
            f"and an even router gives every expert 1/{E} = {1 / E:.3f}. Two measures of imbalance, computed per "
            "layer and averaged over the layers: **max/mean** = the busiest expert's share x n_experts (1 = even; "
            f"a router that sends every token to the same {k} expert(s) reaches "
            f"{E / k:g}), and **cv** = the standard deviation of the shares divided by their mean "
            "(0 = even). The plot sorts each layer's experts from busiest to idlest before averaging, so a lopsided "
            "router shows as a steep line whichever experts it favours.",
            "## 專家負載\n\n一個專家的負載，是路由器在驗證批次上做出的（token, 槽位）分配中它所占的比例："
            f"每個 token 占 {k} 個槽位，同一層各專家的比例加總為 1，完全平均的路由器會給每個專家 "
            f"1/{E} = {1 / E:.3f}。不平衡程度用兩個指標衡量，都是逐層計算、再對各層平均："
            "**max/mean** = 最忙專家的比例 x n_experts（1 = 完全平均；若路由器把每個 token 都送到同樣的 "
            f"{k} 個專家，會達到 {E / k:g}），以及 **cv** = 各比例的標準差除以其平均值（0 = 完全平均）。"
            "圖中先把每層的專家由最忙到最閒排序再平均，所以不論路由器偏好哪幾個專家，"
            "分配失衡的路由器都會畫成一條陡降的線。",
        )
    )
    lrows = []
    for r in moes:
        for i, layer in enumerate(r["expert_load_per_layer"]):
            im = imbalance(layer)
            lrows.append(
                [run_label(r["name"]), i + 1]
                + [f"{s:.3f}" for s in layer]
                + [f"{im['max_over_mean']:.2f}", f"{im['cv']:.2f}"]
            )
    rep.table(
        [tr("run", "模型"), tr("layer", "層")]
        + [tr(f"expert {e}", f"專家 {e}") for e in range(E)]
        + ["max/mean", "cv"],
        lrows,
    )
    rep.text(_verdict(results, numbers, cfg))
    rep.text(
        tr(
            "How to read the speeds: on a CPU the MoE's per-token compute is close to the dense model of its "
            "active size, but routing (gathering each expert's tokens and adding their outputs back, one expert "
            "after the other) costs time that a dense matrix product does not, so at this toy scale the MoE's "
            "tokens/s sits between the two dense models or below; on accelerators with fused expert kernels "
            "the gap to the active-size model shrinks. With top-1 routing (expert_top_k=1) the model's "
            "renormalised gate weight is exactly 1, so the router learns only from the auxiliary loss.",
            "如何解讀速度：在 CPU 上，MoE 每個 token 的計算量接近啟用參數相同的稠密模型，但路由"
            "（收集每個專家的 token、再把它們的輸出加回去，一個專家接一個專家地做）要多花時間，"
            "這是稠密矩陣乘法沒有的開銷；因此在這種玩具規模下，MoE 的 tokens/s 落在兩個稠密模型之間，甚至更低。"
            "在具備融合專家運算核心（fused kernel）的加速器上，它與啟用參數相同的模型之間的差距會縮小。"
            "使用 top-1 路由（expert_top_k=1）時，模型重新正規化後的閘門權重恰好為 1，"
            "因此路由器只能從輔助損失學習。",
        )
    )
    rep.text(_numbers_text(numbers))
    return rep.write(numbers)


def _verdict(results: list[dict], numbers: dict, cfg):
    by = {r["name"]: r for r in results}
    dense, moe, free = by[RUNS[0]], by[RUNS[1]], by[RUNS[2]]
    d = moe["val_loss"] - dense["val_loss"]
    en = (
        f"## Verdict\n\nThe MoE with the auxiliary loss reached validation loss {moe['val_loss']:.4f} against "
        f"{dense['val_loss']:.4f} for the dense model with the same active parameters "
        f"({d:+.4f}): it {'beat' if d < 0 else 'did not beat'} it at equal training tokens"
    )
    zh = (
        f"## 結論\n\n有輔助損失的 MoE 驗證損失為 {moe['val_loss']:.4f}，啟用參數相同的稠密模型為 "
        f"{dense['val_loss']:.4f}（差 {d:+.4f}）：在訓練 token 數相同時，MoE {'勝過' if d < 0 else '沒有勝過'}它"
    )
    if RUNS[3] in by:
        big = by[RUNS[3]]
        better = big["val_loss"] < moe["val_loss"]
        en += (
            f", and the dense model with the MoE's total parameters reached {big['val_loss']:.4f} "
            f"({'better' if better else 'no better'} than the MoE, "
            f"at {big['train_tokens_per_s']:,.0f} against the MoE's {moe['train_tokens_per_s']:,.0f} "
            "training tokens/s)"
        )
        zh += (
            f"；與 MoE 總參數相同的稠密模型則達到 {big['val_loss']:.4f}（{'比 MoE 好' if better else '沒有比 MoE 好'}，"
            f"訓練速度為 {big['train_tokens_per_s']:,.0f} tokens/s，MoE 為 {moe['train_tokens_per_s']:,.0f} tokens/s）"
        )
    a, f = moe["load_imbalance"], free["load_imbalance"]
    w = cfg.moe_aux_weight
    en += (
        f". Expert loads: with the auxiliary loss (weight {w:g}) max/mean {a['max_over_mean']:.2f}, "
        f"cv {a['cv']:.2f}; without it max/mean {f['max_over_mean']:.2f}, cv {f['cv']:.2f}: "
    )
    zh += (
        f"。專家負載：有輔助損失（權重 {w:g}）時 max/mean {a['max_over_mean']:.2f}、cv {a['cv']:.2f}；"
        f"沒有時 max/mean {f['max_over_mean']:.2f}、cv {f['cv']:.2f}："
    )
    if numbers["aux_balances_load"]:
        en += "the loss kept the experts evenly used, and without it the router drifted to favourites"
        zh += "輔助損失讓各專家被平均使用，少了它，路由器就逐漸偏向少數幾個專家"
    else:
        en += "the auxiliary loss did not make the load more even at this scale"
        zh += "在這個規模下，輔助損失並沒有讓負載更平均"
    if f["max_over_mean"] >= 2:
        en += f" (collapse: the busiest expert takes {f['max_over_mean']:.1f}x its even share)."
        zh += f"（崩塌：最忙的專家承擔了平均份額的 {f['max_over_mean']:.1f} 倍）。"
    else:
        en += "."
        zh += "。"
    return tr(en, zh)


def _numbers_text(numbers: dict):
    block = "```json\n" + json.dumps(numbers, indent=1) + "\n```"
    return tr("## Numbers\n\n" + block, "## 數據\n\n" + block)
