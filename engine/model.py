"""The Transformer, in one file.

A decoder-only GPT in the modern style: token embedding tied with the output head,
rotary position embeddings (RoPE), RMSNorm, SwiGLU feed-forward, causal attention through
`scaled_dot_product_attention` (flash/memory-efficient kernels where the device has them),
a KV cache for generation, and an optional mixture-of-experts feed-forward with top-k
routing and a Switch-Transformer load-balancing loss.

Every stage of LM Dojo trains this same model; only the data and the loss change.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

from engine.losses import IGNORE_INDEX, linear_cross_entropy, lm_loss, load_balancing_loss


def n_layers(n: int) -> str:
    """ "1 layer", "4 layers": the model's depth in a sentence."""
    return f"{n} layer" if n == 1 else f"{n} layers"


@dataclass
class GPTConfig:
    vocab_size: int = 4096
    block_size: int = 256  # longest context the model is trained on
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    mlp_ratio: float = 8 / 3  # SwiGLU hidden = ratio * n_embd (rounded up to a multiple of 32)
    n_experts: int = 0  # 0 = dense feed-forward; >= 2 = mixture of experts
    expert_top_k: int = 2
    rope_theta: float = 10000.0
    dropout: float = 0.0

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @property
    def mlp_hidden(self) -> int:
        return 32 * math.ceil(self.mlp_ratio * self.n_embd / 32)

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        if x.dtype == self.weight.dtype == torch.float32:
            return F.rms_norm(x, (x.size(-1),), self.weight, self.eps)  # same sums, fewer Python calls
        # Normalise in fp32: in bf16 the mean of squares loses too much precision.
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return xf.type_as(x) * self.weight


