"""The scaling-law arithmetic of the chinchilla lab (engine/labs/chinchilla.py), without training:
the parabola through an iso-FLOP sweep's losses and its minimum, and the planner that turns a
compute budget into compute-optimal parameters and tokens (C = 6·N·D)."""

from __future__ import annotations

import math

import numpy as np

CHINCHILLA_TOKENS_PER_PARAM = 20.0  # Hoffmann et al. (2022)'s optimum


def fit_minimum(params: list[float], losses: list[float]) -> dict:
    """Parabola of loss against log10(N); its vertex when it is a valley inside the sweep, else the
    best measured point. `interior`: the smallest measured loss is at neither end of the sweep."""
    x, y = np.log10(np.asarray(params, float)), np.asarray(losses, float)
    best = int(np.argmin(y))
    out = {
        "interior": 0 < best < len(y) - 1,
        "best_measured_params": float(params[best]),
        "params": float(params[best]),
        "loss": float(y[best]),
        "fitted": False,
    }
    if len(x) >= 3 and np.all(np.isfinite(y)):
        a, b, c = np.polyfit(x, y, 2)
        if a > 0:
            xv = -b / (2 * a)
            if x.min() <= xv <= x.max():
                out.update(params=float(10**xv), loss=float(a * xv * xv + b * xv + c), fitted=True)
    return out


def plan(
    flops: float | None = None,
    minutes: float | None = None,
    tokens_per_s: float | None = None,
    flops_per_s: float | None = None,
    tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM,
) -> dict:
    """A compute budget -> the compute-optimal params and tokens at `tokens_per_param` (C = 6·N·D, D = r·N).

    Give `flops`; or `minutes` and the machine's `flops_per_s`; or `minutes` and the `tokens_per_s`
    of a model of about the planned size (then the tokens are what that time buys, N = D / r)."""
    r = float(tokens_per_param)
    if r <= 0:
        raise ValueError("tokens_per_param must be positive")
    if flops is None:
        if minutes is None:
            raise ValueError("give flops, or minutes with flops_per_s or tokens_per_s")
        if flops_per_s:
            flops = minutes * 60 * flops_per_s
        elif tokens_per_s:
            tokens = minutes * 60 * tokens_per_s
            params = tokens / r
            return {"flops": 6 * params * tokens, "params": params, "tokens": tokens, "tokens_per_param": r}
        else:
            raise ValueError("with minutes, give flops_per_s or tokens_per_s")
    if flops <= 0:
        raise ValueError("flops must be positive")
    params = math.sqrt(flops / (6 * r))
    return {"flops": float(flops), "params": params, "tokens": r * params, "tokens_per_param": r}
