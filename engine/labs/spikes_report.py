"""The spikes lab's report (engine/labs/spikes.py), in English and Traditional Chinese: the setup, the
burst table, the loss and loss-difference plots, the documents the guard recorded and the numbers."""

from __future__ import annotations

from engine.labs.report import Report, tr

# The runs' names are keys (and scratch folder names); the reports show them in their language.
RUN_LABELS = {
    "with junk": tr("with junk", "有垃圾資料"),
    "cleaned": tr("cleaned", "清理後"),
    "junk, no guard": tr("junk, no guard", "有垃圾、無防護"),
}

# The numbers' keys stay English (they are the JSON's); the Chinese list says what each one is.
NUMBER_NAMES = {
    "spikes_with_junk": "有垃圾資料時的尖峰數",
    "spikes_clean": "清理後的尖峰數",
    "junk_bursts": "垃圾注入次數",
    "bursts_flagged": "被防護攔下的注入次數",
    "flagged_documents": "被記錄的文件數",
    "junk_documents_flagged": "被記錄的垃圾文件數",
    "junk_documents_planted": "植入的垃圾文件數",
    "junk_share_of_flagged_documents": "被記錄文件中垃圾所占比例",
    "junk_dropped_by_cleaning_rules": "被清理規則移除的垃圾文件數",
    "max_loss_jump": "最大損失跳升",
    "val_loss_with_junk": "有垃圾資料時的驗證損失",
    "val_loss_clean": "清理後的驗證損失",
    "val_loss_junk_no_guard": "有垃圾、無防護時的驗證損失",
}


def run_label(name: str):
    return RUN_LABELS.get(name, name)


def _yes(flag: bool):
    return tr("yes", "是") if flag else tr("no", "否")


