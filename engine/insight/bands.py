"""Insight "bands": is this pretraining run on track? A reference band behind its loss curve.

The reference is a small scaling law L(N, D) = E + A·N^-α + B·D^-β (Hoffmann et al. 2022's form),
fitted to validation losses the workspace already has, with N the model's *total* parameters (the
tied embedding/output matrix included, as the Chinchilla lab counts them) and D the tokens seen
(steps × batch_size × grad_accum × block_size, as the training loop counts them). Where the points
come from, in order of preference:
* "workspace": every validation point (step > 0) of the other pretraining runs made with the
  workspace's current tokenizer, when there are at least two such runs;
* "chinchilla": the per-run final losses of the Chinchilla lab's reports (WS/labs/chinchilla-*),
  with the other runs' points. The lab trains on a scratch corpus with its own tokenizer, so its
  losses are carried over through bits per byte: loss and tokens are rescaled by the ratio of the
  two tokenizers' bytes per token (val/bpb ÷ val/loss of each);
* "self": the judged run's own first half, extrapolated to its second half.
The fit is a grid over α and β with non-negative least squares for E, A and B at each grid point
(relative residuals, so a loss of 6 does not outweigh one of 2); with one N only, L(D) = E + B·D^-β.
The band is the law's prediction at the judged run's N times exp(±sigmas·σ), σ the spread of the
fit's log-loss residuals, at least ±3% so that a perfect fit still shows a band.

    lmdojo-cli insight bands WS --json
    lmdojo-cli insight bands WS --set run=pretrain-… --set sigmas=3
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log

TITLE = "Reference band: is the pretraining loss on track?"

ABOUT = (
    "A shaded band of the validation loss a run like this one should reach after each number of tokens, "
    "from a small scaling law (loss = E + A/N^alpha + B/D^beta, N parameters, D tokens seen) fitted to the "
    "workspace's other pretraining runs with the same tokenizer, else to the Chinchilla lab's runs, else to "
    "the run's own first half. The band's width is the fit's own scatter (by default two standard "
    "deviations, at least 3%). Read the run's validation points against it: inside the band the run is on "
    "track; above it, learning more slowly than its peers (a learning rate too low or too high, too small a "
    "batch, a bug in the data); below it, ahead of them; a validation loss that rises again is diverging or "
    "over-fitting. Bits per byte, beside the loss, stay comparable across tokenizers. The band is only as "
    "good as the runs behind it: a few short runs give a rough guide, not a promise."
)

FIT_SOURCES = ("workspace", "chinchilla", "self")
VERDICTS = ("on_track", "too_slow", "ahead", "diverging", "not_enough_data")
GRID = np.round(np.arange(0.05, 1.5001, 0.05), 4)  # candidate α and β; tiny runs' early curves can be steep
FLOOR = 0.03  # the smallest relative half-width of the band
RISE_MARGIN = 0.05  # a last validation loss this much above the best so far: diverging
JUDGE_LAST = 2  # the last points that decide too_slow / ahead
MIN_POINTS = 3


@dataclass
class Config:
    run: str = knob("", "The pretraining run to judge (empty: the latest one with validation points).")
    sigmas: float = knob(
        2.0, "Half-width of the band, in standard deviations of the fit's log-loss residuals.", min=0.1, max=10.0
    )
    points: int = knob(50, "Points along the band.", min=2, max=5000)


# -- the numbers ---------------------------------------------------------------------------------


def _nnls(X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """min ‖X c − y‖² subject to c ≥ 0, for a few columns: the optimum is the unconstrained least
    squares on its own support, so trying every support and keeping the best feasible one is exact."""
    k = X.shape[1]
    best = (math.inf, np.zeros(k))
    for mask in range(1, 2**k):
        idx = [i for i in range(k) if mask >> i & 1]
        c, *_ = np.linalg.lstsq(X[:, idx], y, rcond=None)
        if (c < 0).any():
            continue
        r = y - X[:, idx] @ c
        sse = float(r @ r)
        if sse < best[0]:
            full = np.zeros(k)
            full[idx] = c
            best = (sse, full)
    return best


def predict(law: dict, n, d) -> np.ndarray:
    n, d = np.asarray(n, float), np.asarray(d, float)
    return law["E"] + law["A"] * n ** -law["alpha"] + law["B"] * d ** -law["beta"]


def fit_law(points) -> dict:
    """points: [(N, D, loss)] -> {E, A, alpha, B, beta, sigma, fit_points, one_n}. With one N only,
    A = alpha = 0 (L(D) = E + B·D^-β). sigma: the root mean square of log(loss / fitted), over the
    degrees of freedom left (at least one)."""
    a = np.asarray(points, float).reshape(-1, 3)
    a = a[np.isfinite(a).all(axis=1) & (a > 0).all(axis=1)]
    if len(a) < MIN_POINTS:
        raise ValueError(f"{len(a)} usable points; the fit needs at least {MIN_POINTS}")
    n, d, y = a.T
    one_n = bool(np.ptp(np.log(n)) < 1e-9)
    # Scaled N and D keep the columns near 1, so least squares is well conditioned at every exponent.
    n0, d0 = float(np.exp(np.log(n).mean())), float(np.exp(np.log(d).mean()))
    w = 1.0 / y  # relative residuals: close to residuals of log loss
    best = None

    def search(alphas, betas):
        nonlocal best
        for alpha in alphas:
            xn = (n / n0) ** -alpha
            for beta in betas:
                xd = (d / d0) ** -beta
                cols = [np.ones_like(y), xd] if one_n else [np.ones_like(y), xn, xd]
                sse, c = _nnls(np.column_stack(cols) * w[:, None], y * w)
                if best is None or sse < best[0]:
                    best = (sse, float(alpha), float(beta), c)

    search((0.0,) if one_n else GRID, GRID)
    # then a finer grid around the best: the coarse step alone leaves errors of about 1%
    fine = np.arange(-0.04, 0.0401, 0.01)
    a0, b0 = best[1], best[2]
    search((0.0,) if one_n else [a for a in a0 + fine if a > 0], [b for b in b0 + fine if b > 0])
    _, alpha, beta, c = best
    E, (A, B) = float(c[0]), ((0.0, float(c[1])) if one_n else (float(c[1]), float(c[2])))
    law = {"E": E, "A": A * n0**alpha, "alpha": alpha, "B": B * d0**beta, "beta": beta}
    fitted = predict(law, n, d)
    res = np.log(y / np.maximum(fitted, 1e-12))
    k = 3 if one_n else 5
    rms = math.sqrt(float(res @ res) / max(1, len(y) - k))
    # The median absolute residual (x1.4826: σ for normal residuals), so that one odd run among the
    # peers (a learning rate far off, a bug) does not widen everyone's band; never above the RMS.
    mad = 1.4826 * float(np.median(np.abs(res - np.median(res))))
    law["sigma"] = float(min(rms, mad)) if len(y) > k else rms
    law["fit_points"] = int(len(y))
    law["one_n"] = one_n
    return law


def band(law: dict, n: float, tokens, sigmas: float = 2.0, floor: float = FLOOR):
    """(low, mid, high) at `tokens` for a model of n parameters: mid·exp(∓h), h = max(sigmas·σ, log(1+floor))."""
    mid = predict(law, n, tokens)
    h = max(sigmas * law["sigma"], math.log1p(floor))
    return mid * math.exp(-h), mid, mid * math.exp(h)


def _at(band_: dict, key: str, t: float) -> float:
    """The band's `key` at t tokens (linear in log tokens; held flat beyond its ends)."""
    return float(np.interp(math.log(t), np.log(band_["tokens"]), band_[key]))


