"""Loss functions shared by the stages: small, pure, and tested against their formulas."""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def lm_loss(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Mean next-token cross-entropy in nats over the positions whose target is not ignored."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=ignore_index)


def linear_cross_entropy(
    h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> torch.Tensor:
    """`lm_loss(h @ weight.T, targets)` without ever holding the (N, V) logits: rows go through in
    chunks of a few MB, and each chunk's gradients are computed right away from its softmax (the
    fused linear cross-entropy of Liger-Kernel). On a CPU the whole-batch logits are tens of MB that
    the allocator maps fresh every step and softmax, its backward and the one-hot gradient each sweep
    again; chunks stay in cache. h (..., C), weight (V, C), targets (...) -> mean loss in nats
    (0 when every target is ignored)."""
    return _LinearCrossEntropy.apply(h.reshape(-1, h.size(-1)), weight, targets.reshape(-1), ignore_index)


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h, weight, targets, ignore_index):
        device = h.device.type
        # under autocast the matmuls run in its dtype (as nn.Linear would); softmax always in fp32
        dtype = torch.get_autocast_dtype(device) if torch.is_autocast_enabled(device) else h.dtype
        need_h, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        valid_all = targets != ignore_index
        scale = 1.0 / valid_all.sum().clamp(min=1).float()
        rows = max(64, (1 << 21) // weight.size(0))  # about 8 MB of fp32 logits per chunk
        total = torch.zeros((), dtype=torch.float32, device=h.device)
        grad_h = torch.empty_like(h) if need_h else None
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=h.device) if need_w else None
        with torch.autocast(device, enabled=False):
            hh, ww = h.to(dtype), weight.to(dtype)
            for s in range(0, h.size(0), rows):
                hc, valid = hh[s : s + rows], valid_all[s : s + rows]
                t = targets[s : s + rows].clamp(min=0).unsqueeze(1)
                logits = (hc @ ww.t()).float()
                # log-sum-exp by hand, in place: one buffer, few sweeps (torch.logsumexp allocates)
                top = logits.amax(-1, keepdim=True)
                picked = logits.gather(1, t)
                exp = logits.sub_(top).exp_()
                sums = exp.sum(-1, keepdim=True)
                total += ((sums.log() + top - picked).squeeze(1) * valid).sum()
                if not (need_h or need_w):
                    continue
                # d loss / d logits = (softmax − one-hot) / n for rows whose target counts, else 0
                weight_row = (valid * scale).unsqueeze(1)
                g = exp.mul_(weight_row / sums)
                g.scatter_add_(1, t, -weight_row)
                g = g.to(dtype)
                if need_h:
                    grad_h[s : s + rows] = g @ ww
                if need_w:
                    if dtype == torch.float32:
                        grad_w.addmm_(g.t(), hc)
                    else:
                        grad_w += (g.t() @ hc).float()
        ctx.save_for_backward(grad_h, grad_w)
        ctx.w_dtype = weight.dtype
        return total * scale

    @staticmethod
    def backward(ctx, grad_out):
        grad_h, grad_w = ctx.saved_tensors
        return (
            grad_h * grad_out.to(grad_h.dtype) if grad_h is not None else None,
            (grad_w * grad_out).to(ctx.w_dtype) if grad_w is not None else None,
            None,
            None,
        )


def load_balancing_loss(router_probs: torch.Tensor, chosen: torch.Tensor, n_experts: int) -> torch.Tensor:
    """Switch Transformer auxiliary loss: E * sum_i f_i * P_i.

    f_i is the fraction of routing slots sent to expert i, P_i the mean router probability
    of expert i. It equals 1 when routing is perfectly uniform and grows as it collapses.
    router_probs: (N, E) softmax outputs; chosen: (N, k) expert indices.
    """
    counts = torch.zeros(n_experts, device=router_probs.device, dtype=router_probs.dtype)
    counts.scatter_add_(0, chosen.reshape(-1), torch.ones_like(chosen.reshape(-1), dtype=router_probs.dtype))
    f = counts / chosen.numel()
    p = router_probs.mean(dim=0)
    return n_experts * (f * p).sum()


# -- preference learning ----------------------------------------------------------------------
def sequence_logprobs(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Sum of log p(target) over each row's non-ignored positions: (B, T, V), (B, T) -> (B,)."""
    mask = targets != ignore_index
    return (token_logprobs(logits, targets.clamp(min=0)) * mask).sum(-1)


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    """Reward-model loss: -log σ(r_c − r_r), the negative log-likelihood that the chosen answer
    wins under the Bradley–Terry model (Ouyang et al. 2022, eq. 1)."""
    return -F.logsigmoid(r_chosen.float() - r_rejected.float()).mean()


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Direct Preference Optimization (Rafailov et al. 2023, eq. 7), from sequence log-probs:

        L = −log σ( β·[(log π(y_c|x) − log π_ref(y_c|x)) − (log π(y_r|x) − log π_ref(y_r|x))] )

    Returns (mean loss, implicit reward of chosen, of rejected): r = β·(log π − log π_ref), detached.
    """
    chosen = policy_chosen.float() - ref_chosen.float()
    rejected = policy_rejected.float() - ref_rejected.float()
    loss = -F.logsigmoid(beta * (chosen - rejected)).mean()
    return loss, (beta * chosen).detach(), (beta * rejected).detach()


def kto_loss(
    policy: torch.Tensor,
    ref: torch.Tensor,
    desirable: torch.Tensor,
    kl_ref: torch.Tensor,
    beta: float,
    weight_desirable: float = 1.0,
    weight_undesirable: float = 1.0,
) -> torch.Tensor:
    """Kahneman–Tversky Optimization (Ethayarajh et al. 2024, eq. 8) for thumbs up / down:
    with r = log π(y|x) − log π_ref(y|x) and z0 the (detached, ≥ 0) KL reference point,

        desirable:   λ_D · (1 − σ(β·(r − z0)))      undesirable:   λ_U · (1 − σ(β·(z0 − r)))
    """
    r = policy.float() - ref.float()
    z0 = kl_ref.detach().float().clamp(min=0)
    up = weight_desirable * (1 - torch.sigmoid(beta * (r - z0)))
    down = weight_undesirable * (1 - torch.sigmoid(beta * (z0 - r)))
    return torch.where(desirable.bool(), up, down).mean()


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4, scale: bool = True) -> torch.Tensor:
    """GRPO's advantages (Shao et al. 2024): each answer's reward minus its group's mean, divided by
    the group's standard deviation. rewards (G, n) -> (G, n); a group whose answers all score the
    same gets zero advantage (it teaches nothing). `scale=False` is Dr. GRPO's (Liu et al. 2025,
    arXiv 2503.20783): r − mean only, so a group that barely differs does not count as much as one
    that differs a lot (dividing by a small std inflates it)."""
    centred = rewards - rewards.mean(dim=1, keepdim=True)
    return centred / (rewards.std(dim=1, keepdim=True, unbiased=False) + eps) if scale else centred


def uniform_groups(rewards: torch.Tensor) -> torch.Tensor:
    """(G,) bool: the groups whose answers all got the same reward. Their advantages are all zero,
    so they give no policy gradient; kept in a batch they only dilute its mean (and, with a KL
    penalty, pull towards the reference for nothing). Their share says how much of a step was wasted."""
    return (rewards == rewards[:, :1]).all(dim=1)


def grpo_loss(
    logps: torch.Tensor,
    old_logps: torch.Tensor,
    ref_logps: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps: float = 0.2,
    beta: float = 0.04,
    norm_tokens: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Group Relative Policy Optimization's per-token objective (Shao et al. 2024, eq. 3), negated:

        ratio = π/π_old;  surrogate = min(ratio·A, clip(ratio, 1−ε, 1+ε)·A)
        KL(π‖π_ref) ≈ π_ref/π − log(π_ref/π) − 1   (the unbiased "k3" estimator)
        L = −mean over answers of mean over their tokens of (surrogate − β·KL)

    With `norm_tokens` (Dr. GRPO), each answer's token sum is divided by that constant instead of
    its own length, so a long wrong answer is not penalised less per token than a short one.
    logps, old_logps, ref_logps, mask: (B, T) per-token log-probs of the sampled tokens;
    advantages: (B,). Returns (loss, mean per-token KL, detached)."""
    mask = mask.float()
    ratio = torch.exp(logps - old_logps)
    adv = advantages.unsqueeze(-1)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio_ref = ref_logps - logps
    kl = torch.exp(log_ratio_ref) - log_ratio_ref - 1
    per_token = surrogate - beta * kl
    lengths = mask.sum(-1).clamp(min=1) if norm_tokens is None else float(norm_tokens)
    loss = -((per_token * mask).sum(-1) / lengths).mean()
    return loss, ((kl * mask).sum() / mask.sum().clamp(min=1)).detach()


def gae(
    rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0, lam: float = 0.95
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation (Schulman et al. 2016) over each row's action tokens:

        δ_t = r_t + γ·V_{t+1} − V_t;   A_t = δ_t + γλ·A_{t+1};   returns R_t = A_t + V_t

    where V after a row's last action token is 0 (the answer has ended). rewards, values, mask:
    (B, T); mask marks the action positions (a contiguous run per row). Returns (advantages,
    returns), both 0 outside the mask and detached."""
    rewards, values, mask = rewards.detach().float(), values.detach().float(), mask.float()
    adv = torch.zeros_like(rewards)
    next_adv = torch.zeros(rewards.size(0), device=rewards.device)
    next_value = torch.zeros_like(next_adv)
    for t in reversed(range(rewards.size(1))):
        m = mask[:, t]
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        adv[:, t] = (delta + gamma * lam * next_adv) * m
        # outside the answer nothing carries over: the step before the first action starts afresh
        next_adv, next_value = adv[:, t], values[:, t] * m
    return adv, (adv + values) * mask


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """x with mean 0 and std 1 over its masked positions (0 elsewhere): PPO's advantage normalisation."""
    mask = mask.float()
    n = mask.sum().clamp(min=1)
    mean = (x * mask).sum() / n
    var = (((x - mean) * mask) ** 2).sum() / n
    return (x - mean) * torch.rsqrt(var + eps) * mask


def ppo_policy_loss(
    logps: torch.Tensor, old_logps: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor, clip_eps: float = 0.2
) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate (Schulman et al. 2017, eq. 7), negated, per action token:

        L = −mean over action tokens of min(ratio·A, clip(ratio, 1−ε, 1+ε)·A),   ratio = π/π_old

    All (B, T). Returns (loss, share of tokens whose ratio was clipped, detached)."""
    mask = mask.float()
    n = mask.sum().clamp(min=1)
    ratio = torch.exp(logps - old_logps)
    surrogate = torch.minimum(ratio * advantages, ratio.clamp(1 - clip_eps, 1 + clip_eps) * advantages)
    clipped = ((ratio - 1).abs() > clip_eps).float()
    return -(surrogate * mask).sum() / n, ((clipped * mask).sum() / n).detach()


def ppo_value_loss(
    values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor, clip: float = 0.2
) -> torch.Tensor:
    """PPO's clipped value loss (as in OpenAI's baselines and InstructGPT's PPO): the value may move at
    most `clip` from the one the rollout saw, and the worse of the clipped and unclipped errors counts:

        L = ½ · mean over action tokens of max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²)"""
    mask = mask.float()
    clipped = old_values + (values - old_values).clamp(-clip, clip)
    err = torch.maximum((values - returns) ** 2, (clipped - returns) ** 2)
    return 0.5 * (err * mask).sum() / mask.sum().clamp(min=1)


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """log p(target) at every position: (B, T, V), (B, T) -> (B, T) (targets must be valid ids)."""
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
