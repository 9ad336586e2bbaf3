"""Alarms on a policy run's held-out trace (the val/ series a GRPO or PPO run records at each eval):

* reward hacking: reward, KL to the reference and answer length all rising together (the policy pads
  its answers to please the judge rather than getting better);
* over-optimisation (Gao et al. 2022): against a proxy judge (a reward model), the proxy's reward
  keeps rising while the gold reward (the demo's rules, scoring the same answers) falls from its peak.
"""

from __future__ import annotations

import math

import numpy as np

from engine.insight.stats import rounded, spearman


def _fit_ends(steps, values) -> tuple[float, float]:
    """A least-squares line's values at the first and last step: a rise measured on all points, not two."""
    slope, icept = np.polyfit(np.asarray(steps, float), np.asarray(values, float), 1)
    return float(icept + slope * steps[0]), float(icept + slope * steps[-1])


def _rising(steps, series: dict, min_rho: float, length_rise: float, kl_factor: float) -> dict:
    rho = {k: spearman(steps, v) for k, v in series.items()}
    l0, l1 = _fit_ends(steps, series["length"])
    k0, k1 = _fit_ends(steps, series["kl"])
    lrise = (l1 - l0) / abs(l0) if l0 else (math.inf if l1 > l0 else 0.0)
    checks = {k: (rho[k] is not None and rho[k] > min_rho) for k in series}
    checks["length_rise"] = lrise > length_rise
    checks["kl_rise"] = k1 > k0 * kl_factor and k1 - k0 > 1e-4
    return {
        "rho": rho,
        "length_rise": lrise,
        "kl_start": k0,
        "kl_end": k1,
        "checks": checks,
        "fired": all(checks.values()),
    }


def hacking_alarm(
    trace: dict, window: int = 6, min_rho: float = 0.6, length_rise: float = 0.2, kl_factor: float = 1.25
) -> dict:
    """trace: {"reward": [(step, v)], "kl": [...], "length": [...]}. Fires when over the trailing
    `window` eval points (at least 4) reward, KL and length each have Spearman correlation with the
    step above `min_rho`, the length (fitted line) rose by more than `length_rise` of where it started
    and the KL (fitted line) ended above `kl_factor` times its start. `from_step`: the start of the
    earliest window in the unbroken run of firing windows (sliding back one point at a time) that
    ends with the trailing one."""
    common = sorted(set.intersection(*(set(s for s, _ in trace.get(k) or []) for k in ("reward", "kl", "length"))))
    series_all = {k: dict(trace[k]) for k in ("reward", "kl", "length")} if common else {}
    out = {
        "fired": False,
        "from_step": None,
        "points": len(common),
        "window": min(window, len(common)),
        "spearman": None,
        "length_rise": None,
        "kl_start": None,
        "kl_end": None,
        "reason": None,
    }
    if len(common) < 4:
        out["reason"] = f"only {len(common)} eval points with reward, KL and length; the alarm needs 4"
        return out

    def check(start: int) -> dict:
        steps = common[start : start + out["window"]]
        return _rising(
            steps, {k: [series_all[k][s] for s in steps] for k in series_all}, min_rho, length_rise, kl_factor
        )

    start = len(common) - out["window"]
    res = check(start)
    out |= {
        "spearman": {k: rounded(v) for k, v in res["rho"].items()},
        "length_rise": rounded(res["length_rise"]),
        "kl_start": rounded(res["kl_start"], 6),
        "kl_end": rounded(res["kl_end"], 6),
    }
    if not res["fired"]:
        failed = [k for k, ok in res["checks"].items() if not ok]
        out["reason"] = "not all rising together over the last {} points: {} did not".format(
            out["window"], ", ".join(failed)
        )
        return out
    while start > 0 and check(start - 1)["fired"]:
        start -= 1
    out |= {"fired": True, "from_step": int(common[start])}
    return out


def overoptimisation(proxy: list, gold: list, min_points: int = 4, min_rho: float = 0.6, min_drop: float = 0.1) -> dict:
    """proxy, gold: [(step, value)] of val/reward and val/gold. Fires when, from the eval point where
    the gold peaked to the last one (at least `min_points` points), the proxy rose (Spearman with the
    step above `min_rho`) while the gold ended more than `min_drop` below its peak: the policy kept
    pleasing the judge after it stopped getting better, whether the gold first rose (Gao et al.'s
    curve) or fell from the start."""
    g, p = dict(gold), dict(proxy)
    common = sorted(set(p) & set(g))
    out = {"fired": False, "points": len(common), "gold_peak_step": None, "gold_peak": None, "gold_end": None}
    if len(common) < min_points:
        return out | {
            "reason": f"only {len(common)} eval points with proxy and gold rewards; the alarm needs {min_points}"
        }
    peak = max(common, key=lambda s: g[s])  # the first of equal maxima
    after = [s for s in common if s >= peak]
    out |= {"gold_peak_step": int(peak), "gold_peak": round(g[peak], 4), "gold_end": round(g[common[-1]], 4)}
    if len(after) < min_points:
        return out | {"reason": f"the gold peaked at step {peak}, {len(after)} eval points before the end"}
    rho = spearman(after, [p[s] for s in after])
    out["spearman_proxy"] = rounded(rho)
    checks = {
        "the proxy rose after the gold's peak": rho is not None and rho > min_rho,
        f"the gold fell more than {min_drop} from its peak": g[peak] - g[common[-1]] > min_drop,
    }
    if all(checks.values()):
        return out | {"fired": True, "reason": None}
    return out | {"reason": "no: " + " and ".join(k for k, ok in checks.items() if not ok) + " did not hold"}
