"""Lab `chinchilla`: compute-optimal model size (Hoffmann et al. 2022, "Training Compute-Optimal LLMs").

    lmdojo-cli lab chinchilla WS --json                 # default: budget_minutes of training (README's Labs table)
    lmdojo-cli lab chinchilla WS --set budget_minutes=5

For each compute budget C (FLOPs, counted as C = 6·N·D with N the model's *total* parameters, the
tied embedding/output matrix included, as Chinchilla counted them), the lab trains a ladder of model
sizes, each for D = C / (6·N) tokens, so every model of a budget costs the same compute. The final
validation losses against N form one "iso-FLOP" curve per budget; a parabola in log N gives its
minimum N*, and D*/N* = C / (6·N*²) is the compute-optimal tokens per parameter (Chinchilla: ~20).

Budgets come from minutes on this machine: before training, the lab times a few steps of every model
shape it may use and picks the smallest budget C0 (the others are C0·factor, C0·factor², …) so that
all the runs together take `budget_minutes`. Setup (the scratch corpus, its tokenizer, the timing)
adds about half a minute. Everything is trained in a scratch workspace inside the report's folder
(WS/labs/chinchilla-…/scratch); its checkpoints and data are deleted at the end, the numbers kept.

`plan(flops=…)` or `plan(minutes=…, flops_per_s=…)` is the planner: a budget → suggested params and tokens.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from engine.config import TokenizerConfig, knob
from engine.events import Control, Finished, Log, Progress
from engine.labs.chinchilla_law import fit_minimum, plan  # noqa: F401  (plan: re-exported, the planner)
from engine.labs.chinchilla_report import human, write_report
from engine.labs.report import Report, tr
from engine.model import n_layers

TITLE = tr("Chinchilla: how big a model for a compute budget?", "Chinchilla：算力預算固定時，模型該多大？")
ABOUT = tr(
    "Hoffmann et al. (2022) found that for a fixed compute budget there is a best model size: a bigger "
    "model sees too few tokens, a smaller one cannot hold what the data teaches, and at the optimum "
    "the tokens trained on are about 20 times the parameters (so params and tokens should grow "
    "together, each as about the square root of compute). This lab trains several model sizes at "
    "equal compute (6 x params x tokens FLOPs) for two or three budgets a factor apart, on a scratch "
    "copy of the demo world, in about 12 minutes of training on 2 CPU cores. Read the plot: one "
    "line per budget, final validation loss against parameters (log scale); each line is a valley, "
    "and the star marks the fitted minimum, the compute-optimal size for that budget. Lower lines "
    "are bigger budgets, and their stars move right. The report compares the optimum's tokens per "
    "parameter with Chinchilla's ~20 and ends with a planner: a budget -> suggested params and tokens.",
    "Hoffmann et al.（2022）發現，算力預算固定時，存在一個最好的模型大小：模型太大，看到的 token 太少；"
    "模型太小，又裝不下資料能教給它的東西。在最佳點，訓練的 token 數約為參數量的 20 倍（因此參數與 token "
    "應該一起成長，各自約與算力的平方根成正比）。這個實驗在示範世界的暫存副本上，以相同的算力"
    "（6 x 參數 x token 個 FLOPs）訓練幾種大小的模型，共兩到三個彼此相差固定倍數的預算，"
    "在 2 個 CPU 核心上約需 12 分鐘訓練。讀圖方式：每個預算一條線，畫出最終驗證損失對參數量（對數刻度）；"
    "每條線都是一個山谷，星號標出擬合出的最低點，也就是該預算下算力最佳的大小。越低的線代表越大的預算，"
    "它們的星號也越往右移。報告會把最佳點的每參數 token 數與 Chinchilla 的約 20 相比，最後附上規劃表："
    "給定預算 -> 建議的參數量與 token 數。",
)

# Model shapes (n_layer, n_embd), about 1.5-2x apart in total parameters with a 1024-token vocabulary
# (9k ... 2.9M). Each budget trains `sizes` consecutive ones, centred on the size that the
# `center_tokens_per_param` guess says is optimal.
LADDER = [(1, 8), (1, 16), (1, 24), (1, 32), (2, 40), (3, 48), (3, 64), (4, 80), (4, 112), (5, 128), (5, 160), (6, 192)]


@dataclass
class Config:
    budget_minutes: float = knob(
        12.0,
        "Minutes of training for all the runs together, converted to FLOPs "
        "with throughput measured at the start (setup adds about half a minute).",
        min=0.05,
        max=600.0,
    )
    flops: float = knob(0.0, "Compute of the smallest budget in FLOPs; 0 = derived from budget_minutes.", min=0.0)
    budgets: int = knob(3, "Number of compute budgets (iso-FLOP curves).", min=1, max=5)
    budget_factor: float = knob(3.0, "Each budget is this many times the previous one.", min=1.5, max=10.0)
    sizes: int = knob(
        5, "Model sizes trained per budget (consecutive rungs of the size ladder).", min=3, max=len(LADDER)
    )
    center_tokens_per_param: float = knob(
        10.0,
        "Where each budget's sweep of sizes is centred: the size "
        "that would be optimal at this many tokens per parameter.",
        min=0.1,
        max=10000.0,
    )
    people: int = knob(
        4000, "People in the scratch demo world (the corpus size: ~700 tokens per person).", min=20, max=20000
    )
    vocab_size: int = knob(
        1024,
        "Vocabulary of the scratch tokenizer (a small one keeps the embedding from dominating tiny models).",
        min=300,
        max=8192,
    )
    block_size: int = knob(64, "Context length in tokens.", min=16, max=512)
    batch_size: int = knob(16, "Sequences per step.", min=1, max=256)
    lr: float = knob(
        3e-3,
        "Peak learning rate at width 128; narrower models get lr*sqrt(128/width), at most 1e-2.",
        min=1e-5,
        max=0.1,
    )
    eval_batches: int = knob(16, "Validation batches for each run's final loss.", min=1, max=200)
    seed: int = knob(0, "Seed of the scratch corpus, initialisation and data order.")
    threads: int = knob(1, "CPU threads for torch (1 is fastest for tiny models on a shared machine).", min=0, max=256)


SMALLEST = {
    "flops": 3e8,
    "budgets": 2,
    "sizes": 3,
    "people": 60,
    "vocab_size": 320,
    "block_size": 32,
    "batch_size": 8,
    "eval_batches": 2,
    "center_tokens_per_param": 20.0,
}


# ------------------------------------------------------------------------------------------ sizes


def _heads(d: int) -> int:
    return d // 16 if d % 16 == 0 else d // 8


def shape_sets(layers: int, width: int, cfg: Config) -> dict:
    return {
        "n_layer": layers,
        "n_embd": width,
        "n_head": _heads(width),
        "block_size": cfg.block_size,
        "batch_size": cfg.batch_size,
    }


def _gpt_config(layers: int, width: int, cfg: Config, vocab: int):
    from engine.model import GPTConfig

    return GPTConfig(vocab_size=vocab, block_size=cfg.block_size, n_layer=layers, n_head=_heads(width), n_embd=width)


def params_of(layers: int, width: int, cfg: Config, vocab: int) -> dict:
    from engine.train.estimate import model_size

    s = model_size(_gpt_config(layers, width, cfg, vocab))
    return {"params": s["params"], "non_embedding_params": s["params"] - s["embedding_params"]}


def sweep(flops: float, n_params: list[int], sizes: int, center_tpp: float) -> list[int]:
    """Indices of `sizes` consecutive ladder rungs centred on N = sqrt(C / (6·center_tpp))."""
    target = math.sqrt(flops / (6 * center_tpp))
    mid = min(range(len(n_params)), key=lambda i: abs(math.log(n_params[i] / target)))
    start = max(0, min(len(n_params) - sizes, mid - sizes // 2))
    return list(range(start, start + sizes))


# ------------------------------------------------------------------------------------------ run


def _lr(width: int, cfg: Config) -> float:
    return min(1e-2, cfg.lr * math.sqrt(128 / width))


def _measure(shape, cfg: Config, vocab: int) -> float:
    """Tokens per second of real training steps of this shape: the median of a few timed steps after
    two warm-up steps (the median, as other work on the machine makes single steps slow)."""
    import torch

    from engine.losses import lm_loss
    from engine.model import GPT

    torch.manual_seed(0)
    model = GPT(_gpt_config(*shape, cfg, vocab))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(0, vocab, (cfg.batch_size, cfg.block_size + 1))
    times = []
    for i in range(2 + (7 if shape[1] <= 48 else 3)):
        t = time.perf_counter()
        logits, _ = model(x[:, :-1])
        lm_loss(logits, x[:, 1:]).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= 2:
            times.append(time.perf_counter() - t)
    return cfg.batch_size * cfg.block_size / float(np.median(times))


def run(ws, cfg: Config | None = None, control: Control | None = None) -> Iterator:
    import torch

    from engine.data import tokenize
    from engine.data.demo import DemoConfig, write_demo_world
    from engine.io.workspace import Workspace
    from engine.train import pretrain

    cfg = cfg or Config()
    control = control or Control()
    t0 = time.perf_counter()
    rep = Report.create(ws, "chinchilla", TITLE)
    scratch_root = rep.folder / "scratch"
    before_threads = torch.get_num_threads()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    try:
        # 1. a scratch workspace: the demo world, big enough that the largest budget repeats it little
        yield Log(
            f"scratch workspace {scratch_root}: demo world with {cfg.people} people, {cfg.vocab_size}-token tokenizer"
        )
        scratch = Workspace.create(scratch_root)
        write_demo_world(
            scratch.root,
            DemoConfig(seed=cfg.seed, people=cfg.people, augment_versions=3, stories=max(10, cfg.people // 2)),
        )
        tok = None
        for ev in tokenize.run(
            scratch, TokenizerConfig(vocab_size=cfg.vocab_size, val_fraction=0.05, seed=cfg.seed), control
        ):
            if isinstance(ev, Finished):
                tok = ev
        if tok is None or tok.status != "done" or control.cancelled:
            yield Finished("cancelled", {"report": None})
            return
        vocab, train_tokens = tok.result["vocab_size"], tok.result["train_tokens"]
        n_params = [params_of(L, d, cfg, vocab)["params"] for L, d in LADDER]

        # 2. budgets: from minutes and measured throughput, or given
        tps: dict[int, float] = {}

        def speed(i: int) -> float:
            if i not in tps:
                tps[i] = _measure(LADDER[i], cfg, vocab)
            return tps[i]

        overhead_s = 1.0  # per run: the run folder, database, final evaluation and checkpoint
        factors = [cfg.budget_factor**k for k in range(cfg.budgets)]
        if cfg.flops > 0:
            c0 = cfg.flops
            yield Log(f"smallest budget {c0:.3g} FLOPs (given)")
        else:
            yield Log("timing a few training steps of each model size the budgets may use")
            mid = len(LADDER) // 2
            c0 = 6 * n_params[mid] * speed(mid) * cfg.budget_minutes * 60 / (cfg.sizes * sum(factors))
            for _ in range(6):  # the sweeps depend on the budgets: settle them together
                runs = [
                    (f * c0, i)
                    for f in factors
                    for i in sweep(f * c0, n_params, cfg.sizes, cfg.center_tokens_per_param)
                ]
                train_s = sum(c / (6 * n_params[i]) / speed(i) for c, i in runs)
                avail = max(1.0, cfg.budget_minutes * 60 - overhead_s * len(runs))
                c0 *= avail / train_s
            yield Log(
                "measured tokens/s: "
                + ", ".join(f"{LADDER[i][0]}x{LADDER[i][1]} {v:.0f}" for i, v in sorted(tps.items()))
            )
            if control.cancelled:
                yield Finished("cancelled", {"report": None})
                return
        budgets = [f * c0 for f in factors]
        plan_runs = [
            (b, c, i) for b, c in enumerate(budgets) for i in sweep(c, n_params, cfg.sizes, cfg.center_tokens_per_param)
        ]
        est_s = sum(c / (6 * n_params[i]) / tps[i] for _, c, i in plan_runs) if tps else None
        yield Log(
            f"{len(budgets)} budgets ({', '.join(f'{c:.3g}' for c in budgets)} FLOPs) x {cfg.sizes} sizes"
            + (f": about {est_s / 60:.1f} minutes of training" if est_s else "")
        )

        # 3. train every (budget, size) for D = C / (6 N) tokens
        per_step = cfg.batch_size * cfg.block_size
        rows: list[dict] = []
        t_train = time.perf_counter()
        done_tokens, done_flops, all_flops = 0, 0.0, sum(c for _, c, _ in plan_runs)
        for k, (b, c, i) in enumerate(plan_runs):
            if control.should_stop():
                break
            (layers, width), n = LADDER[i], n_params[i]
            steps = max(1, round(c / (6 * n) / per_step))
            sets = {
                **shape_sets(layers, width, cfg),
                "max_steps": steps,
                "eval_every": steps,
                "eval_batches": cfg.eval_batches,
                "sample_every": 0,
                "checkpoint_every": steps,
                "keep_last": 2,
                "lr": _lr(width, cfg),
                "warmup_steps": max(1, min(50, steps // 10)),
                "decay_frac": 0.5,
                "min_lr_frac": 0.1,
                "seed": cfg.seed,
                "threads": cfg.threads,
                "dropout": 0.0,
                "device": "cpu",
                "dtype": "fp32",
            }
            yield Log(
                f"budget {b + 1}/{len(budgets)} ({c:.3g} FLOPs): {n_layers(layers)} x {width} wide, "
                f"{human(n)} params, {steps} steps ({human(steps * per_step)} tokens)"
            )
            fin = None
            for ev in pretrain.run(scratch, pretrain.make_config(sets=sets), control):
                if isinstance(ev, Finished):
                    fin = ev
            if fin is None or fin.status != "done":
                break
            r = fin.result
            tokens = r["tokens"]
            done_tokens += tokens
            done_flops += c
            rows.append(
                {
                    "budget": b,
                    "flops": c,
                    "n_layer": layers,
                    "n_embd": width,
                    "params": n,
                    **{k2: v for k2, v in params_of(layers, width, cfg, vocab).items() if k2 != "params"},
                    "steps": r["steps"],
                    "tokens": tokens,
                    "tokens_per_param": tokens / n,
                    "epochs": tokens / max(1, train_tokens),
                    "val_loss": r["val_loss"],
                    "train_loss": r["final_train_loss"],
                    "seconds": r["elapsed_s"],
                    "tokens_per_s": r["tokens_per_s"],
                    "flops_per_s": 6 * n * r["tokens_per_s"],
                    "lr": sets["lr"],
                }
            )
            el = time.perf_counter() - t_train
            yield Progress(
                k + 1,
                len(plan_runs),
                done_tokens,
                done_tokens / max(el, 1e-9),
                el,
                el * (all_flops - done_flops) / done_flops,
                unit="runs",
            )
        if len(rows) < len(plan_runs):
            yield Finished("cancelled", {"report": None, "runs": rows})
            return

        # 4. fit, report
        numbers = _analyse(rows, budgets, cfg)
        numbers.update(
            seconds=round(time.perf_counter() - t0, 1),
            training_seconds=round(time.perf_counter() - t_train, 1),
            train_tokens=train_tokens,
            vocab_size=vocab,
        )
        path = write_report(rep, ABOUT, rows, budgets, numbers, cfg)
        _tidy(scratch_root)
        numbers["report"] = str(path)
        yield Log(f"report: {path}")
        yield Finished("done", numbers)
    finally:
        torch.set_num_threads(before_threads)
        if not (rep.folder / "report.md").is_file():  # cancelled or failed: nothing to show, nothing kept
            shutil.rmtree(rep.folder, ignore_errors=True)


def _tidy(scratch_root) -> None:
    """Keep the scratch database and run configs (the loss curves); drop checkpoints, shards, corpus."""
    for pattern in ("runs/*/checkpoints", "tokens", "data"):
        for p in scratch_root.glob(pattern):
            shutil.rmtree(p, ignore_errors=True)


def _analyse(rows: list[dict], budgets: list[float], cfg: Config) -> dict:
    per_budget = []
    for b, c in enumerate(budgets):
        mine = [r for r in rows if r["budget"] == b]
        fit = fit_minimum([r["params"] for r in mine], [r["val_loss"] for r in mine])
        n_opt = fit["params"]
        d_opt = c / (6 * n_opt)
        per_budget.append(
            {
                "flops": c,
                "optimum_params": n_opt,
                "optimum_tokens": d_opt,
                "tokens_per_param": d_opt / n_opt,
                "optimum_loss": fit["loss"],
                "interior": fit["interior"],
                "fitted": fit["fitted"],
                "best_measured_params": fit["best_measured_params"],
                "sweep_params": [mine[0]["params"], mine[-1]["params"]],
            }
        )
    top = per_budget[-1]
    # Across budgets, the ratio as a geometric mean: one number for the planner.
    ratio = float(np.exp(np.mean([np.log(p["tokens_per_param"]) for p in per_budget])))
    out = {
        "optimum_params": round(top["optimum_params"]),
        "optimum_tokens": round(top["optimum_tokens"]),
        "tokens_per_param": round(top["tokens_per_param"], 2),
        "mean_tokens_per_param": round(ratio, 2),
        "interior": all(p["interior"] for p in per_budget),
        "budgets": per_budget,
        "runs": rows,
    }
    if len(budgets) >= 2:
        a, _ = np.polyfit(np.log(budgets), np.log([p["optimum_params"] for p in per_budget]), 1)
        out["params_exponent"] = round(float(a), 3)  # N* ∝ C^a; Chinchilla: a ≈ 0.5 (then D* ∝ C^(1-a))
    fps = [r["flops_per_s"] for r in rows]
    out["flops_per_s"] = float(np.median(fps))
    return out