def inside(curve: dict, band_: dict | None) -> int:
    """How many of the curve's points lie within the band."""
    if not band_:
        return 0
    return sum(
        1
        for t, loss in zip(curve["tokens"], curve["loss"])
        if math.isfinite(loss) and _at(band_, "loss_low", t) <= loss <= _at(band_, "loss_high", t)
    )


def verdict(curve: dict, band_: dict | None, margin: float = RISE_MARGIN, last: int = JUDGE_LAST) -> tuple[str, str]:
    """curve {tokens, loss} (validation points in order), band {tokens, loss_low, loss_high} or None
    -> (one of VERDICTS, a one-line reason)."""
    tokens, loss = list(curve["tokens"]), [float(v) for v in curve["loss"]]
    if not loss:
        return "not_enough_data", "the run has no validation points after step 0 yet"
    for t, v in zip(tokens, loss):
        if not math.isfinite(v):
            return "diverging", f"the validation loss became {v} at {t:,.0f} tokens"
    if len(loss) > 1:
        best = min(loss[:-1])
        if loss[-1] > best * (1 + margin):
            return "diverging", (
                f"the validation loss rose to {loss[-1]:.3f} after reaching {best:.3f} "
                f"({loss[-1] / best - 1:.0%} above its best): diverging or over-fitting"
            )
    if not band_ or not band_.get("tokens"):
        return "not_enough_data", f"fewer than {MIN_POINTS} points to fit a reference band"
    judged = list(zip(tokens, loss))[-last:]
    lows = [_at(band_, "loss_low", t) for t, _ in judged]
    highs = [_at(band_, "loss_high", t) for t, _ in judged]
    t_end, l_end = judged[-1]
    where = f"{l_end:.3f} at {t_end:,.0f} tokens"
    if all(v > h for (_, v), h in zip(judged, highs)):
        return "too_slow", (
            f"the last {len(judged)} validation point(s) lie above the band: {where}, expected at most {highs[-1]:.3f}"
        )
    if all(v < lo for (_, v), lo in zip(judged, lows)):
        return "ahead", (
            f"the last {len(judged)} validation point(s) lie below the band: {where}, the band starts at {lows[-1]:.3f}"
        )
    return "on_track", f"{where}, within the band's {lows[-1]:.3f}–{highs[-1]:.3f}"


