"""Lab "calibration": does the model know when it is right?

For each run (by default the latest pretraining, SFT and preference-tuning run of the workspace)
the model answers the demo's held-out single-fact questions greedily through the chat template.
Its confidence in an answer is the probability the model gives that whole answer (the product of
the answer's token probabilities, the end-of-turn token included when it ended); the answer is
right when it contains the fact's text (as `engine/compare/evaluate.py` decides). Answers are put into 10
equal-width confidence bins; the reliability diagram plots each bin's accuracy against its mean
confidence, and the expected calibration error is ECE = Σ_b (n_b / N) · |acc_b − conf_b|.

The defaults fit the budget in README's Labs table (measured there); the smallest setting takes seconds.

    lmdojo-cli lab calibration WS --set runs='["sft-…", "grpo-…"]' --set questions=100 --json
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log, Progress
from engine.labs.common import cell, latest_runs, load_model, threads_set
from engine.labs.report import Report, tr
from engine.train import RL_STAGES

TITLE = tr("Calibration: does the model know when it is right?", "校準：模型知道自己什麼時候答對嗎？")

ABOUT = tr(
    "A model is calibrated when its confidence matches how often it is right: of the answers it "
    'gives with probability 0.7, 70% should be right. Kadavath et al. (2022, "Language models '
    '(mostly) know what they know") found large pretrained models well calibrated, and the GPT-4 '
    "report (2023) showed the pretrained model's calibration on multiple-choice questions "
    "degrading after RLHF. This lab asks each model (base, SFT and the latest DPO/KTO/GRPO run) "
    "the demo's held-out questions through the chat template (the base model too, so every model "
    "sees the same prompt; it never learned to stop, so its answer is cut at max_new_tokens), "
    "greedily. Confidence is the probability of the whole answer — the product of its token "
    "probabilities up to and including the end-of-turn token — because that is the chance the model "
    "gives this exact answer; an answer is right when it contains the fact. The per-token geometric "
    "mean (dominated by the near-certain words of the answer's template, so it looks over-confident) "
    "and the least likely token (usually the first token of the fact) are shown as alternatives. "
    "Read the reliability diagram against the diagonal: points below it are over-confident bins, "
    "above it under-confident; the histogram shows where the answers' confidences lie, and the "
    "expected calibration error (ECE) is the answers' average distance from the diagonal, "
    "0 for a perfectly calibrated model. With few answers per bin the diagram is noisy: read it "
    "with the counts. Default budget: under a minute on 2 CPU cores for the README demo flow's models.",
    "模型的信心和它答對的頻率一致時，就稱為校準良好：在它以 0.7 的機率給出的答案中，應該有 70% 是對的。"
    'Kadavath et al.（2022，"Language models (mostly) know what they know"）發現大型預訓練模型校準得很好；'
    "GPT-4 技術報告（2023）則顯示，預訓練模型在選擇題上的校準在 RLHF 之後變差。這個實驗透過聊天模板，"
    "以貪婪解碼向每個模型（基礎模型、SFT 模型，以及最新一次 DPO/KTO/GRPO 訓練的模型）提出示範資料中"
    "保留（未訓練）的問題（基礎模型也一樣，讓每個模型看到相同的提示；它從沒學過何時該停，所以答案會在 "
    "max_new_tokens 處截斷）。信心是整個答案的機率——答案各 token 機率的乘積，一直算到回合結束 token"
    "（含）為止——因為這正是模型給出這個確切答案的機率；答案包含該事實就算答對。另外列出兩種替代算法："
    "每個 token 的幾何平均（由答案模板中幾乎確定的字詞主導，所以看起來過度自信），以及最不可能的那個 "
    "token（通常是事實的第一個 token）。閱讀可靠度圖時對照對角線：落在對角線下方的區間過度自信，上方則信心不足；"
    "直方圖顯示答案的信心落在哪裡；期望校準誤差（ECE）是答案與對角線的平均距離，完美校準的模型為 0。"
    "每個區間的答案很少時，圖會有雜訊：請搭配各區間的答案數一起看。預設所需時間：以 README 示範流程的模型，"
    "在 2 個 CPU 核心上不到一分鐘。",
)

# The confidence measures' names are config values and the numbers' keys; the reports describe them.
CONFIDENCES = {
    "answer": tr(
        "probability of the whole answer (product of its token probabilities)",
        "整個答案的機率（各 token 機率的乘積）",
    ),
    "geomean": tr("geometric mean of the answer's token probabilities", "答案各 token 機率的幾何平均"),
    "min_token": tr("probability of the answer's least likely token", "答案中最不可能的 token 的機率"),
}
CONFIDENCE_SHORT = {
    "answer": tr("answer", "整個答案"),
    "geomean": tr("geomean", "幾何平均"),
    "min_token": tr("min_token", "最低 token"),
}
SPLITS = {"heldout": tr("heldout", "保留（未訓練）的"), "train": tr("train", "訓練集的")}
STAGES = {"pretrain": tr("pretrain", "預訓練"), "sft": tr("sft", "SFT")}  # other stages: DPO, KTO, GRPO


def stage_name(stage: str):
    return STAGES.get(stage, tr(stage, stage.upper()))


@dataclass
class Config:
    runs: list[str] = knob(
        (), "Runs or checkpoints to compare (empty: the latest pretrain, SFT and DPO/KTO/GRPO run of the workspace)."
    )
    questions: int = knob(200, "Held-out demo questions to ask (0 = all).", min=0)
    split: str = knob(
        "heldout",
        "Which demo questions: heldout (people the SFT set never mentions) or train.",
        choices=("heldout", "train"),
    )
    confidence: str = knob(
        "answer",
        "How confident the model is in an answer: answer (the product of its "
        "token probabilities), geomean or min_token.",
        choices=tuple(CONFIDENCES),
    )
    bins: int = knob(10, "Equal-width confidence bins of the reliability diagram.", min=2, max=100)
    max_new_tokens: int = knob(
        32, "Longest answer in tokens (a base model never stops: its answer is cut here).", min=1, max=512
    )
    threads: int = knob(
        1,
        "CPU threads for PyTorch: 1 is fastest for the demo's tiny models (a second "
        "thread mostly waits); 0 = PyTorch's default.",
        min=0,
    )
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")


SMALLEST = {"questions": 12, "max_new_tokens": 12, "threads": 1}


# -- the numbers ---------------------------------------------------------------------------------


def bin_index(conf: float, bins: int) -> int:
    """Bin b holds confidences in [b/bins, (b+1)/bins); a confidence of exactly 1 goes to the last bin."""
    return min(max(int(conf * bins), 0), bins - 1)


def reliability_bins(conf: list[float], correct: list[bool], bins: int = 10) -> list[dict]:
    """Per bin: {"lo", "hi", "n", "confidence" (mean, None if empty), "accuracy" (None if empty)}."""
    if len(conf) != len(correct):
        raise ValueError("conf and correct must have the same length")
    groups: list[list[int]] = [[] for _ in range(bins)]
    for k, c in enumerate(conf):
        groups[bin_index(c, bins)].append(k)
    out = []
    for b, members in enumerate(groups):
        n = len(members)
        out.append(
            {
                "lo": b / bins,
                "hi": (b + 1) / bins,
                "n": n,
                "confidence": sum(conf[k] for k in members) / n if n else None,
                "accuracy": sum(bool(correct[k]) for k in members) / n if n else None,
            }
        )
    return out


def expected_calibration_error(conf: list[float], correct: list[bool], bins: int = 10) -> float:
    """ECE = Σ_b (n_b / N) · |acc_b − conf_b| over `bins` equal-width bins of [0, 1]; 0 for no answers.

    By hand: conf [0.05, 0.15, 0.95, 0.95], correct [F, T, T, F] with 10 bins -> bins 0, 1 and 9;
    ECE = 1/4·|0 − 0.05| + 1/4·|1 − 0.15| + 2/4·|0.5 − 0.95| = 0.0125 + 0.2125 + 0.225 = 0.45."""
    n = len(conf)
    if not n:
        return 0.0
    return sum(
        b["n"] / n * abs(b["accuracy"] - b["confidence"]) for b in reliability_bins(conf, correct, bins) if b["n"]
    )


def confidences(probs: list[float]) -> dict[str, float]:
    """The three confidence measures of one answer from its token probabilities."""
    if not probs:
        return {"answer": 1.0, "geomean": 1.0, "min_token": 1.0}
    logs = [math.log(max(p, 1e-45)) for p in probs]
    return {"answer": math.exp(sum(logs)), "geomean": math.exp(sum(logs) / len(logs)), "min_token": min(probs)}


@torch.inference_mode()
def token_probs(model, prompt_ids: list[int], answer_ids: list[int]) -> list[float]:
    """The model's probability of each answer token after the prompt (one forward pass; the
    sampling settings play no part: greedy decoding would report 1 for every chosen token)."""
    if not answer_ids:
        return []
    block = model.cfg.block_size
    ids = list(prompt_ids) + list(answer_ids)
    x, y = ids[:-1][-block:], ids[1:][-block:]
    device = model.tok_emb.weight.device
    was_training = model.training
    model.eval()
    try:
        logits, _ = model(torch.tensor([x], device=device))
    finally:
        model.train(was_training)
    logp = torch.log_softmax(logits[0].float(), -1).gather(-1, torch.tensor(y, device=device)[:, None])[:, 0]
    return [math.exp(v) for v in logp[-len(answer_ids) :].tolist()]


# -- which runs ----------------------------------------------------------------------------------


def default_runs(ws) -> list[str]:
    """The latest pretrain and SFT run, and the latest of the DPO/KTO/GRPO runs."""
    from engine.io.store import Store

    found = latest_runs(ws, ("pretrain", "sft"))
    rl = latest_runs(ws, RL_STAGES)
    if rl:
        with Store(ws.db_path) as store:
            found["rl"] = max(rl.values(), key=lambda r: store.run(r)["created"])
    if not found:
        raise DojoError(f"no pretrain or SFT run with a checkpoint in {ws.root}: run lmdojo-cli pretrain WS first")
    return list(found.values())


# -- the lab -------------------------------------------------------------------------------------


def run(ws, cfg: Config, control=None):
    from engine.data.demo_questions import demo_questions
    from engine.generate import SamplingConfig, chat
    from engine.tokenizer import END, chat_ids, load_tokenizer, special_id
    from engine.train.loop import resolve_device

    refs = list(cfg.runs) or default_runs(ws)
    questions = demo_questions(ws, cfg.split, cfg.questions)
    if not questions:
        raise DojoError(f"the demo's {cfg.split} QA set is empty")
    tok = load_tokenizer(ws.tokenizer_path)
    end = special_id(tok, END)
    device = resolve_device(cfg.device)
    sampling = SamplingConfig(greedy=True, max_new_tokens=cfg.max_new_tokens)
    yield Log(
        f"calibration: {len(refs)} runs × {len(questions)} {cfg.split} questions, confidence = "
        f"{CONFIDENCES[cfg.confidence]}"
    )
    results: dict[str, dict] = {}
    total, done, start = len(refs) * len(questions), 0, time.monotonic()
    with threads_set(cfg.threads):
        for ref in refs:
            model, run_id, stage = load_model(ws, ref, device)
            rows = []
            for q in questions:
                if control is not None and control.should_stop():
                    yield Finished("cancelled", {})
                    return
                out = chat(model, tok, q["messages"], sampling)
                prompt_ids = chat_ids(tok, q["messages"], add_generation_prompt=True)
                answer_ids = out.token_ids + ([out.stop_token] if out.stopped and out.stop_token is not None else [])
                probs = token_probs(model, prompt_ids, answer_ids)
                rows.append(
                    {
                        "question": q["messages"][-1]["content"],
                        "text": out.text.strip(),
                        "right": q["fact"].lower() in out.text.lower(),
                        "ended": out.stop_token == end,
                        **confidences(probs),
                    }
                )
                done += 1
                yield Progress.of(done, total, start, "answer")
            if run_id in results:
                run_id = f"{run_id} ({ref})"
            results[run_id] = {"stage": stage, "rows": rows}
            acc = sum(r["right"] for r in rows) / len(rows)
            yield Log(
                f"{run_id} ({stage}): accuracy {acc:.1%}, ECE "
                f"{expected_calibration_error([r[cfg.confidence] for r in rows], [r['right'] for r in rows], cfg.bins):.4f}"
            )
            del model

    numbers = _report(ws, cfg, results, len(questions))
    yield Finished("done", numbers)


def _report(ws, cfg: Config, results: dict[str, dict], n_questions: int) -> dict:
    rep = Report.create(ws, "calibration", TITLE)
    rep.text(ABOUT)
    measure = CONFIDENCES[cfg.confidence]
    split = SPLITS.get(cfg.split, tr(cfg.split, cfg.split))
    rep.text(
        tr(
            f"{n_questions} {cfg.split} questions per run, greedy answers of at most {cfg.max_new_tokens} "
            f"tokens, {cfg.bins} bins; confidence: {measure.en}.",
            f"每個模型回答 {n_questions} 題{split.zh_TW}問題，以貪婪解碼作答，答案最多 {cfg.max_new_tokens} "
            f"個 token，分成 {cfg.bins} 個區間；信心：{measure.zh_TW}。",
        )
    )
    ece, alt, acc, mean_conf, ended, stages = {}, {}, {}, {}, {}, {}
    diagram = {tr("perfect calibration", "完美校準"): ([0.0, 1.0], [0.0, 1.0])}
    hist = {}
    for run_id, res in results.items():
        rows = res["rows"]
        right = [r["right"] for r in rows]
        conf = [r[cfg.confidence] for r in rows]
        stages[run_id] = res["stage"]
        ece[run_id] = round(expected_calibration_error(conf, right, cfg.bins), 4)
        alt[run_id] = {
            c: round(expected_calibration_error([r[c] for r in rows], right, cfg.bins), 4) for c in CONFIDENCES
        }
        acc[run_id] = round(sum(right) / len(rows), 4)
        mean_conf[run_id] = round(sum(conf) / len(rows), 4)
        ended[run_id] = round(sum(r["ended"] for r in rows) / len(rows), 4)
        bins = reliability_bins(conf, right, cfg.bins)
        full = [b for b in bins if b["n"]]
        label = tr(f"{run_id} ({res['stage']})", f"{run_id}（{stage_name(res['stage']).zh_TW}）")
        diagram[label] = ([b["confidence"] for b in full], [b["accuracy"] for b in full])
        hist[label] = ([(b["lo"] + b["hi"]) / 2 for b in bins], [b["n"] / len(rows) for b in bins])
        res["bins"] = bins

    run_h = tr("run", "執行")
    conf_h = tr("mean confidence", "平均信心")
    acc_h = tr("accuracy", "準確率")
    rep.text(tr("## Summary", "## 摘要"))
    rep.table(
        [run_h, tr("stage", "階段"), acc_h, conf_h, "ECE", tr("end rate", "自行結束比例")],
        [[r, stage_name(stages[r]), acc[r], mean_conf[r], ece[r], ended[r]] for r in results],
    )
    rep.text(
        tr(
            "## Reliability diagram\nEach point is one bin with answers: its mean confidence (x) and the share "
            "of its answers that are right (y). Below the diagonal: over-confident.",
            "## 可靠度圖\n每個點是一個有答案的區間：x 是它的平均信心，y 是其中答對的比例。落在對角線下方：過度自信。",
        )
    )
    rep.plot(
        "reliability",
        diagram,
        xlabel=tr("confidence", "信心"),
        ylabel=acc_h,
        title=tr("Reliability diagram", "可靠度圖"),
    )
    rep.text(
        tr(
            "## Where the confidences lie\nThe share of each run's answers in each confidence bin.",
            "## 信心落在哪裡\n每個模型的答案落在各信心區間的比例。",
        )
    )
    rep.plot(
        "confidence_histogram",
        hist,
        xlabel=tr("confidence (bin centre)", "信心（區間中點）"),
        ylabel=tr("share of answers", "答案比例"),
        title=tr("Confidence histogram", "信心直方圖"),
    )
    rep.text(tr("## Bins\n", "## 各區間\n"))
    for run_id, res in results.items():
        rep.text(tr(f"**{run_id}** ({res['stage']})", f"**{run_id}**（{stage_name(res['stage']).zh_TW}）"))
        rep.table(
            [tr("bin", "區間"), tr("answers", "答案數"), conf_h, acc_h, tr("gap", "差距")],
            [
                [
                    f"{b['lo']:.1f}–{b['hi']:.1f}",
                    b["n"],
                    b["confidence"],
                    b["accuracy"],
                    abs(b["accuracy"] - b["confidence"]),
                ]
                for b in res["bins"]
                if b["n"]
            ],
        )
    rep.text(
        tr(
            "## Other confidence measures\nThe same answers, ECE with each way of reading the model's confidence.",
            "## 其他信心算法\n同一批答案，以各種方式衡量模型信心時的 ECE。",
        )
    )
    rep.table(
        [run_h] + [tr(f"ECE ({CONFIDENCE_SHORT[c].en})", f"ECE（{CONFIDENCE_SHORT[c].zh_TW}）") for c in CONFIDENCES],
        [[r] + [alt[r][c] for c in CONFIDENCES] for r in results],
    )
    rep.text(tr("## Examples\n", "## 範例\n"))
    examples = []
    for run_id, res in results.items():
        for r in res["rows"][:3]:
            right = tr("yes", "是") if r["right"] else tr("no", "否")
            examples.append([run_id, r["question"], cell(r["text"]), right, r[cfg.confidence]])
    rep.table(
        [run_h, tr("question", "問題"), tr("answer", "答案"), tr("right", "答對"), tr("confidence", "信心")], examples
    )
    numbers = {
        "ece": ece,
        "accuracy": acc,
        "mean_confidence": mean_conf,
        "end_rate": ended,
        "stages": stages,
        "ece_by_confidence": alt,
        "confidence": cfg.confidence,
        "questions": n_questions,
        "bins": cfg.bins,
    }
    path = rep.write(numbers)
    return {"report": str(path), **numbers}
