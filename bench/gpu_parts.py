"""The parts of `python -m bench gpu` (bench/gpu.py runs them in order, each under its own cap).

Each part returns a dict for the JSON, or raises `Skip(reason)` when it cannot run on this
machine (no transformers, no CUDA). Training goes through the engine's own stages
(`pretrain.run(ws, cfg)` and so on), so what is timed is what a user's run gets: the loop, its
autocast, its optimizer, its logging; the comparison with transformers steps bare models in
turns (bench/train_speed.py), so the ratio holds on a busy machine.
"""

from __future__ import annotations

import gc
import math
import re
import time

import torch

from engine.events import Finished, Log, Progress

BIG = 1_000_000  # "never" for the loop's every-N-steps knobs: evaluate and save only at the end


class Skip(Exception):
    """A part that does not apply here; the message is the reason the JSON gives."""


def free_memory(device: torch.device) -> None:
    """Drop what the last part left behind, so that the next one (and the OOM part's limit)
    starts from an empty allocator."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def synced(fn, device: torch.device):
    """`fn` that returns once the GPU has done its work: a clock around it times work, not queuing."""
    if device.type != "cuda":
        return fn

    def run():
        out = fn()
        torch.cuda.synchronize(device)
        return out

    return run


def peak(device: torch.device, dtype: torch.dtype, shapes: tuple[int, ...], seconds: float) -> dict:
    """Best FLOP/s of square matmuls in the training dtype: the denominator of MFU, measured, so
    that MFU <= 1 on this machine (a datasheet peak is rarely reached)."""
    from bench.train_speed import matmul_peak

    by_shape = {str(n): round(matmul_peak(n, seconds, device, dtype) / 1e12, 3) for n in shapes}
    return {"dtype": str(dtype).removeprefix("torch."), "tflops": max(by_shape.values()), "by_shape": by_shape}


def _loop_sets(device: torch.device, dtype: str, cap_s: float) -> dict:
    """What every trained part sets: its device and dtype, a time cap, and no evaluation, samples or
    checkpoints in between (they would land in the timed steps)."""
    return {
        "device": str(device),
        "dtype": dtype,
        "max_minutes": cap_s / 60,
        "eval_every": BIG,
        "sample_every": 0,
        "checkpoint_every": BIG,
        "checkpoint_minutes": 0.0,
    }


def _drive(events) -> tuple[list, list[str], Finished]:
    """Run a stage's events to the end: (marks (step, tokens, time) at the end of each step,
    log messages, the Finished event)."""
    marks, logs, finished = [], [], None
    for ev in events:
        if isinstance(ev, Progress):
            marks.append((ev.step, ev.tokens, time.perf_counter()))
        elif isinstance(ev, Log):
            logs.append(ev.message)
        elif isinstance(ev, Finished):
            finished = ev
    if finished is None:
        raise RuntimeError("the stage ended without a Finished event")
    return marks, logs, finished


def pretrain_config(ws, preset: str, shape: dict, device, dtype: str, compile: bool, steps: int, cap_s: float):
    """The pretraining config of a timed run of `preset` (`shape` overrides its knobs) and its model's."""
    from engine.tokenizer import load_tokenizer
    from engine.train import pretrain

    sets = {"preset": preset, **shape, "max_steps": steps, "eval_batches": 1, "compile": compile}
    cfg = pretrain.make_config(sets={**sets, **_loop_sets(device, dtype, cap_s)})
    return cfg, pretrain.model_config(cfg, load_tokenizer(ws.tokenizer_path).get_vocab_size())


def describe(cfg, mc) -> dict:
    from engine.train.estimate import model_size

    shape = {k: getattr(cfg, k) for k in ("n_layer", "n_head", "n_embd", "block_size", "batch_size")}
    return {**shape, "vocab_size": mc.vocab_size, "params": model_size(mc)["params"]}