def rope_tables(head_dim: int, length: int, theta: float, device=None):
    """Rotary tables of shape (length, head_dim) for `apply_rope`: each frequency's cos twice
    (cos, cos) and its sin with the sign the rotation needs (−sin, sin)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))
    t = torch.arange(length, device=device).float()
    freqs = torch.outer(t, inv_freq)
    return torch.cat([freqs.cos()] * 2, -1), torch.cat([-freqs.sin(), freqs.sin()], -1)


def apply_rope(x, cos, sin):
    """Rotate each pair (x1, x2) of a head's two halves: (x1·cos − x2·sin, x2·cos + x1·sin).
    x (..., D); cos/sin from `rope_tables`, broadcastable to x."""
    d = x.shape[-1] // 2
    if cos.dtype != x.dtype:
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    return torch.addcmul(x * cos, torch.cat([x[..., d:], x[..., :d]], dim=-1), sin)


class KVCache:
    """Keys and values of every layer for the positions seen so far (batch of sequences)."""

    def __init__(self, cfg: GPTConfig, batch: int, max_len: int, device, dtype):
        shape = (batch, cfg.n_head, max_len, cfg.head_dim)
        self.k = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.n_layer)]
        self.v = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.n_layer)]
        self.max_len = max_len
        self.pos = 0  # number of positions filled (same for every layer)


class Attention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x, cos, sin, cache: KVCache | None = None, layer: int = 0):
        B, T, C = x.shape
        H, D = self.cfg.n_head, self.cfg.head_dim
        qkv = self.qkv(x).view(B, T, 3, H, D)
        # queries and keys rotate in one call (cos/sin come shaped (T, 1, 1, D)); each is (B, H, T, D)
        q, k = apply_rope(qkv[:, :, :2], cos, sin).permute(2, 0, 3, 1, 4)
        v = qkv[:, :, 2].transpose(1, 2)
        if cache is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            start = cache.pos
            cache.k[layer][:, :, start : start + T] = k
            cache.v[layer][:, :, start : start + T] = v
            k = cache.k[layer][:, :, : start + T]
            v = cache.v[layer][:, :, : start + T]
            if T == 1:  # one new token attends to everything before it: no mask needed
                y = F.scaled_dot_product_attention(q, k, v)
            else:  # a chunk after a prefix: query i sees keys 0 .. start+i
                mask = torch.ones(T, start + T, dtype=torch.bool, device=x.device).tril(diagonal=start)
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class SwiGLU(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.gate_up = nn.Linear(dim, 2 * hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class MoE(nn.Module):
    """Top-k routed mixture of SwiGLU experts (Switch Transformer / Mixtral style).

    Each token goes to its k highest-scoring experts, weighted by the renormalised router
    probabilities. The load-balancing loss pushes the router to spread tokens evenly.
    """

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_experts, self.top_k = cfg.n_experts, cfg.expert_top_k
        self.router = nn.Linear(cfg.n_embd, cfg.n_experts, bias=False)
        self.experts = nn.ModuleList(SwiGLU(cfg.n_embd, cfg.mlp_hidden) for _ in range(cfg.n_experts))

    def forward(self, x):
        B, T, C = x.shape
        flat = x.reshape(-1, C)
        probs = F.softmax(self.router(flat).float(), dim=-1)  # (N, E)
        weights, chosen = probs.topk(self.top_k, dim=-1)  # (N, k)
        weights = (weights / weights.sum(-1, keepdim=True)).to(x.dtype)
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            token_idx, slot = (chosen == e).nonzero(as_tuple=True)
            if token_idx.numel():
                out.index_add_(0, token_idx, expert(flat[token_idx]) * weights[token_idx, slot, None])
        aux = load_balancing_loss(probs, chosen, self.n_experts)
        return out.view(B, T, C), aux


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.norm1 = RMSNorm(cfg.n_embd)
        self.attn = Attention(cfg)
        self.norm2 = RMSNorm(cfg.n_embd)
        self.ffn = MoE(cfg) if cfg.n_experts else SwiGLU(cfg.n_embd, cfg.mlp_hidden)
        self.dropout = cfg.dropout

    def forward(self, x, cos, sin, cache=None, layer=0):
        a = self.attn(self.norm1(x), cos, sin, cache, layer)
        if self.dropout:  # skipped, not called, at 0: generation runs this per token
            a = F.dropout(a, self.dropout, self.training)
        x = x + a
        h = self.ffn(self.norm2(x))
        aux = None
        if isinstance(h, tuple):
            h, aux = h
        if self.dropout:
            h = F.dropout(h, self.dropout, self.training)
        return x + h, aux


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.norm = RMSNorm(cfg.n_embd)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # tied: one matrix reads and writes tokens
        # training may trade compute for memory: keep only each block's input, recompute the rest
        self.activation_checkpointing = False
        cos, sin = rope_tables(cfg.head_dim, cfg.block_size, cfg.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self._init_weights)
        # GPT-2's scaled init of the residual projections keeps the residual stream's
        # variance from growing with depth.
        for name, p in self.named_parameters():
            if name.endswith(("proj.weight", "down.weight")):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())  # the tied matrix counts once

    def forward(self, idx, cache: KVCache | None = None, last_only: bool = False, targets=None):
        """idx: (B, T) token ids -> (logits (B, T, V), MoE load-balancing loss or 0). With
        `last_only`, the logits of the last position only (B, 1, V): what generation reads. With
        `targets` (B, T), the mean next-token cross-entropy instead of the logits: what training
        calls, through the fused head + loss that never holds the (B, T, V) logits."""
        h, aux = self.hidden(idx, cache)
        if targets is not None:
            if type(self.lm_head) is nn.Linear:
                return linear_cross_entropy(h, self.lm_head.weight, targets), aux
            return lm_loss(self.lm_head(h), targets), aux  # a LoRA-wrapped head
        return self.head(h[:, -1:] if last_only else h), aux

    def head(self, h):
        """Hidden states (B, T, C) -> logits (B, T, V). With one position to read (generating
        one answer), a matrix-vector product: the (V, C) head through a matrix product for a
        single row costs several times more on a CPU (it repacks the whole matrix each token)."""
        if type(self.lm_head) is not nn.Linear:
            return self.lm_head(h)  # a LoRA-wrapped head
        B, T, C = h.shape
        w = self.lm_head.weight
        if B * T == 1 and h.dtype == w.dtype:
            return torch.mv(w, h.reshape(C)).view(1, 1, -1)
        return self.lm_head(h)

    def hidden(self, idx, cache: KVCache | None = None):
        """idx: (B, T) -> (the final normed hidden states (B, T, C), MoE loss or 0)."""
        B, T = idx.shape
        start = cache.pos if cache is not None else 0
        if start + T > self.cfg.block_size:
            raise ValueError(f"sequence of {start + T} tokens is longer than block_size={self.cfg.block_size}")
        cos, sin = self.rope_cos[start : start + T, None, None], self.rope_sin[start : start + T, None, None]
        x = self.tok_emb(idx)
        aux_total = x.new_zeros((), dtype=torch.float32)
        recompute = self.activation_checkpointing and cache is None and torch.is_grad_enabled()
        for i, block in enumerate(self.blocks):
            if recompute:
                x, aux = torch.utils.checkpoint.checkpoint(block, x, cos, sin, use_reentrant=False)
            else:
                x, aux = block(x, cos, sin, cache, i)
            if aux is not None:
                aux_total = aux_total + aux
        if cache is not None:
            cache.pos += T
        if self.cfg.n_experts:
            aux_total = aux_total / self.cfg.n_layer
        return self.norm(x), aux_total

    def new_cache(self, batch: int, max_len: int | None = None) -> KVCache:
        p = self.tok_emb.weight
        return KVCache(self.cfg, batch, max_len or self.cfg.block_size, p.device, p.dtype)

    @classmethod
    def from_gpt(cls, gpt: GPT, *args, **kwargs):
        """A `cls` (a GPT with another head) holding `gpt`'s weights, its own head fresh; `args` go to
        its constructor; another head `gpt` has (a PPO policy's value head) is left behind. A model
        that already is a `cls` is returned as is (a resumed run's)."""
        if isinstance(gpt, cls):
            return gpt
        model = cls(gpt.cfg, *args, **kwargs)
        mine = model.state_dict()
        missing, _ = model.load_state_dict({k: v for k, v in gpt.state_dict().items() if k in mine}, strict=False)
        assert set(missing) == set(mine) - set(gpt.state_dict()), missing
        return model


class RewardModel(GPT):
    """A GPT with a scalar head: the reward of a sequence is read at its last token (the answer's
    end-of-turn token), as in InstructGPT's reward model. The LM head is kept (tied).

    With `likelihood`, the reward also counts the model's own mean log-probability of the answer's
    tokens, times a learned weight that starts at 1: a small model that knows a fact *says* it (its
    next-token prediction) long before its last-token state can tell a wrong one from a right one
    (measured on the demo: see the README's RLHF section), so the reward starts from "what I would
    have said" and training learns how much that counts."""

    def __init__(self, cfg: GPTConfig, likelihood: bool = False):
        super().__init__(cfg)
        self.reward_head = nn.Linear(cfg.n_embd, 1)
        nn.init.zeros_(self.reward_head.weight)  # every answer starts at reward 0 (+ its likelihood)
        nn.init.zeros_(self.reward_head.bias)
        self.likelihood_weight = nn.Parameter(torch.ones(())) if likelihood else None

    def reward(self, idx: torch.Tensor, lengths: torch.Tensor, targets: torch.Tensor | None = None) -> torch.Tensor:
        """idx (B, T) right-padded, lengths (B,) -> rewards (B,) at each row's last real token.
        `targets` (B, T): the answer's tokens shifted (position t holds token t + 1), IGNORE_INDEX
        elsewhere — needed with `likelihood`, for the answer's mean log-probability."""
        h, _ = self.hidden(idx)
        rows = torch.arange(idx.size(0), device=idx.device)
        r = self.reward_head(h[rows, lengths - 1]).squeeze(-1).float()
        if self.likelihood_weight is None:
            return r
        if targets is None:
            raise ValueError("this reward model also reads the answer's likelihood: pass its targets")
        mask = targets != IGNORE_INDEX
        logp = torch.log_softmax(self.lm_head(h[mask]).float(), -1).gather(1, targets[mask][:, None])[:, 0]
        per_row = torch.zeros(idx.size(0), device=idx.device).index_add_(0, rows.repeat_interleave(mask.sum(1)), logp)
        return r + self.likelihood_weight * per_row / mask.sum(1).clamp(min=1)


class PolicyWithValue(GPT):
    """A chat model with a value head, for PPO: V(t), the return the policy expects after reading
    positions up to t, is read from the same final hidden states as the next token (one trunk, as
    in InstructGPT's PPO and TRL's value-head models). Generation and every other reader of the
    checkpoint use it as the plain GPT it is; the head starts at zero (every state worth 0)."""

    def __init__(self, cfg: GPTConfig):
        super().__init__(cfg)
        self.value_head = nn.Linear(cfg.n_embd, 1)
        nn.init.zeros_(self.value_head.weight)
        nn.init.zeros_(self.value_head.bias)

    def logits_and_values(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """idx (B, T) -> (logits (B, T, V), values (B, T) in fp32)."""
        h, _ = self.hidden(idx)
        return self.head(h), self.value_head(h).squeeze(-1).float()
