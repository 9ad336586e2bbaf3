"""Insight "tax": what alignment costs, stage by stage.

For each run (by default the latest pretraining, SFT and DPO/KTO/GRPO runs) three numbers side by side:
* KL to the reference (the base pretraining model): the mean per-token KL(policy ‖ reference) over
  the whole vocabulary, on the policy's own greedy answers to held-out demo questions — how far
  the model has moved from the base where it actually writes;
* held-out pretraining perplexity: exp(mean next-token loss) on fixed windows of the validation
  token shards (the pretraining stage's own evaluation) — what it forgot of plain text;
* demo-world QA accuracy (engine/compare/evaluate.py) — what it gained as an assistant.

Most of its time is the greedy answers (README, Insights, gives the measured time).

    lmdojo-cli insight tax WS --set questions=50 --set batches=8 --json
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log, Progress
from engine.train import POLICY_STAGES

TITLE = "Alignment tax: what each stage gains and costs"

ABOUT = (
    "Each training stage after pretraining buys manners (answering the question, stopping on time) and "
    "pays for them with distance from the base model. Per stage this insight shows three numbers side by "
    "side. KL to the reference: the mean per-token KL divergence from the base pretraining model, over the "
    "whole vocabulary, on the model's own greedy answers to held-out demo questions — 0 for the base "
    "itself, and the further a stage drifts the larger it gets (the KL penalty of RLHF exists to keep it "
    "small). Held-out pretraining perplexity: exp of the mean next-token loss on the same validation "
    "windows of the pretraining corpus for every model — if it rises after SFT or RLHF, the model is "
    "forgetting plain text (the alignment tax). Demo-world QA accuracy: the share of held-out questions "
    "whose answer contains the right fact. A good alignment raises accuracy with a small KL and "
    "perplexity rise; a large KL with no accuracy gain is tax without benefit."
)

CHUNK = 8  # answers scored per forward pass: bounds the (B, T, vocab) logits held at once


@dataclass
class Config:
    runs: list[str] = knob(
        (),
        "Runs or checkpoints to compare (empty: the latest pretrain and SFT run and each of DPO/KTO/GRPO that exists).",
    )
    reference: str = knob(
        "",
        "The base model KL is measured to (empty: the pretraining run among `runs`, else the latest pretraining run).",
    )
    questions: int = knob(50, "Held-out demo questions for KL and QA accuracy (0 = all).", min=0)
    batches: int = knob(8, "Validation batches for the perplexity.", min=1)
    batch_size: int = knob(8, "Validation windows per batch.", min=1)
    max_new_tokens: int = knob(32, "Longest answer in tokens.", min=1, max=512)
    threads: int = knob(1, "CPU threads for PyTorch (0 = PyTorch's default).", min=0)
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")


# -- the numbers ---------------------------------------------------------------------------------


def token_kl(logits_p: torch.Tensor, logits_q: torch.Tensor) -> torch.Tensor:
    """Per position KL(p ‖ q) = Σ_v p_v (log p_v − log q_v) over the vocabulary: (..., V) -> (...)."""
    lp = torch.log_softmax(logits_p.float(), -1)
    lq = torch.log_softmax(logits_q.float(), -1)
    return (lp.exp() * (lp - lq)).sum(-1)


def mean_token_kl(logits_p: torch.Tensor, logits_q: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean of token_kl over the positions where mask is true (0 when none is)."""
    m = mask.to(torch.float32)
    n = float(m.sum())
    return float((token_kl(logits_p, logits_q) * m).sum()) / n if n else 0.0


@torch.inference_mode()
def answer_kl(policy, ref, rows: list[tuple[list[int], int]], block: int) -> tuple[float, int]:
    """(mean KL, tokens) over the answer tokens of `rows` = [(prompt + answer ids, answer length)]:
    the positions that predict an answer token, after cutting each sequence to its last `block`."""
    device = policy.tok_emb.weight.device
    total, count = 0.0, 0
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        xs = [ids[:-1][-block:] for ids, _ in chunk]
        width = max(len(x) for x in xs)
        x = torch.zeros(len(xs), width, dtype=torch.long)
        mask = torch.zeros(len(xs), width, dtype=torch.bool)
        for r, (seq, (_, n_answer)) in enumerate(zip(xs, chunk)):
            # right padding: with causal attention the padded tail cannot change earlier positions
            x[r, : len(seq)] = torch.tensor(seq)
            mask[r, max(0, len(seq) - n_answer) : len(seq)] = True
        x = x.to(device)
        n = int(mask.sum())
        if n:
            total += mean_token_kl(policy(x)[0], ref(x)[0], mask.to(device)) * n
            count += n
    return (total / count if count else 0.0), count


def perplexity(ws, model, block: int, batches: int, batch_size: int, device) -> dict:
    """exp(mean token loss) on fixed validation windows: the pretraining stage's own evaluation."""
    from engine.tokenizer import load_tokenizer
    from engine.train.pretrain import PretrainTask, make_config

    cfg = make_config(sets={"block_size": block, "batch_size": batch_size, "eval_batches": batches})
    task = PretrainTask(ws, cfg, load_tokenizer(ws.tokenizer_path), device)
    out = task.evaluate(model)
    model.eval()  # evaluate() leaves the model in training mode
    return {"loss": out["val/loss"], "perplexity": math.exp(out["val/loss"]), "bpb": out["val/bpb"]}


# -- which runs ----------------------------------------------------------------------------------