def pretrain_speed(ws, cfg, mc, warmup: int, peak_flops: float | None) -> dict:
    """Pretrain through the engine: tokens/s over the steps after `warmup` (the first one compiles,
    with compile=true), and MFU by the engine's own FLOPs count (engine/train/estimate.py) over the
    measured peak."""
    from engine.train import pretrain
    from engine.train.estimate import flops_per_token

    start = time.perf_counter()
    marks, _, finished = _drive(pretrain.run(ws, cfg))
    if len(marks) < 2:
        raise RuntimeError(
            f"{len(marks)} step(s) within the cap of {cfg.max_minutes * 60:.0f} s (startup and the first "
            f"step took {time.perf_counter() - start:.0f} s): nothing to time"
        )
    first = min(warmup, len(marks) - 2)
    (_, tokens0, t0), (_, tokens1, t1) = marks[first], marks[-1]
    tokens_per_s = (tokens1 - tokens0) / (t1 - t0)
    return {
        "tokens_per_s": round(tokens_per_s),
        "mfu": round(tokens_per_s * flops_per_token(mc) / peak_flops, 4) if peak_flops else None,
        "steps": len(marks),
        "timed_steps": len(marks) - 1 - first,
        # building the model and data, the step-0 evaluation and the first step (its compilation)
        "startup_s": round(marks[0][2] - start, 2),
        "final_loss": _finite(finished.result.get("final_train_loss")),
        "run": finished.result["run"],
    }


def vs_hf(mc, batch: int, device, amp, rounds: int, cap_s: float) -> dict:
    """Our training step and transformers' LlamaForCausalLM of the same shape (its own loss, as its
    Trainer runs it) in the same autocast dtype, stepped in turns: the ratio of tokens/s."""
    from bench.train_speed import _interleaved, hf, ours

    hf_step = hf(mc, batch, mc.block_size, device=device, amp=amp)
    if hf_step is None:
        raise Skip("transformers is not installed")
    step, _ = ours(mc, batch, mc.block_size, device=device, amp=amp)
    t = _interleaved({"ours": synced(step, device), "hf": synced(hf_step, device)}, rounds, seconds=cap_s)
    tokens = batch * mc.block_size
    return {
        "ours_tokens_per_s": round(tokens / t["ours"]),
        "hf_tokens_per_s": round(tokens / t["hf"]),
        "ratio": round(t["hf"] / t["ours"], 3),
        "batch": batch,
        "seq": mc.block_size,
    }


def generation(mc, device, dtype: torch.dtype, prompt_len: int, new_tokens: int, batches, rounds: int) -> dict:
    """Greedy decoding with our KV cache (`stream` at batch 1, `sample_batch` above it) against
    transformers' `generate` on the same weights and dtype: tokens/s and ours/theirs. Nothing stops
    early (no stop tokens, min_new_tokens), so every method makes the same number of tokens."""
    from bench.generate_speed import _as_hf, _rates
    from engine.generate import SamplingConfig, sample_batch, stream
    from engine.model import GPT

    if prompt_len + new_tokens > mc.block_size:
        raise ValueError(f"{prompt_len} + {new_tokens} tokens do not fit a context of {mc.block_size}")
    torch.manual_seed(0)
    model = GPT(mc).eval()
    hf_model = _as_hf(model)  # from the fp32 weights on the CPU, where the export's mapping reads them
    model.to(device=device, dtype=dtype)
    prompt = torch.randint(0, mc.vocab_size, (prompt_len,)).tolist()
    greedy = SamplingConfig(greedy=True, max_new_tokens=new_tokens)
    fns, tokens = {}, {}
    for b in batches:
        if b == 1:
            fns["ours_b1"] = synced(lambda: list(stream(model, prompt, greedy)), device)
        else:
            fns[f"ours_b{b}"] = synced(lambda b=b: sample_batch(model, prompt, b, greedy, set()), device)
        tokens[f"ours_b{b}"] = b * new_tokens
    if hf_model is not None:
        hf_model.to(device=device, dtype=dtype)
        x = torch.tensor([prompt], device=device)

        def hf_generate(b: int):
            with torch.inference_mode():
                return hf_model.generate(
                    x.repeat(b, 1),
                    attention_mask=torch.ones_like(x).repeat(b, 1),
                    max_new_tokens=new_tokens,
                    min_new_tokens=new_tokens,
                    do_sample=False,
                    use_cache=True,
                    pad_token_id=0,
                )

        for b in batches:
            fns[f"hf_b{b}"] = synced(lambda b=b: hf_generate(b), device)
            tokens[f"hf_b{b}"] = b * new_tokens
    rates = _rates(fns, tokens, rounds)
    out = {"prompt": prompt_len, "new_tokens": new_tokens, "dtype": str(dtype).removeprefix("torch.")}
    for b in batches:
        ours_tps, hf_tps = rates[f"ours_b{b}"], rates.get(f"hf_b{b}")
        out[f"b{b}"] = {
            "ours_tokens_per_s": ours_tps,
            "hf_tokens_per_s": hf_tps,
            "ratio": round(ours_tps / hf_tps, 3) if hf_tps else None,
        }
    if hf_model is None:
        out["hf_skipped"] = "transformers is not installed"
    return out