# -- the workspace's runs ------------------------------------------------------------------------


def _tokens_per_step(cfg: dict) -> int:
    return int(cfg.get("batch_size", 1)) * int(cfg.get("grad_accum", 1)) * int(cfg.get("block_size", 1))


def _vocab_and_hash(ws, run_id: str, vocab: int, tok_hash: str) -> tuple[int, str]:
    """The run's vocabulary and tokenizer from its latest checkpoint; the workspace's when it has none yet."""
    from engine import checkpoint as ckpt

    saved = ckpt.list_checkpoints(ws.run_dir(run_id) / "checkpoints")
    if not saved:
        return vocab, tok_hash
    meta = ckpt.read_meta(saved[-1])
    return int(meta.get("model_config", {}).get("vocab_size", vocab)), meta.get("tokenizer_hash", tok_hash)


def _params(cfg: dict, vocab: int, run_id: str) -> int:
    from engine.config import MODEL_PRESETS, PretrainConfig, build_config
    from engine.train.estimate import model_size
    from engine.train.pretrain import model_config

    try:
        pc = build_config(PretrainConfig, cfg, None, MODEL_PRESETS, f"run {run_id}'s saved config")
    except DojoError as e:
        raise DojoError(f"run {run_id}: its saved config does not load ({e})") from None
    return int(model_size(model_config(pc, vocab))["params"])


def _ratio(store, run_id: str) -> float | None:
    """bpb / loss of a run's validation (1 / (ln 2 · bytes per token)); None without val/bpb."""
    loss, bpb = dict(store.metrics(run_id, "val/loss")), dict(store.metrics(run_id, "val/bpb"))
    r = [bpb[s] / loss[s] for s in loss if s in bpb and loss[s] > 0]
    return float(np.median(r)) if r else None


