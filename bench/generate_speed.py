"""Generation speed: tokens/s with the KV cache at batch 1 and 8, vs transformers' `generate` on
the same weights (the exported Hugging Face folder), and vs our own generation without the cache.

The model has the tiny preset's shape with a 512-token context, so 256 new tokens fit after the
prompt; decoding is greedy and never stops early (no stop tokens), so every method produces the
same number of tokens. All figures come from one run: their ratios hold on a noisy machine.
"""

from __future__ import annotations

import time

import torch

NEW_TOKENS = 256
PROMPT = 16


def _rates(fns: dict, tokens: dict, rounds: int = 3) -> dict:
    """Tokens/s of each named generation function: they take turns (a, b, a, b, …) so a noisy
    moment falls on all alike, and each keeps its best round."""
    for fn in fns.values():
        fn()  # warm up
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: round(tokens[name] / best[name]) for name in fns}


@torch.inference_mode()
def no_cache(model, prompt: list[int], n: int) -> list[int]:
    """Greedy decoding that re-reads the whole sequence every step (what the cache saves)."""
    ids = list(prompt)
    for _ in range(n):
        logits, _ = model(torch.tensor([ids]))
        ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt) :]


def run(seconds: float = 0.0, mb: float = 0.0) -> dict:
    from engine.generate import SamplingConfig, sample_batch, stream
    from engine.model import GPT, GPTConfig

    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=4096, block_size=512, n_layer=4, n_head=4, n_embd=128)
    model = GPT(cfg).eval()
    prompt = torch.randint(0, cfg.vocab_size, (PROMPT,)).tolist()
    greedy = SamplingConfig(greedy=True, max_new_tokens=NEW_TOKENS)

    fns = {
        "tokens_per_s_b1": lambda: list(stream(model, prompt, greedy)),
        "tokens_per_s_b8": lambda: sample_batch(model, prompt, 8, greedy, set()),
    }
    tokens = {"tokens_per_s_b1": NEW_TOKENS, "tokens_per_s_b8": 8 * NEW_TOKENS}
    hf_model = _as_hf(model)
    if hf_model is not None:
        x = torch.tensor([prompt])

        def hf_generate(batch: int):
            with torch.inference_mode():
                return hf_model.generate(
                    x.repeat(batch, 1),
                    max_new_tokens=NEW_TOKENS,
                    min_new_tokens=NEW_TOKENS,
                    do_sample=False,
                    use_cache=True,
                    pad_token_id=0,
                )

        fns |= {"hf_tokens_per_s_b1": lambda: hf_generate(1), "hf_tokens_per_s_b8": lambda: hf_generate(8)}
        tokens |= {"hf_tokens_per_s_b1": NEW_TOKENS, "hf_tokens_per_s_b8": 8 * NEW_TOKENS}
    out = {"new_tokens": NEW_TOKENS, "threads": torch.get_num_threads()} | _rates(fns, tokens)
    ours = [t for t, _ in stream(model, prompt, greedy)]
    out["nocache_tokens_per_s_b1"] = _rates({"n": lambda: no_cache(model, prompt, NEW_TOKENS)}, {"n": NEW_TOKENS}, 1)[
        "n"
    ]
    out["ratio_vs_nocache"] = round(out["tokens_per_s_b1"] / out["nocache_tokens_per_s_b1"], 2)
    # the cached and uncached paths agree token for token (a check that the cache is right)
    out["cache_matches_nocache"] = ours == no_cache(model, prompt, NEW_TOKENS)
    if hf_model is None:
        return out | {"hf_tokens_per_s_b1": None, "ratio_vs_hf": None, "note": "transformers is not installed"}
    out["same_tokens_as_hf"] = hf_generate(1)[0, len(prompt) :].tolist() == ours
    return out | {
        "ratio_vs_hf": round(out["tokens_per_s_b1"] / out["hf_tokens_per_s_b1"], 2),
        "ratio_vs_hf_b8": round(out["tokens_per_s_b8"] / out["hf_tokens_per_s_b8"], 2),
    }


def _as_hf(model):
    """The same weights as a transformers Llama (through the export's tensor mapping), or None."""
    try:
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError:
        return None

    from engine.io.hf_export import to_llama

    cfg = model.cfg
    hf_model = LlamaForCausalLM(
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
    missing, unexpected = hf_model.load_state_dict(to_llama(model.state_dict(), cfg.n_layer), strict=False)
    assert not unexpected and all("lm_head" in k for k in missing), (missing, unexpected)
    hf_model.tie_weights()
    return hf_model.eval()
