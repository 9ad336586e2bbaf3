"""Decoding: greedy, temperature, top-k, top-p, repetition penalty; per-token probabilities.

Generation reuses the KV cache: the prompt is run once, then each new token costs one
position. When the context window fills up, the cache restarts from the last half.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import torch

from engine.model import GPT

MAX_NEW_TOKENS = 8192  # a stated limit: far past any of LM Dojo's contexts, still minutes at worst on a CPU


@dataclass
class SamplingConfig:
    greedy: bool = False
    temperature: float = 0.8
    top_k: int = 50  # 0 = off
    top_p: float = 1.0  # 1 = off
    repetition_penalty: float = 1.0  # > 1 makes tokens already in the text less likely (CTRL)
    max_new_tokens: int = 100
    seed: int | None = None
    eos_bias: float = 0.0  # added to the end-of-turn token's logit: > 0 ends answers sooner
    stop_strings: tuple[str, ...] = ()  # the text is cut before the first of these, and generation stops
    alternatives: int = 0  # also return the top-N tokens and probabilities at every step


@dataclass
class Generation:
    text: str
    token_ids: list[int] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)  # probability of each chosen token
    stopped: bool = False  # ended at a stop token or stop string (not at max_new_tokens)
    stop_token: int | None = None  # which stop token ended it
    alternatives: list[list[tuple[int, float]]] = field(default_factory=list)  # top-N per step


def next_token_distribution(
    logits: torch.Tensor, cfg: SamplingConfig, seen: torch.Tensor | None = None, bias: dict[int, float] | None = None
) -> torch.Tensor:
    """logits (V,) of the last position -> probabilities (V,) after bias, penalty, temperature, top-k, top-p."""
    logits = logits.float().clone()
    for token, b in (bias or {}).items():
        logits[token] += b
    if cfg.repetition_penalty != 1.0 and seen is not None and seen.numel():
        prev = logits[seen]
        logits[seen] = torch.where(prev > 0, prev / cfg.repetition_penalty, prev * cfg.repetition_penalty)
    if cfg.greedy or cfg.temperature <= 0:
        probs = torch.zeros_like(logits)
        probs[logits.argmax()] = 1.0
        return probs
    return sampling_probs(logits, cfg)


def sampling_probs(logits: torch.Tensor, cfg: SamplingConfig) -> torch.Tensor:
    """Temperature, then top-k, then top-p, over the last dimension: (..., V) -> probabilities."""
    logits = logits.float() / cfg.temperature
    if cfg.top_k and cfg.top_k < logits.size(-1):
        kth = torch.topk(logits, cfg.top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if cfg.top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        # keep the smallest set whose mass reaches top_p (the first token always stays)
        sorted_p = sorted_p.masked_fill(sorted_p.cumsum(-1) - sorted_p >= cfg.top_p, 0.0)
        probs = torch.zeros_like(probs).scatter_(-1, order, sorted_p)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


def stream(
    model: GPT,
    prompt_ids: list[int],
    cfg: SamplingConfig,
    stop_ids: set[int] = frozenset(),
    generator: torch.Generator | None = None,
    bias: dict[int, float] | None = None,
) -> Iterator[tuple[int, float]]:
    """Yield (token id, its probability) one at a time, until a stop token or max_new_tokens."""
    for tok, p, _ in sample_steps(model, prompt_ids, cfg, stop_ids, generator, bias):
        yield tok, p


@torch.inference_mode()
def sample_steps(model: GPT, prompt_ids: list[int], cfg: SamplingConfig, stop_ids, generator, bias):
    """(token, its probability, the whole distribution) per generated token."""
    was_training = model.training
    model.eval()
    device = model.tok_emb.weight.device
    block = model.cfg.block_size
    if generator is None and cfg.seed is not None:
        generator = torch.Generator(device="cpu").manual_seed(cfg.seed)
    ids = list(prompt_ids)[-(block - 1) :] or [next(iter(stop_ids), 0)]
    try:
        cache = model.new_cache(1)
        logits, _ = model(torch.tensor([ids], device=device), cache, last_only=True)
        history = list(ids)
        for _ in range(cfg.max_new_tokens):
            seen = torch.tensor(sorted(set(history)), device=device) if cfg.repetition_penalty != 1.0 else None
            probs = next_token_distribution(logits[0, -1], cfg, seen, bias).cpu()
            tok = (
                int(probs.argmax())
                if (cfg.greedy or cfg.temperature <= 0)
                else int(torch.multinomial(probs, 1, generator=generator))
            )
            yield tok, float(probs[tok]), probs
            if tok in stop_ids:
                return
            history.append(tok)
            if cache.pos >= block:  # window full: start again from the recent half
                cache = model.new_cache(1)
                logits, _ = model(torch.tensor([history[-(block // 2) :]], device=device), cache, last_only=True)
            else:
                logits, _ = model(torch.tensor([[tok]], device=device), cache, last_only=True)
    finally:
        model.train(was_training)


def generate(
    model: GPT,
    tok,
    prompt: str | list[int],
    cfg: SamplingConfig,
    stop_ids: set[int] = frozenset(),
    generator: torch.Generator | None = None,
    bias: dict[int, float] | None = None,
    progress=None,
) -> Generation:
    """Continue `prompt` (text, taken literally, or token ids). `progress(tokens so far)`, when
    given, is called after every token (a long generation can show how far it is)."""
    prompt_ids = list(prompt) if isinstance(prompt, list) else tok.encode(prompt, add_special_tokens=False).ids
    out = Generation(text="")
    for t, p, probs in sample_steps(model, prompt_ids, cfg, stop_ids, generator, bias):
        if progress is not None:
            progress(len(out.token_ids) + 1)
        if t in stop_ids:
            out.stopped, out.stop_token = True, t
            break
        out.token_ids.append(t)
        out.probs.append(p)
        if cfg.alternatives:
            top = torch.topk(probs, min(cfg.alternatives, probs.numel()))
            out.alternatives.append([(int(i), round(float(v), 5)) for v, i in zip(top.values, top.indices)])
        if cfg.stop_strings:
            text = tok.decode(out.token_ids, skip_special_tokens=False)
            cut = min((text.find(s) for s in cfg.stop_strings if s in text), default=-1)
            if cut >= 0:
                out.text, out.stopped = text[:cut], True
                return out
    out.text = tok.decode(out.token_ids, skip_special_tokens=False)
    if not out.stopped:  # cut at max_new_tokens, perhaps inside a character: its first bytes are no text yet
        from engine.tokenizer import without_cut_character

        out.text = without_cut_character(tok, out.token_ids, out.text)
    return out


def chat(
    model: GPT, tok, messages: list[dict], cfg: SamplingConfig, generator: torch.Generator | None = None, progress=None
) -> Generation:
    """Answer as the assistant: the prompt goes through the chat template, generation stops at the
    end-of-turn token (whose logit `cfg.eos_bias` raises or lowers)."""
    from engine.tokenizer import END, EOT, chat_ids, special_id

    end = special_id(tok, END)
    stop = {end, special_id(tok, EOT)}
    return generate(
        model,
        tok,
        chat_ids(tok, messages, add_generation_prompt=True),
        cfg,
        stop,
        generator,
        {end: cfg.eos_bias} if cfg.eos_bias else None,
        progress,
    )


@torch.inference_mode()
def sample_batch(
    model: GPT,
    prompt_ids: list[int],
    n: int,
    cfg: SamplingConfig,
    stop_ids: set[int],
    generator: torch.Generator | None = None,
) -> list[tuple[list[int], int | None]]:
    """n answers to one prompt, sampled side by side with one KV cache (for GRPO's groups and for
    ranking candidates): [(answer token ids, the stop token that ended it or None)] — the answer
    stops before its stop token. Temperature / top-k / top-p as in `next_token_distribution`;
    no repetition penalty or bias. The answer gets what is left of the context after the prompt."""
    was_training = model.training
    model.eval()
    device = model.tok_emb.weight.device
    block = model.cfg.block_size
    ids = list(prompt_ids)[-(block - 1) :]
    budget = min(cfg.max_new_tokens, block - len(ids))
    out: list[list[int]] = [[] for _ in range(n)]
    stopped: list[int | None] = [None] * n
    try:
        cache = model.new_cache(n)
        logits, _ = model(torch.tensor([ids] * n, device=device), cache, last_only=True)
        for _ in range(budget):
            last = logits[:, -1]
            if cfg.greedy or cfg.temperature <= 0:
                tokens = last.argmax(-1)
            else:
                probs = sampling_probs(last, cfg).cpu()
                tokens = torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(device)
            for i, t in enumerate(tokens.tolist()):
                if stopped[i] is None:
                    if t in stop_ids:
                        stopped[i] = t
                    else:
                        out[i].append(t)
            if all(s is not None for s in stopped):
                break
            logits, _ = model(tokens.unsqueeze(-1), cache, last_only=True)  # finished rows run on; nobody reads them
    finally:
        model.train(was_training)
    return list(zip(out, stopped))
