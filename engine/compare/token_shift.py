"""Token distribution shift between a base model and its aligned version, after "The Unlocking
Spell on Base LLMs" (Lin et al. 2023, URIAL).

The aligned model answers each prompt greedily through the chat template. The base model then
reads the same prompt and answer in one forward pass (teacher forcing) and, at every answer
position, we ask where the aligned model's token stands in the base model's distribution:

    rank 1    unshifted  the base model would have said the same thing
    rank 2-3  marginal   the base model had it among its top choices
    rank > 3  shifted    alignment changed what is said here

The paper finds most positions unshifted and the shifted ones mostly style and safety tokens
("Hello", "However", "I", the end of the answer): alignment is largely superficial. The
end-of-turn token is a position too, when the answer ended with it: whether to stop is exactly
what a base model cannot know.

`token_shift(ws, base, aligned, prompts)`; `lmdojo-cli shift WS --base A --aligned B`.
"""

from __future__ import annotations

from collections import Counter

import torch

from engine import checkpoint as ckpt
from engine.errors import DojoError
from engine.generate import SamplingConfig, stream
from engine.io.workspace import Workspace
from engine.tokenizer import END, EOT, chat_ids, load_tokenizer, special_id, token_display, tokenizer_hash

CLASSES = ("unshifted", "marginal", "shifted")
# Logits closer than this count as a tie, decided in the aligned token's favour: the generation's
# KV-cached steps and the one-pass re-read may differ in the last bits, and a model compared with
# itself must come out unshifted.
TIE_EPS = 1e-4


def token_shift(
    ws: Workspace,
    base: str,
    aligned: str,
    prompts: list[list[dict]],
    max_new_tokens: int = 64,
    device: str | torch.device = "cpu",
) -> dict:
    """Shares of unshifted / marginal / shifted answer positions, the most shifted tokens, and
    every answer token by token (module docstring)."""
    if not prompts:
        raise DojoError("token shift needs at least one prompt")
    if max_new_tokens < 1:
        raise DojoError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    for k, messages in enumerate(prompts):
        if not messages or not isinstance(messages[-1], dict) or messages[-1].get("role") != "user":
            raise DojoError(f"prompt {k + 1} must be chat messages ending with a user turn")
    tok = load_tokenizer(ws.tokenizer_path)
    tok_hash = tokenizer_hash(ws.tokenizer_path)
    base_model, base_meta = _load(ws, base, device, tok_hash)
    aligned_model, aligned_meta = _load(ws, aligned, device, tok_hash)
    block = min(base_model.cfg.block_size, aligned_model.cfg.block_size)
    if block < 3:
        raise DojoError(f"a context of {block} tokens leaves no room for a prompt and an answer")
    # the answer (and its stop token) must fit in one window after at least one prompt token
    budget = min(max_new_tokens, block - 2)
    stop = {special_id(tok, END), special_id(tok, EOT)}
    per_prompt, counts, shifted = [], Counter(), Counter()
    for messages in prompts:
        ids = chat_ids(tok, messages, add_generation_prompt=True)
        ids = ids[-(block - budget - 1) :]  # from the left: both models then read exactly the same context
        answer = _greedy_answer(aligned_model, ids, budget, stop)
        tokens = _classify(tok, base_model, ids, answer)
        for t in tokens:
            counts[t["class"]] += 1
            if t["class"] == "shifted":
                shifted[t["token"]] += 1
        per_prompt.append(
            {
                "prompt": messages[-1].get("content", ""),
                "answer": tok.decode([t for t in answer if t not in stop], skip_special_tokens=False),
                "tokens": tokens,
            }
        )
    n = sum(counts.values())
    shares = {c: round(counts[c] / n, 4) for c in CLASSES}
    return {
        "base": _run_id(base_meta, base),
        "aligned": _run_id(aligned_meta, aligned),
        "prompts": len(prompts),
        "positions": n,
        **shares,
        "top_shifted": [{"token": t, "count": c} for t, c in shifted.most_common(10)],
        "per_prompt": per_prompt,
    }


def _load(ws: Workspace, ref: str, device, tok_hash: str):
    """A run's newest checkpoint (or a checkpoint folder); refused when made with another tokenizer."""
    if not isinstance(ref, str) or not ref:
        raise DojoError("token shift needs a base and an aligned run")
    folder = ckpt.resolve(ws.runs_dir, ref)
    if ckpt.read_meta(folder).get("head") == "reward":
        raise DojoError(f"{ref} is a reward model: token shift compares language models")
    return ckpt.load_gpt(folder, device, tok_hash)


def _run_id(meta: dict, ref: str) -> str:
    return meta.get("run_id", str(ref))


def _greedy_answer(model, prompt_ids: list[int], budget: int, stop: set[int]) -> list[int]:
    """The answer's token ids, ending with the stop token when it stopped on its own."""
    return [t for t, _ in stream(model, prompt_ids, SamplingConfig(greedy=True, max_new_tokens=budget), stop)]


@torch.inference_mode()
def _classify(tok, model, prompt_ids: list[int], answer: list[int]) -> list[dict]:
    """Each answer token's rank in the model's next-token distribution, read in one forward pass."""
    device = model.tok_emb.weight.device
    logits, _ = model(torch.tensor([prompt_ids + answer], device=device))
    # the logits at position i predict token i + 1
    logits = logits[0, len(prompt_ids) - 1 : len(prompt_ids) - 1 + len(answer)].float().cpu()
    target = torch.tensor(answer)
    chosen = logits.gather(1, target[:, None])
    ranks = 1 + (logits > chosen + TIE_EPS).sum(1)
    top = torch.softmax(logits, -1).topk(3, dim=-1)
    out = []
    for t, rank, p, i in zip(answer, ranks.tolist(), top.values.tolist(), top.indices.tolist()):
        out.append(
            {
                "token": token_display(tok, t),
                "class": _class(rank),
                "base_rank": rank,
                "base_top": [[token_display(tok, j), round(q, 4)] for j, q in zip(i, p)],
            }
        )
    return out


def _class(rank: int) -> str:
    return "unshifted" if rank == 1 else "marginal" if rank <= 3 else "shifted"
