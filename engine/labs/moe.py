"""Lab `moe`: mixture of experts against dense models (Switch Transformer, Fedus et al. 2021).

    lmdojo-cli lab moe WS --json                        # defaults: README's Labs table
    lmdojo-cli lab moe WS --set n_experts=4 --set expert_top_k=1

A mixture-of-experts (MoE) feed-forward holds `n_experts` expert blocks and sends each token to
the `expert_top_k` best-scoring of them: all the experts are trained, each token uses only a few,
so the compute per token follows the *active* parameters while the capacity follows the *total*.

The lab trains, on the workspace's pretraining tokens (read in place, the same seeded order of
windows for every run), for the same number of steps and tokens:

* `dense (active size)`: a dense model whose feed-forward is `expert_top_k` experts wide, i.e. the
  same active parameters per token as the MoE;
* `MoE, aux loss`: the MoE with the Switch load-balancing loss weighted by `moe_aux_weight`;
* `MoE, no aux loss`: the same MoE with that weight at 0;
* `dense (total size)`: a dense model whose feed-forward is `n_experts` experts wide, i.e. the
  MoE's total parameters, all of them active (off with `dense_total_run=false`).

Then, for each: validation loss, training tokens/s (the timed training steps only), generation
tokens/s (engine/generate.py with its KV cache), total and active parameters
(engine/train/estimate.py) and, for the MoEs, each expert's share of the tokens routed on the
validation batches, read by forward hooks on the routers (the model is not changed).

The training loop here is the engine's recipe in a few lines (AdamW from engine/train/loop.py,
warm-up then linear decay, gradient clipping, loss + moe_aux_weight · aux), without checkpoints
or run database: the four runs differ only in the feed-forward.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from engine.config import knob
from engine.errors import DojoError
from engine.events import Control, Finished, Log, Progress
from engine.labs.moe_report import RUNS, write_report
from engine.labs.report import Report, tr
from engine.model import n_layers

TITLE = tr(
    "Mixture of experts: many parameters, few used per token",
    "混合專家（MoE）：參數很多，每個 token 只用到少數",
)
ABOUT = tr(
    "The Switch Transformer (Fedus et al. 2021) and Mixtral replace the feed-forward block with many "
    "expert blocks and a router that sends each token to only one or two of them: every expert is "
    "trained, but each token uses few, so the compute per token follows the active parameters while "
    "what the model can hold follows the total. This lab trains, for the same tokens of the workspace's "
    "pretraining data, a dense model with the MoE's active parameters, the MoE with and without its "
    "load-balancing loss, and a dense model as big as the MoE's total. Read the table for validation "
    "loss, training and generation speed and the parameter counts, the bar plot for the losses (the MoE "
    "should beat the dense model of equal active size, and approach the dense model of equal total "
    "size), and the load plot for how evenly the router spreads the tokens: balanced with the auxiliary "
    "loss, lopsided without it. Budget: about 4 minutes on two CPU cores at the defaults.",
    "Switch Transformer（Fedus et al. 2021）與 Mixtral 把前饋層換成許多專家，由路由器把每個 token "
    "只送到其中一兩個：所有專家都會被訓練，但每個 token 只用到少數，因此每個 token 的計算量取決於啟用參數，"
    "模型能容納多少則取決於總參數。本實驗用工作區預訓練資料中相同的 token，訓練啟用參數與 MoE 相同的稠密模型、"
    "有和沒有負載平衡損失的 MoE，以及與 MoE 總參數一樣大的稠密模型。表格列出驗證損失、訓練與生成速度和參數量；"
    "長條圖比較損失（MoE 應勝過啟用參數相同的稠密模型，並接近總參數相同的稠密模型）；"
    "負載圖顯示路由器把 token 分得多平均：有輔助損失時均衡，沒有時則偏向少數專家。"
    "所需時間：預設設定下，兩個 CPU 核心約 4 分鐘。",
)


@dataclass
class Config:
    steps: int = knob(300, "Optimizer steps of every run (all runs see the same tokens).", min=2)
    n_experts: int = knob(8, "Experts in each MoE feed-forward.", min=2, max=64)
    expert_top_k: int = knob(2, "Experts each token is routed to (its active feed-forward width).", min=1)
    moe_aux_weight: float = knob(0.01, "Weight of the load-balancing loss in the 'aux loss' MoE run.", min=0.0)
    dense_total_run: bool = knob(True, "Also train the dense model with the MoE's total parameters.")
    n_layer: int = knob(2, "Transformer blocks.", min=1)
    n_head: int = knob(2, "Attention heads.", min=1)
    n_embd: int = knob(64, "Width of the model.", min=8)
    expert_ratio: float = knob(
        8 / 3, "Hidden width of one expert as a multiple of n_embd (rounded up to 32).", min=0.5, max=16.0
    )
    block_size: int = knob(64, "Context length in tokens.", min=16)
    batch_size: int = knob(16, "Sequences per step.", min=1)
    lr: float = knob(3e-3, "Peak learning rate.", min=0.0)
    warmup_steps: int = knob(50, "Steps of linear warm-up.", min=0)
    decay_frac: float = knob(0.3, "Last share of the steps over which the learning rate decays.", min=0.0, max=1.0)
    eval_batches: int = knob(16, "Validation batches for the loss and the expert loads.", min=1)
    gen_tokens: int = knob(48, "Tokens generated (KV cache, one sequence) to time generation.", min=1)
    seed: int = knob(1337, "Seed of initialisation and data order (every run uses the same).")
    threads: int = knob(1, "CPU threads for torch (0 = torch's default).", min=0)


SMALLEST = {
    "steps": 6,
    "n_experts": 4,
    "n_layer": 1,
    "n_embd": 32,
    "block_size": 32,
    "batch_size": 4,
    "warmup_steps": 2,
    "eval_batches": 2,
    "gen_tokens": 4,
}


def expert_hidden(cfg: Config) -> int:
    return 32 * math.ceil(cfg.expert_ratio * cfg.n_embd / 32)


def model_configs(cfg: Config, vocab: int) -> dict:
    """{run name: (GPTConfig, aux weight)}: the dense feed-forwards are exactly top_k or n_experts experts wide."""
    from engine.model import GPTConfig

    h, d = expert_hidden(cfg), cfg.n_embd
    base = dict(vocab_size=vocab, block_size=cfg.block_size, n_layer=cfg.n_layer, n_head=cfg.n_head, n_embd=d)
    moe = GPTConfig(**base, mlp_ratio=h / d, n_experts=cfg.n_experts, expert_top_k=cfg.expert_top_k)
    out = {
        RUNS[0]: (GPTConfig(**base, mlp_ratio=cfg.expert_top_k * h / d), 0.0),
        RUNS[1]: (moe, cfg.moe_aux_weight),
        RUNS[2]: (moe, 0.0),
    }
    if cfg.dense_total_run:
        out[RUNS[3]] = (GPTConfig(**base, mlp_ratio=cfg.n_experts * h / d), 0.0)
    return out


def imbalance(shares: list[float]) -> dict:
    """max/mean (1 = even; a collapsed layer reaches n_experts/top_k) and the coefficient of variation."""
    s = np.asarray(shares, dtype=float)
    mean = 1.0 / len(s)
    return {"max_over_mean": float(s.max() / mean), "cv": float(s.std() / mean)}


class _LoadMeter:
    """Forward hooks on the routers: per layer, how many (token, slot) assignments each expert got."""

    def __init__(self, model):
        self.counts, self.hooks = [], []
        for block in model.blocks:
            ffn = block.ffn
            if hasattr(ffn, "router"):
                i = len(self.counts)
                self.counts.append(np.zeros(ffn.n_experts))
                self.hooks.append(ffn.router.register_forward_hook(self._hook(i, ffn.top_k, ffn.n_experts)))

    def _hook(self, i: int, k: int, e: int):
        def fn(_module, _inp, logits):  # top-k of the logits = top-k of the softmax the MoE takes
            chosen = logits.detach().float().topk(k, dim=-1).indices.reshape(-1)
            self.counts[i] += np.bincount(chosen.cpu().numpy(), minlength=e)

        return fn

    def reset(self):
        for c in self.counts:
            c[:] = 0

    def close(self):
        for h in self.hooks:
            h.remove()

    def shares(self) -> list[list[float]]:
        return [(c / max(1.0, c.sum())).tolist() for c in self.counts]


def _train(mc, aux_weight: float, cfg: Config, train_data, val, tok, prompt, control, progress) -> Iterator:
    """One run: its Progress events (`progress(step, training seconds)` makes them), then its result
    (a dict); nothing more when cancelled."""
    import torch

    from engine.data.shards import BatchSampler
    from engine.generate import SamplingConfig, generate
    from engine.model import GPT
    from engine.train.loop import build_optimizer, lr_multiplier

    torch.manual_seed(cfg.seed)
    model = GPT(mc)
    opt = build_optimizer(model, cfg.lr, 0.1, (0.9, 0.95), torch.device("cpu"))
    sampler = BatchSampler(train_data, cfg.block_size, cfg.seed)
    train_s, losses, auxes = 0.0, [], []
    for step in range(cfg.steps):
        if control.should_stop():
            return None
        x, y = (torch.from_numpy(a) for a in sampler.tensors(sampler.next(cfg.batch_size)))
        t = time.perf_counter()
        mult = lr_multiplier(step, (step + 1) / cfg.steps, cfg.warmup_steps, cfg.decay_frac, 0.1)
        for g in opt.param_groups:
            g["lr"] = cfg.lr * mult
        loss, aux = model(x, targets=y)
        objective = loss + aux_weight * aux if mc.n_experts else loss
        objective.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        train_s += time.perf_counter() - t
        losses.append(float(loss.detach()))
        if mc.n_experts:
            auxes.append(float(aux.detach()))
        if (step + 1) % 10 == 0 or step + 1 == cfg.steps:
            yield progress(step + 1, train_s)

    model.eval()
    meter = _LoadMeter(model)
    val_sampler, rows = val
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(rows), cfg.batch_size):
            chunk = rows[i : i + cfg.batch_size]
            x, y = (torch.from_numpy(a) for a in val_sampler.tensors(chunk))
            total += float(model(x, targets=y)[0]) * len(chunk)
            count += len(chunk)
    per_layer = meter.shares()
    meter.close()

    sc = SamplingConfig(temperature=0.8, top_k=50, max_new_tokens=cfg.gen_tokens)
    best = math.inf
    with torch.no_grad():
        for r in range(3):  # the fastest of three: other work on the machine only slows a try down
            t = time.perf_counter()
            gen = generate(model, tok, prompt, sc, set(), torch.Generator().manual_seed(cfg.seed + r))
            best = min(best, (time.perf_counter() - t) / max(1, len(gen.token_ids)))
    tail = losses[-max(1, len(losses) // 10) :]
    yield {
        "val_loss": total / count,
        "final_train_loss": float(np.mean(tail)),
        "train_tokens_per_s": cfg.steps * cfg.batch_size * cfg.block_size / max(train_s, 1e-9),
        "generate_tokens_per_s": 1.0 / best,
        "expert_load_per_layer": per_layer if mc.n_experts else None,
        "final_aux_loss": float(np.mean(auxes[-max(1, len(auxes) // 10) :])) if auxes else None,
        "train_loss_curve": losses,
    }


def run(ws, cfg: Config | None = None, control: Control | None = None) -> Iterator:
    import torch

    from engine.data.shards import BatchSampler, TokenData, eval_rows
    from engine.labs.common import threads_set
    from engine.tokenizer import load_tokenizer
    from engine.train.estimate import model_size

    cfg = cfg or Config()
    control = control or Control()
    t0 = time.perf_counter()
    if not ws.tokenizer_path.is_file() or not (ws.tokens_dir / "meta.json").is_file():
        raise DojoError(f"no tokenizer or token shards in {ws.root}; run first: lmdojo-cli tokenize {ws.root}")
    if cfg.n_embd % cfg.n_head or (cfg.n_embd // cfg.n_head) % 2:
        raise DojoError(f"n_embd ({cfg.n_embd}) / n_head ({cfg.n_head}) must be a whole, even head size")
    if cfg.expert_top_k > cfg.n_experts:
        raise DojoError(f"expert_top_k ({cfg.expert_top_k}) must not exceed n_experts ({cfg.n_experts})")
    tok = load_tokenizer(ws.tokenizer_path)
    train_data = TokenData(ws.tokens_dir, "train")
    val_data = TokenData(ws.tokens_dir, "val")
    if not train_data.windows(cfg.block_size).size:
        raise DojoError(f"too little training text in {ws.root} for block_size={cfg.block_size}")
    rows = eval_rows(val_data, cfg.block_size, cfg.eval_batches * cfg.batch_size)
    val = (BatchSampler(val_data, cfg.block_size, cfg.seed), rows)
    prompt = [int(t) for t in val[0].tensors(rows[:1])[0][0][:8]]
    vocab = tok.get_vocab_size()
    configs = model_configs(cfg, vocab)
    tokens_per_run = cfg.steps * cfg.batch_size * cfg.block_size
    yield Log(
        f"{len(configs)} runs of {cfg.steps} steps ({tokens_per_run:,} tokens, "
        f"{tokens_per_run / max(1, train_data.tokens):.1f} epochs of the training split): "
        f"{n_layers(cfg.n_layer)} x {cfg.n_embd} wide, {cfg.n_experts} experts of width {expert_hidden(cfg)}, "
        f"top-{cfg.expert_top_k}"
    )
    results: list[dict] = []
    total_steps = cfg.steps * len(configs)
    with threads_set(cfg.threads):
        for n, (name, (mc, aux_w)) in enumerate(configs.items()):
            size = model_size(mc)
            yield Log(
                f"training {name}: {size['params']:,} params, {size['active_params']:,} active per token"
                + (f", aux weight {aux_w:g}" if mc.n_experts else "")
            )

            def progress(step, train_s, n=n):
                done = n * cfg.steps + step
                el = time.perf_counter() - t0
                return Progress(
                    done,
                    total_steps,
                    done * cfg.batch_size * cfg.block_size,
                    step * cfg.batch_size * cfg.block_size / max(train_s, 1e-9),
                    el,
                    el * (total_steps - done) / done,
                )

            r = None
            for item in _train(mc, aux_w, cfg, train_data, val, tok, prompt, control, progress):
                if isinstance(item, Progress):
                    yield item
                else:
                    r = item
            if r is None:
                yield Finished("cancelled", {"report": None})
                return
            loads = r.pop("expert_load_per_layer")
            entry = {
                "name": name,
                "n_experts": mc.n_experts,
                "expert_top_k": mc.expert_top_k if mc.n_experts else None,
                "moe_aux_weight": aux_w if mc.n_experts else None,
                "ffn_hidden": mc.mlp_hidden,
                "total_params": size["params"],
                "active_params": size["active_params"],
                "tokens": tokens_per_run,
                **{k: r[k] for k in ("val_loss", "final_train_loss", "train_tokens_per_s", "generate_tokens_per_s")},
                "final_aux_loss": r["final_aux_loss"],
                "expert_load": np.mean(loads, axis=0).tolist() if loads else None,
                "expert_load_per_layer": loads,
                "load_imbalance": _layer_mean_imbalance(loads) if loads else None,
                "_curve": r["train_loss_curve"],
            }
            results.append(entry)
            yield Log(
                f"{name}: val loss {entry['val_loss']:.4f}, {entry['train_tokens_per_s']:,.0f} train tok/s, "
                f"{entry['generate_tokens_per_s']:,.0f} generated tok/s"
                + (
                    f", load max/mean {entry['load_imbalance']['max_over_mean']:.2f}, "
                    f"cv {entry['load_imbalance']['cv']:.2f}"
                    if loads
                    else ""
                )
            )
    numbers = _numbers(results, cfg)
    numbers["seconds"] = round(time.perf_counter() - t0, 1)
    path = _write_report(ws, results, numbers, cfg, torch.get_num_threads() if not cfg.threads else cfg.threads)
    yield Log(f"report: {path}")
    yield Finished("done", {"report": str(path), **numbers})


def _layer_mean_imbalance(loads: list[list[float]]) -> dict:
    per = [imbalance(s) for s in loads]
    return {k: round(float(np.mean([p[k] for p in per])), 4) for k in ("max_over_mean", "cv")}


def _r(x, nd=4):
    return None if x is None else round(float(x), nd)


def _numbers(results: list[dict], cfg: Config) -> dict:
    by = {r["name"]: r for r in results}
    dense, moe, free = by[RUNS[0]], by[RUNS[1]], by[RUNS[2]]
    runs = [
        {
            **{k: v for k, v in r.items() if not k.startswith("_")},
            "val_loss": _r(r["val_loss"]),
            "final_train_loss": _r(r["final_train_loss"]),
            "train_tokens_per_s": round(r["train_tokens_per_s"], 1),
            "generate_tokens_per_s": round(r["generate_tokens_per_s"], 1),
            "final_aux_loss": _r(r["final_aux_loss"]),
            "expert_load": [round(s, 4) for s in r["expert_load"]] if r["expert_load"] else None,
            "expert_load_per_layer": (
                [[round(s, 4) for s in layer] for layer in r["expert_load_per_layer"]]
                if r["expert_load_per_layer"]
                else None
            ),
        }
        for r in results
    ]
    out = {
        "runs": runs,
        "tokens_per_run": cfg.steps * cfg.batch_size * cfg.block_size,
        "moe_minus_dense_active_val_loss": _r(moe["val_loss"] - dense["val_loss"]),
        "moe_beats_dense_active": bool(moe["val_loss"] < dense["val_loss"]),
        "imbalance_with_aux": moe["load_imbalance"],
        "imbalance_without_aux": free["load_imbalance"],
        "aux_balances_load": bool(
            moe["load_imbalance"]["max_over_mean"] < free["load_imbalance"]["max_over_mean"]
            and moe["load_imbalance"]["cv"] < free["load_imbalance"]["cv"]
        ),
    }
    if RUNS[3] in by:
        out["moe_minus_dense_total_val_loss"] = _r(moe["val_loss"] - by[RUNS[3]]["val_loss"])
    return out


def _write_report(ws, results: list[dict], numbers: dict, cfg: Config, threads: int):

    return write_report(
        Report.create(ws, "moe", TITLE), ABOUT, results, numbers, cfg, threads, expert_hidden(cfg), imbalance
    )