def run_curves(ws) -> list[dict]:
    """Every pretraining run of the workspace: {run, params, tokens_per_step, tokens, steps, loss,
    ratio, planned_tokens, same_tokenizer, status, message}, oldest first."""
    from engine.io.store import Store
    from engine.tokenizer import load_tokenizer, tokenizer_hash

    if not ws.db_path.is_file():
        return []
    vocab = load_tokenizer(ws.tokenizer_path).get_vocab_size() if ws.tokenizer_path.is_file() else 0
    tok_hash = tokenizer_hash(ws.tokenizer_path) if ws.tokenizer_path.is_file() else ""
    out = []
    with Store(ws.db_path) as store:
        for r in store.runs("pretrain"):
            cfg = r["config"]
            run_vocab, run_hash = _vocab_and_hash(ws, r["id"], vocab, tok_hash)
            per_step = _tokens_per_step(cfg)
            val = [(s, v) for s, v in store.metrics(r["id"], "val/loss") if s > 0]
            out.append(
                {
                    "run": r["id"],
                    "params": _params(cfg, run_vocab, r["id"]) if run_vocab else 0,
                    "tokens_per_step": per_step,
                    "steps": [s for s, _ in val],
                    "tokens": [s * per_step for s, _ in val],
                    "loss": [v for _, v in val],
                    "ratio": _ratio(store, r["id"]),
                    "planned_tokens": int(cfg.get("max_steps") or 0) * per_step,
                    "same_tokenizer": run_hash == tok_hash and bool(tok_hash),
                    "status": r["status"],
                    "message": r["message"] or "",
                }
            )
    return out


def chinchilla_points(ws, ratio: float | None) -> tuple[list[tuple], list[str]]:
    """The Chinchilla lab's per-run final losses as (N, D, loss) in the judged run's tokenizer units
    (carried over by bits per byte), and a note per report that could not be used."""
    from engine.io.store import Store

    pts, notes = [], []
    for folder in sorted((ws.root / "labs").glob("chinchilla-*")):
        numbers, db = folder / "numbers.json", folder / "scratch" / "dojo.sqlite"
        if not numbers.is_file():
            continue
        if ratio is None or not db.is_file():
            notes.append(f"{folder.name}: skipped (needs bits per byte of both runs and {db.name})")
            continue
        try:
            rows = json.loads(numbers.read_text(encoding="utf-8")).get("runs", [])
        except ValueError as e:
            raise DojoError(f"{numbers} is damaged ({e})") from None
        with Store(db) as store:
            ratios = [x for x in (_ratio(store, r["id"]) for r in store.runs("pretrain")) if x]
        if not ratios:
            notes.append(f"{folder.name}: skipped (its scratch runs have no val/bpb)")
            continue
        # loss_here = bpb / ratio_here; tokens_here = bytes / bytes_per_token_here = D · ratio_here / ratio_lab
        k = float(np.median(ratios)) / ratio
        pts += [
            (float(r["params"]), float(r["tokens"]) / k, float(r["val_loss"]) * k)
            for r in rows
            if r.get("val_loss") is not None and r.get("tokens")
        ]
    return pts, notes


# -- the insight ---------------------------------------------------------------------------------


def _pick(curves: list[dict], name: str) -> dict:
    if name:
        for c in curves:
            if c["run"] == name:
                return c
        raise DojoError(
            f"no pretraining run {name!r} in this workspace; its pretraining runs: "
            f"{', '.join(c['run'] for c in curves) or 'none'}"
        )
    with_points = [c for c in curves if c["loss"]]
    if not with_points:
        raise DojoError("no pretraining run has a validation point after step 0 yet: train longer than eval_every")
    return with_points[-1]