def write_report(
    rep: Report,
    about,
    cfg,
    results: dict,
    plan: list[tuple[int, int]],
    page_of: dict[str, str],
    texts: dict[str, str],
    flagged_steps: list[int],
    flagged_docs: list[str],
    numbers: dict,
    dropped: int,
    n_windows: int,
    junk_chars: str,
) -> None:
    """Everything but the writing: the caller adds the run's seconds to `numbers` and calls rep.write."""
    B, block, n_junk = cfg.batch_size, cfg.block_size, len(page_of)
    junk_flagged = [d for d in flagged_docs if d in page_of]
    burst_steps = {s + 1: rows for s, rows in plan}
    clean_loss = dict(results["cleaned"]["loss"])
    junk_loss = dict(results["with junk"]["loss"])

    rep.text(about)
    rep.text(
        tr(
            f"## Setup\n\nA {cfg.n_layer}-layer model (width {cfg.n_embd}, context {block}) pretrained for "
            f"{cfg.steps} steps of {B} sequences on the workspace's training tokens, seed {cfg.seed} in every "
            f"run. {n_junk} junk pages (one of `{junk_chars}` repeated 2000–6000 times) overwrite "
            f"{n_junk} of the {n_windows} windows, placed by the sampler's own seeded order so that they "
            f"land in the bursts below. The cleaning rules (engine/data/rules.py) drop {dropped} of the "
            f"{n_junk} junk pages; the cleaned run reads the same windows in the same order with the "
            f"ordinary text that the junk had overwritten. Spike guard: skip an update whose loss or gradient "
            f"norm is more than {cfg.spike_sigma:g} standard deviations above the mean of the last "
            f"{cfg.spike_window} steps (judged once half of that is there).",
            f"## 設定\n\n一個 {cfg.n_layer} 層的模型（寬 {cfg.n_embd}，上下文 {block}）以工作區的訓練 token "
            f"預訓練 {cfg.steps} 步，每步 {B} 條序列，每次執行都用種子 {cfg.seed}。"
            f"{n_junk} 個垃圾網頁（`{junk_chars}` 其中一個字元重複 2000–6000 次）覆寫了 {n_windows} 個視窗中的 "
            f"{n_junk} 個；位置由取樣器本身的種子順序決定，確保它們正好落在下表的各次注入裡。"
            f"清理規則（engine/data/rules.py）會移除這 {n_junk} 個垃圾網頁中的 {dropped} 個；"
            "清理後的執行以相同順序讀取相同的視窗，內容則是被垃圾覆寫之前的一般文字。"
            f"尖峰防護：若某一步的損失或梯度範數比最近 {cfg.spike_window} 步的平均高出 {cfg.spike_sigma:g} "
            "個標準差以上，就跳過這次更新（視窗累積到一半後才開始判斷）。",
        )
    )
    free_loss = dict(results["junk, no guard"]["loss"]) if "junk, no guard" in results else {}
    rows = [
        [s, r, f"{r / B:.0%}", rounded(junk_loss.get(s)), rounded(clean_loss.get(s)), _yes(s in flagged_steps)]
        + ([rounded(free_loss.get(s))] if free_loss else [])
        for s, r in burst_steps.items()
    ]
    rep.table(
        [
            tr("step", "步"),
            tr("junk sequences", "垃圾序列數"),
            tr("of the batch", "占批次"),
            tr("loss with junk", "有垃圾時的損失"),
            tr("loss cleaned", "清理後的損失"),
            tr("skipped by the guard", "被防護跳過"),
        ]
        + ([tr("loss with junk, no guard", "有垃圾、無防護時的損失")] if free_loss else []),
        rows,
    )
    series = {run_label(label): tuple(zip(*r["loss"])) for label, r in results.items() if r["loss"]}
    markers = {
        tr(f"skipped step {s}", f"跳過的第 {s} 步"): (s, junk_loss[s]) for s in flagged_steps[:8] if s in junk_loss
    }
    rep.plot(
        "loss",
        series,
        tr("step", "步"),
        tr("training loss (every step, skipped ones included)", "訓練損失（每一步，含被跳過的步）"),
        title=tr("Training loss: junk bursts vs cleaned data", "訓練損失：注入垃圾 vs 清理後的資料"),
        markers=markers,
    )
    diffs = {
        tr(f"{label} − cleaned", f"{run_label(label).zh_TW} − 清理後"): (
            [s for s, _ in r["loss"] if s in clean_loss],
            [v - clean_loss[s] for s, v in r["loss"] if s in clean_loss],
        )
        for label, r in results.items()
        if label != "cleaned"
    }
    rep.plot(
        "loss_difference",
        diffs,
        tr("step", "步"),
        tr("loss minus the cleaned run's loss", "損失減去清理後執行的損失"),
        title=tr("What the junk costs, step by step", "垃圾資料每一步的代價"),
    )
    rep.text(
        tr(
            "The loss of a skipped step is still measured and plotted: the guard skips the update, not the "
            "forward pass. After a skipped step the model is exactly as before it, so the difference to the "
            "cleaned run falls back to the noise of the other batches at once. Without the guard the model "
            "learns from the junk: each later burst spikes less (it has learned that a repeated character "
            "repeats), which is time and capacity spent on junk rather than on the text.",
            "被跳過的步仍會計算並畫出損失：防護機制跳過的是更新，而不是前向傳播。跳過一步之後，"
            "模型和那一步之前完全相同，所以它與清理後執行的差距會立刻回落到其他批次的雜訊範圍內。"
            "沒有防護時，模型會從垃圾中學習：之後每次注入的尖峰都比前一次小（它學到了重複的字元會一直重複下去），"
            "而這些時間與模型容量都花在垃圾上，而不是正文上。",
        )
    )
    share = numbers["junk_share_of_flagged_documents"]
    rep.text(
        tr(
            "## The documents in the skipped batches\n\n"
            f"{len(flagged_docs)} documents were in the {len(flagged_steps)} skipped batches; "
            f"{len(junk_flagged)} of them are junk pages ({share:.0%}). "
            "A batch holds whole windows of text, so the ordinary documents that shared a batch with the junk "
            "are recorded too: the guard says where to look, a person (or the cleaning rules) says what is bad.",
            "## 被跳過的批次中的文件\n\n"
            f"{len(flagged_steps)} 個被跳過的批次中共有 {len(flagged_docs)} 份文件，"
            f"其中 {len(junk_flagged)} 份是垃圾網頁（{share:.0%}）。"
            "一個批次由完整的文字視窗組成，所以和垃圾同批的一般文件也會被記錄下來："
            "防護機制指出該看哪裡，由人（或清理規則）判斷哪些是壞資料。",
        )
    )
    table = [[d, _snippet(page_of.get(d, texts.get(d, ""))), _yes(d in page_of)] for d in flagged_docs[:40]]
    if table:
        rep.table([tr("document", "文件"), tr("first characters", "開頭字元"), tr("junk?", "垃圾？")], table)
    if len(flagged_docs) > 40:
        more = len(flagged_docs) - 40
        rep.text(tr(f"… and {more} more.", f"……另有 {more} 份。"))
    rep.text(
        tr(
            "## Numbers\n\n" + "\n".join(f"* {k}: {v}" for k, v in numbers.items()),
            "## 數據\n\n" + "\n".join(f"* {NUMBER_NAMES.get(k, k)}（`{k}`）：{v}" for k, v in numbers.items()),
        )
    )
    free = "val_loss_junk_no_guard" in numbers
    rep.text(
        tr(
            f"Val loss at the end: with junk {numbers['val_loss_with_junk']}, cleaned {numbers['val_loss_clean']}"
            + (f", junk without the guard {numbers['val_loss_junk_no_guard']}" if free else "")
            + ". At this scale a few junk batches barely move the final loss; the point is the spike, "
            "and that the guard's record leads straight to the bad documents.",
            f"訓練結束時的驗證損失：有垃圾資料 {numbers['val_loss_with_junk']}，清理後 {numbers['val_loss_clean']}"
            + (f"，有垃圾但無防護 {numbers['val_loss_junk_no_guard']}" if free else "")
            + "。在這個規模下，幾個垃圾批次幾乎不會改變最終損失；重點在於尖峰本身，"
            "以及防護機制的紀錄能直接帶我們找到壞文件。",
        )
    )


def rounded(x):
    return None if x is None else round(float(x), 4)


def _snippet(text: str, n: int = 40) -> str:
    s = " ".join(text.split())[:n].replace("|", "/")
    return f"`{s}`…" if s else ""
