"""Training throughput: tokens/s and model FLOP utilisation, ours vs transformers' Llama.

For each preset, the same shape, dtype (fp32) and batch train for a few steps (forward, backward,
fused AdamW: what LM Dojo's trainer and transformers' Trainer both use by default) in LM Dojo's GPT
and, when transformers is installed, in `LlamaForCausalLM` built from the same config (tied
embeddings, SwiGLU of the same width, SDPA attention) — with its own loss (labels=, what its
Trainer runs: the reference) and with its logits into F.cross_entropy by hand; the three take turns
step by step and each one's median step counts. MFU is the achieved model
FLOP/s (6·N per token plus attention, as nanoGPT counts it) over the peak this machine reaches on
fp32 matmuls — the best of several sizes and thread counts, at the start and at the end of the same
run — so the figure is a ratio that holds on a noisy machine, and at most 1.
"""

from __future__ import annotations

import contextlib
import statistics
import time

import torch

# batch shapes per preset: the tiny preset as it trains; the small one shortened to fit a CPU run
SHAPES = {"tiny": {"batch": 16, "seq": 128}, "small": {"batch": 4, "seq": 256}}


def matmul_peak(n: int = 1536, seconds: float = 2.0, device="cpu", dtype=torch.float32) -> float:
    """FLOP/s of a large square matmul: the machine's practical peak for this dtype."""
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    cuda = torch.device(device).type == "cuda"
    # a GPU only queues the product: wait for a burst of them, so the clock counts work done
    burst = 10 if cuda else 1
    a @ b  # warm up
    _sync(device)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(burst):
            a @ b
        _sync(device)
        count += burst
    return 2 * n**3 * count / (time.perf_counter() - start)


PEAK_SHAPES = (256, 512, 1024, 1536, 2048)


def best_matmul_peak(seconds: float = 0.5) -> tuple[float, dict]:
    """The highest FLOP/s over several square matmul sizes and thread counts (1 … torch's current
    count): one size at one thread count can sit below what the models' own matmuls reach (small ones
    stay in cache), and then MFU came out above 1 (1.076 on a 52 GFLOP/s machine)."""
    threads = torch.get_num_threads()
    found = {}
    try:
        for t in sorted({1, threads}):
            torch.set_num_threads(t)
            for n in PEAK_SHAPES:
                found[f"{n}x{t}"] = matmul_peak(n, seconds)
    finally:
        torch.set_num_threads(threads)
    return max(found.values()), {k: round(v / 1e9, 1) for k, v in found.items()}


def _sync(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def flops_per_token(n_params: int, n_layer: int, n_embd: int, seq: int) -> float:
    """Training FLOPs per token: 6 per parameter (forward + backward) plus attention's 12·L·d·T."""
    return 6 * n_params + 12 * n_layer * n_embd * seq


def _interleaved(steps: dict, rounds: int, warmup: int = 2, seconds: float | None = None) -> dict:
    """Median seconds per step of each named step function, timed in turns (a, b, a, b, …) so
    that a noisy moment of the machine falls on both sides alike. With `seconds`, fewer rounds
    when they would take longer (at least one)."""
    start_all = time.perf_counter()
    for _ in range(warmup):
        for step in steps.values():
            step()
    times: dict = {name: [] for name in steps}
    for i in range(rounds):
        if i and seconds is not None and time.perf_counter() - start_all > seconds:
            break
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _autocast(device, amp):
    """Mixed precision as the trainer runs it (`amp` a dtype), or nothing (None: plain fp32)."""
    if amp is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=amp)