def run(ws, opts: Config | None = None, control=None):
    opts = opts or Config()
    curves = run_curves(ws)
    if not curves:
        raise DojoError(f"no pretraining run in {ws.root}: run lmdojo-cli pretrain WS first")
    me = _pick(curves, opts.run)
    if not me["same_tokenizer"]:
        raise DojoError(f"run {me['run']} was trained with another tokenizer than the workspace's")
    yield Log(
        f"judging {me['run']}: {me['params']:,} parameters, {me['tokens_per_step']:,} tokens per step, "
        f"{len(me['loss'])} validation points"
    )

    others = [c for c in curves if c is not me and c["same_tokenizer"] and c["loss"] and c["params"]]
    peer_pts = [(c["params"], t, v) for c in others for t, v in zip(c["tokens"], c["loss"])]
    chin_pts, notes = ([], []) if len(others) >= 2 else chinchilla_points(ws, me["ratio"])
    for note in notes:
        yield Log(f"chinchilla report {note}", "warning")
    if len(others) >= 2 and len(peer_pts) >= MIN_POINTS:
        source, pts = "workspace", peer_pts
    elif chin_pts and len(chin_pts) + len(peer_pts) >= MIN_POINTS:
        source, pts = "chinchilla", chin_pts + peer_pts
    else:
        # The run's own first half: its second half is then judged against its own early trend.
        half = me["tokens"][-1] / 2 if me["tokens"] else 0
        source = "self"
        pts = [(me["params"], t, v) for t, v in zip(me["tokens"], me["loss"]) if t <= half]
    yield Log(
        f"reference: {source}, {len(pts)} points"
        + (f" from {len(others)} other run(s)" if source == "workspace" else "")
    )

    law, band_ = None, None
    end = max([me["planned_tokens"]] + me["tokens"][-1:])
    start = me["tokens"][0] if me["tokens"] else me["tokens_per_step"]
    if len(pts) >= MIN_POINTS and end > 0:
        law = fit_law(pts)
        tokens = np.unique(np.geomspace(start, max(end, start), opts.points))
        lo, mid, hi = band(law, me["params"], tokens, opts.sigmas)
        band_ = {"tokens": tokens.tolist(), "loss_low": lo.tolist(), "loss_mid": mid.tolist(), "loss_high": hi.tolist()}
    v, reason = verdict(me, band_)
    if v != "diverging" and me["status"] == "failed" and "diverged" in me["message"]:
        v, reason = "diverging", me["message"]  # the NaN steps are not in the metrics table: the run's end says so
    r = me["ratio"]
    tokens = band_["tokens"] if band_ else []
    result = {
        "run": me["run"],
        "params": me["params"],
        "source": source,
        "law": ({k: round(law[k], 6) for k in ("E", "A", "alpha", "B", "beta", "sigma")} if law else None),
        "fit_points": len(pts) if law else 0,
        "sigmas": opts.sigmas,
        "tokens_per_step": me["tokens_per_step"],
        "tokens": tokens,
        "steps": [t / me["tokens_per_step"] for t in tokens],
        **{f"loss_{k}": (band_[f"loss_{k}"] if band_ else []) for k in ("low", "mid", "high")},
        **{f"bpb_{k}": ([x * r for x in band_[f"loss_{k}"]] if band_ and r else None) for k in ("low", "mid", "high")},
        "val": {"steps": me["steps"], "tokens": me["tokens"], "loss": me["loss"]},
        "inside": inside(me, band_),
        "verdict": v,
        "reason": reason,
        "last": (
            {"tokens": me["tokens"][-1], "loss": me["loss"][-1], "bpb": me["loss"][-1] * r if r else None}
            if me["loss"]
            else None
        ),
    }
    yield Finished("done", result)


def summary(result: dict) -> str:
    lines = [
        f"run: {result['run']} ({result['params']:,} parameters)",
        f"reference: {result['source']}, {result['fit_points']} points",
    ]
    law = result["law"]
    if law:
        lines.append(
            f"law: loss = {law['E']:.3f} + {law['A']:.4g}·N^-{law['alpha']:.2f} + "
            f"{law['B']:.4g}·D^-{law['beta']:.2f}   (σ of log loss {law['sigma']:.3f})"
        )
        lines.append(f"validation points inside the band: {result['inside']} of {len(result['val']['loss'])}")
    lines.append(f"verdict: {result['verdict']}: {result['reason']}")
    return "\n".join(lines)
