"""The statistics the insights share: rank and linear correlation, a proportion's interval,
agreement beyond chance."""

from __future__ import annotations

import math

import numpy as np


def _ranks(x) -> np.ndarray:
    """Ranks from 1, ties sharing their mean rank (as Spearman's rho wants)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    sx = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sx[j + 1] == sx[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(x, y) -> float | None:
    """Pearson's r; None with fewer than 3 points or a constant side (r is undefined)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def spearman(x, y) -> float | None:
    return pearson(_ranks(x), _ranks(y)) if len(x) >= 3 else None


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (95% for z = 1.96); sane at 0 and n, unlike k/n ± z·se."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def cohen_kappa(a: list, b: list) -> float | None:
    """Cohen's kappa of two raters' labels on the same items: (p_o − p_e) / (1 − p_e)."""
    if not a or len(a) != len(b):
        return None
    po = float(np.mean([x == y for x, y in zip(a, b)]))
    cats = set(a) | set(b)
    pe = sum((a.count(c) / len(a)) * (b.count(c) / len(b)) for c in cats)
    return None if pe == 1 else (po - pe) / (1 - pe)


def fleiss_kappa(items: list[list]) -> tuple[float | None, float]:
    """(Fleiss' kappa, mean pairwise agreement P̄) of items each rated by ≥ 2 raters; the number of
    raters may differ between items (P_i uses each item's own count)."""
    items = [r for r in items if len(r) >= 2]
    if not items:
        return None, 0.0
    cats = sorted({c for r in items for c in r}, key=str)
    p_items = []
    for r in items:
        n = len(r)
        p_items.append((sum(r.count(c) ** 2 for c in cats) - n) / (n * (n - 1)))
    total = sum(len(r) for r in items)
    pe = sum((sum(r.count(c) for r in items) / total) ** 2 for c in cats)
    pbar = float(np.mean(p_items))
    return (None if pe == 1 else (pbar - pe) / (1 - pe)), pbar


def rounded(x, n: int = 4):
    """x rounded to n places for a report; None for a missing or non-finite value."""
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else round(float(x), n)