def finetune(ws, stage: str, base: str, sets: dict, device, dtype: str, cap_s: float) -> dict:
    """A few steps of SFT or DPO from `base` through the engine: ok when the run ends done with a
    finite loss."""
    from engine.train import dpo, sft

    module = {"sft": sft, "dpo": dpo}[stage]
    cfg = module.make_config(sets={"base": base, **sets, **_loop_sets(device, dtype, cap_s)})
    _, _, finished = _drive(module.run(ws, cfg))
    r = finished.result
    loss = _finite(r.get("final_train_loss"))
    return {
        "ok": finished.status == "done" and r.get("steps", 0) > 0 and loss is not None,
        "steps": r.get("steps"),
        "final_loss": loss,
        "tokens_per_s": r.get("tokens_per_s"),
        "run": r.get("run"),
    }


HALVED = re.compile(r"micro-batch halved to (\d+)")


def oom_halving(ws, device, dtype: str, batch: int, limit_gb: float, cap_s: float) -> dict:
    """Cap this process's GPU memory a little above what is allocated now and pretrain the small
    preset with a batch far past that cap: the loop must halve its micro-batch until a step fits."""
    if device.type != "cuda":
        raise Skip(device.type)  # the loop's halving catches CUDA's out-of-memory error only
    # "cuda" names no GPU, and the memory-fraction call takes only one that has an index
    device = torch.device("cuda", torch.cuda.current_device() if device.index is None else device.index)
    free_memory(device)
    total = torch.cuda.get_device_properties(device).total_memory
    limit = torch.cuda.memory_reserved(device) + limit_gb * 2**30
    torch.cuda.set_per_process_memory_fraction(min(1.0, limit / total), device)
    try:
        out = halving_run(ws, device, dtype, {"preset": "small", "batch_size": batch}, cap_s)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, device)
        free_memory(device)
    return {**out, "limit_gb": limit_gb}


def halving_run(ws, device, dtype: str, sets: dict, cap_s: float) -> dict:
    """Two pretraining steps with `sets`, read through the loop's warnings: whether it halved its
    micro-batch, the sizes it went through, and whether the run still ended done."""
    from engine.train import pretrain

    cfg = pretrain.make_config(sets={**sets, "max_steps": 2, "eval_batches": 1, **_loop_sets(device, dtype, cap_s)})
    _, logs, finished = _drive(pretrain.run(ws, cfg))
    halved = [int(m.group(1)) for msg in logs if (m := HALVED.search(msg))]
    return {
        "seen": bool(halved),
        "micro_batches": [cfg.batch_size, *halved],
        "status": finished.status,
        "steps": finished.result.get("steps"),
    }


def _finite(x):
    return round(float(x), 4) if x is not None and math.isfinite(float(x)) else None