def ours(cfg, batch: int, seq: int, device="cpu", amp=None):
    """LM Dojo's training step as the trainer runs it: (step function, parameter count). On a GPU
    the step only queues its work: the caller synchronises before reading a clock."""
    from engine.model import GPT

    torch.manual_seed(0)
    model = GPT(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    x = torch.randint(0, cfg.vocab_size, (batch, seq + 1), device=device)

    def step():
        with _autocast(device, amp):
            loss = model(x[:, :-1], targets=x[:, 1:])[0]  # the fused head + loss the trainer calls
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step, model.num_params()


def hf(cfg, batch: int, seq: int, labels: bool = True, device="cpu", amp=None):
    """The same step in transformers' LlamaForCausalLM, or None when it is not installed: with
    `labels`, its own loss (`model(input_ids, labels=…).loss`, what transformers' Trainer runs; it
    shifts the labels itself, so it scores one position fewer per row); without, its logits into
    F.cross_entropy by hand (a leaner path than its own)."""
    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError:
        return None
    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=cfg.vocab_size,
            hidden_size=cfg.n_embd,
            intermediate_size=cfg.mlp_hidden,
            num_hidden_layers=cfg.n_layer,
            num_attention_heads=cfg.n_head,
            num_key_value_heads=cfg.n_head,
            max_position_embeddings=cfg.block_size,
            rms_norm_eps=1e-6,
            rope_theta=cfg.rope_theta,
            tie_word_embeddings=True,
            attention_bias=False,
            mlp_bias=False,
            attn_implementation="sdpa",
        )
    )
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    x = torch.randint(0, cfg.vocab_size, (batch, seq + 1), device=device)

    def step():
        with _autocast(device, amp):
            if labels:
                loss = model(input_ids=x[:, :-1], labels=x[:, :-1]).loss
            else:
                logits = model(input_ids=x[:, :-1]).logits
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    return step


def run(seconds: float = 0.0, mb: float = 0.0, rounds: int = 12) -> dict:
    from engine.config import MODEL_PRESETS
    from engine.model import GPTConfig

    peak, peaks = best_matmul_peak()
    presets = {}
    measured = {}
    for name, shape in SHAPES.items():
        p = MODEL_PRESETS[name]
        cfg = GPTConfig(
            vocab_size=4096, block_size=shape["seq"], n_layer=p["n_layer"], n_head=p["n_head"], n_embd=p["n_embd"]
        )
        step, params = ours(cfg, shape["batch"], shape["seq"])
        steps = {"ours": step}
        if (hf_step := hf(cfg, shape["batch"], shape["seq"])) is not None:
            steps["hf"] = hf_step
            steps["hf_logits_ce"] = hf(cfg, shape["batch"], shape["seq"], labels=False)
        measured[name] = (cfg, shape, params, _interleaved(steps, rounds))
    # the peak again at the end: the higher of the two, so that a busy moment cannot inflate MFU
    end_peak, end_peaks = best_matmul_peak()
    peak = max(peak, end_peak)
    peaks = {k: max(v, end_peaks[k]) for k, v in peaks.items()}
    for name, (cfg, shape, params, t) in measured.items():
        tokens = shape["batch"] * shape["seq"]
        tps = tokens / t["ours"]
        mfu = tps * flops_per_token(params, cfg.n_layer, cfg.n_embd, shape["seq"]) / peak
        presets[name] = {
            "tokens_per_s": round(tps),
            "mfu": round(mfu, 3),
            "params": params,
            "batch": shape["batch"],
            "seq": shape["seq"],
            "hf_tokens_per_s": round(tokens / t["hf"]) if "hf" in t else None,
            "ratio_vs_hf": round(t["hf"] / t["ours"], 2) if "hf" in t else None,
            "ratio_vs_hf_logits_ce": round(t["hf_logits_ce"] / t["ours"], 2) if "hf" in t else None,
        }
    tiny = presets["tiny"]
    return {
        "tokens_per_s": tiny["tokens_per_s"],
        "hf_tokens_per_s": tiny["hf_tokens_per_s"],
        "ratio_vs_hf": tiny["ratio_vs_hf"],
        "mfu": presets["small"]["mfu"],
        "peak_gflops": round(peak / 1e9, 1),
        "peak_gflops_by_size_x_threads": peaks,
        "threads": torch.get_num_threads(),
        "presets": presets,
        "note": None if tiny["hf_tokens_per_s"] else "transformers is not installed: no comparison",
    }
