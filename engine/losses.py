"""Loss functions shared by the stages: small, pure, and tested against their formulas."""
from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def lm_loss(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Mean next-token cross-entropy in nats over the positions whose target is not ignored."""
    return F.cross_entropy(
        logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=ignore_index
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
