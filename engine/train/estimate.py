"""Before a run: how big is the model, how many tokens and FLOPs, how long on this machine."""

from __future__ import annotations

import time

import torch

from engine.config import PretrainConfig
from engine.losses import lm_loss
from engine.model import GPT, GPTConfig


def model_size(mc: GPTConfig) -> dict[str, int]:
    """Parameter counts without building the model (the output head is tied: counted once)."""
    d, L, h = mc.n_embd, mc.n_layer, mc.mlp_hidden
    ffn = 3 * d * h
    ffn_total = (mc.n_experts * ffn + d * mc.n_experts) if mc.n_experts else ffn
    ffn_active = mc.expert_top_k * ffn if mc.n_experts else ffn
    block = 4 * d * d + 2 * d  # attention + two norms
    embedding = mc.vocab_size * d
    return {
        "params": embedding + L * (block + ffn_total) + d,
        "active_params": embedding + L * (block + ffn_active) + d,
        "embedding_params": embedding,
    }


def flops_per_token(mc: GPTConfig) -> float:
    """Training FLOPs per token: 6 per active weight (forward + backward) plus attention scores."""
    s = model_size(mc)
    return 6 * s["active_params"] + 6 * mc.n_layer * mc.block_size * mc.n_embd


def estimate(cfg: PretrainConfig, mc: GPTConfig, tokens_per_s: float | None = None) -> dict:
    """Tokens, FLOPs and seconds of a run; the time needs a measured `tokens_per_s`."""
    per_step = cfg.batch_size * cfg.grad_accum * cfg.block_size
    budgets = []
    if cfg.max_steps:
        budgets.append(cfg.max_steps * per_step)
    if cfg.max_minutes and tokens_per_s:
        budgets.append(cfg.max_minutes * 60 * tokens_per_s)
    tokens = min(budgets) if budgets else None
    fpt = flops_per_token(mc)
    out = {
        **model_size(mc),
        "tokens_per_step": per_step,
        "tokens": tokens,
        "flops_per_token": fpt,
        "flops": fpt * tokens if tokens else None,
        "tokens_per_s": tokens_per_s,
        "seconds": None,
    }
    if tokens_per_s and tokens:
        out["seconds"] = tokens / tokens_per_s
    elif cfg.max_minutes:
        out["seconds"] = cfg.max_minutes * 60
    return out


def measure_tokens_per_s(cfg: PretrainConfig, mc: GPTConfig, device: torch.device, steps: int = 3) -> float:
    """Time a few real training steps of this model on this device (after one warm-up step)."""
    torch.manual_seed(0)
    model = GPT(mc).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randint(0, mc.vocab_size, (cfg.batch_size, mc.block_size + 1), device=device)
    elapsed = 0.0
    for i in range(steps + 1):
        t = time.perf_counter()
        logits, _ = model(x[:, :-1])
        lm_loss(logits, x[:, 1:]).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i:
            elapsed += time.perf_counter() - t
    return steps * cfg.batch_size * mc.block_size / elapsed


# -- will it fit? ---------------------------------------------------------------------------------
BYTES_PER_PARAM = 16  # fp32 weights, gradients and AdamW's two moments


def free_memory(device: torch.device) -> int | None:
    """Bytes free on the device now (None where it cannot be told)."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def training_memory(mc: GPTConfig, micro_batch: int, device: torch.device) -> dict:
    """About how many bytes training needs: the parameters with their gradients and optimizer
    state, and one micro-batch's activations kept for the backward pass (~16 numbers per layer,
    token and width, plus the attention scores where no fused attention kernel saves them)."""
    params = model_size(mc)["params"]
    tokens = micro_batch * mc.block_size
    acts = tokens * mc.n_layer * 16 * mc.n_embd * 4
    if device.type != "cuda":
        acts += micro_batch * mc.n_head * mc.block_size**2 * mc.n_layer * 4
    return {
        "params": params,
        "state_bytes": params * BYTES_PER_PARAM,
        "activation_bytes": acts,
        "bytes": params * BYTES_PER_PARAM + acts,
    }


def check_fits(
    mc: GPTConfig, batch_size: int, device: torch.device, what: str = "this model", weights_allocated: bool = False
) -> None:
    """Refuse, before allocating anything, a model or batch that cannot fit in the device's free
    memory. On a GPU the loop halves the micro-batch when memory runs out, so only a micro-batch
    of one sequence must fit there; on a CPU, the whole batch."""
    from engine.errors import ConfigError

    free = free_memory(device)
    if free is None:
        return
    micro = 1 if device.type == "cuda" else batch_size
    need = training_memory(mc, micro, device)
    if need["bytes"] - (4 * need["params"] if weights_allocated else 0) <= free:
        return
    gb = 1e9
    raise ConfigError(
        f"{what} does not fit: about {need['params'] / 1e6:,.1f}M parameters need {need['state_bytes'] / gb:,.1f} GB "
        f"(16 bytes each: weights, gradients, AdamW's two moments) and a batch of {micro} × {mc.block_size} tokens "
        f"about {need['activation_bytes'] / gb:,.1f} GB of activations, but {device.type} has {free / gb:,.1f} GB "
        f"free; lower n_layer or n_embd, or batch_size or block_size (grad_accum keeps the effective batch)"
    )


MODEL_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "n_experts", "batch_size")  # what sets the speed


def earlier_tokens_per_s(store, stage: str, cfg, exclude: str | None = None) -> float | None:
    """Throughput the latest earlier run of the same model shape measured in this workspace (its
    last perf/tokens_per_s), or None."""
    for run in reversed(store.runs(stage)):
        if run["id"] != exclude and all(run["config"].get(k) == getattr(cfg, k, None) for k in MODEL_KEYS):
            m = store.metrics(run["id"], "perf/tokens_per_s")
            if m:
                return m[-1][1]
    return None


SLOW_SHARE = 0.5  # below this share of the earlier speed, a run says so


def slow_run_warning(tokens_per_s: float, earlier: float | None, threads: int) -> str:
    """A warning when a run trains far below the speed this machine reached before ('' otherwise)."""
    if not earlier or tokens_per_s >= SLOW_SHARE * earlier:
        return ""
    return (
        f"this run trains at {tokens_per_s:,.0f} tokens/s, {tokens_per_s / earlier:.0%} of the {earlier:,.0f} "
        f"tokens/s an earlier run of the same model reached in this workspace: other programs are probably "
        f"using the CPU (training on {threads} thread{'s' if threads != 1 else ''}; a time budget buys fewer "
        "steps now)"
    )