def default_runs(ws) -> list[str]:
    from engine.labs.common import latest_runs

    found = list(latest_runs(ws, POLICY_STAGES).values())
    if not found:
        raise DojoError(f"no pretrain or SFT run with a checkpoint in {ws.root}: run lmdojo-cli pretrain WS first")
    return found


def _describe(ws, ref: str) -> dict:
    """{"ref", "folder", "run", "stage", "block"} of a run id or checkpoint folder, named when bad."""
    from engine import checkpoint as ckpt

    if not str(ref).strip():
        raise DojoError("runs: an empty run id")
    folder = ckpt.resolve(ws.runs_dir, ref)
    meta = ckpt.read_meta(folder)
    if meta.get("head") == "reward":
        raise DojoError(f"{ref} is a reward model: it scores answers, it does not write them")
    return {
        "ref": str(ref),
        "folder": folder,
        "run": meta.get("run_id", str(ref)),
        "stage": meta.get("stage", "?"),
        "block": int(meta.get("model_config", {}).get("block_size", 0)) or None,
    }


def _reference(ws, opts: Config, infos: list[dict]) -> dict:
    if opts.reference:
        return _describe(ws, opts.reference)
    for info in infos:
        if info["stage"] == "pretrain":
            return info
    from engine.labs.common import latest_runs

    base = latest_runs(ws, ("pretrain",))
    if not base:
        raise DojoError("no pretraining run to measure KL to: set reference=<run id or checkpoint>")
    return _describe(ws, base["pretrain"])


# -- the insight ---------------------------------------------------------------------------------


def run(ws, opts: Config, control=None):
    from engine import checkpoint as ckpt
    from engine.compare.evaluate import evaluate_run
    from engine.data.demo_questions import heldout_questions
    from engine.generate import SamplingConfig, chat
    from engine.labs.common import threads_set
    from engine.tokenizer import chat_ids, load_tokenizer, tokenizer_hash
    from engine.train.loop import resolve_device

    infos = [_describe(ws, r) for r in (list(opts.runs) or default_runs(ws))]
    ref = _reference(ws, opts, infos)
    questions = heldout_questions(ws, opts.questions)
    if not questions:
        raise DojoError("the demo's held-out QA set is empty")
    tok = load_tokenizer(ws.tokenizer_path)
    tok_hash = tokenizer_hash(ws.tokenizer_path)
    device = resolve_device(opts.device)
    # every model is measured on the same validation windows, so the shortest context decides
    block = min(b for b in [ref["block"]] + [i["block"] for i in infos] if b)
    sampling = SamplingConfig(greedy=True, max_new_tokens=opts.max_new_tokens)
    prompts = [chat_ids(tok, q["messages"], add_generation_prompt=True) for q in questions]
    yield Log(
        f"tax: {len(infos)} runs, KL to {ref['run']}, {len(questions)} held-out questions, "
        f"{opts.batches}×{opts.batch_size} validation windows of {block} tokens"
    )
    stages, total, start = [], 3 * len(infos), time.monotonic()
    with threads_set(opts.threads):
        ref_model, _ = ckpt.load_gpt(ref["folder"], device, tok_hash)
        for k, info in enumerate(infos):
            model, _ = ckpt.load_gpt(info["folder"], device, tok_hash)
            row = {"run": info["run"], "stage": info["stage"], "checkpoint": str(info["folder"])}
            for phase in range(3):
                if control is not None and control.should_stop():
                    yield Finished("cancelled", {})
                    return
                if phase == 0:
                    seqs = []
                    for q, p in zip(questions, prompts):
                        out = chat(model, tok, q["messages"], sampling)
                        ended = out.stopped and out.stop_token is not None
                        answer = out.token_ids + ([out.stop_token] if ended else [])
                        seqs.append((p + answer, len(answer)))
                    row["kl"], row["kl_tokens"] = answer_kl(model, ref_model, seqs, block)
                elif phase == 1:
                    ppl = perplexity(ws, model, block, opts.batches, opts.batch_size, device)
                    row["perplexity"], row["val_loss"], row["val_bpb"] = ppl["perplexity"], ppl["loss"], ppl["bpb"]
                else:
                    ev = evaluate_run(ws, str(info["folder"]), questions, opts.max_new_tokens, device)
                    row["qa_accuracy"], row["end_rate"] = ev["qa_accuracy"], ev["end_rate"]
                done = 3 * k + phase + 1
                yield Progress.of(done, total, start, "measure")
            for key in ("kl", "perplexity", "val_loss", "val_bpb"):
                row[key] = round(float(row[key]), 6)
            stages.append(row)
            yield Log(
                f"{row['run']} ({row['stage']}): KL {row['kl']:.4f}, perplexity {row['perplexity']:.2f}, "
                f"QA {row['qa_accuracy']:.1%}"
            )
            del model
    yield Finished(
        "done",
        {
            "reference": ref["run"],
            "reference_checkpoint": str(ref["folder"]),
            "questions": len(questions),
            "windows": opts.batches * opts.batch_size,
            "block": block,
            "stages": stages,
        },
    )


def summary(result: dict) -> str:
    lines = [
        f"KL to {result['reference']}; {result['questions']} held-out questions, "
        f"{result['windows']} validation windows",
        f"{'stage':<10} {'run':<28} {'KL':>8} {'ppl':>9} {'QA':>7}",
    ]
    for s in result["stages"]:
        lines.append(
            f"{s['stage']:<10} {s['run']:<28} {s['kl']:>8.4f} {s['perplexity']:>9.2f} {s['qa_accuracy']:>7.1%}"
        )
    return "\n".join(lines)
