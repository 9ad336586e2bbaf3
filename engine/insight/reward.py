"""Insight "reward": can the reward model be trusted, and is the policy gaming it?

* accuracy over training: the reward run's `train/accuracy` and held-out `val/accuracy` by step;
* length bias: the reward model scores the answers of its held-out pairs (the same hash split as
  its training, from the run's own prefs/val_fraction/seed, over the pairs judged before the run
  began, so its accuracy here is the run's held-out accuracy); Pearson and Spearman correlation of
  reward with answer length in tokens; the length-only baseline (pick the longer answer, a coin
  on equal lengths) beside the RM's accuracy, and the share of unequal pairs where the RM prefers
  the longer one. LENGTH_RULE says when it is flagged "length-driven";
* position bias: among people's pair/ranking judgements that record their shown order (ties left
  out; a ranking counts as its pairs), how often the answer shown first (left) won, with a Wilson
  95% interval, flagged when the interval excludes 0.5;
* agreement: the same (prompt, answer pair) judged by ≥ 2 people ("human:<name>" judges): percent
  agreement and Cohen's kappa for two judges, Fleiss' kappa (with varying judges per item) for
  more; and the reward model against people: the share of human pairs where it scores the chosen
  answer higher (also for those it did not train on: held out, or judged after the run began);
* reward-hacking alarm: in a GRPO or PPO run's val/reward, val/kl, val/length, reward, KL and length
  all rising together over the trailing eval points (hacking_alarm states the thresholds); and for a
  run against a proxy judge (a reward model), the over-optimisation alarm: the proxy's reward rising
  while the gold (the demo's rules) falls from its peak (engine.insight.hacking).
Missing pieces (no human judgements, no policy run) give nulls with a reason.

Time: 0.25 s in run() (2.3 s for the whole CLI, most of it importing torch) with one thread on 2
shared CPU cores, for a 2-layer reward model scoring the demo world's 61 held-out pairs.

    lmdojo-cli insight reward WS --set pairs=200 --json
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log, Progress
from engine.insight.hacking import hacking_alarm, overoptimisation
from engine.insight.stats import cohen_kappa, fleiss_kappa, pearson, rounded, spearman, wilson
from engine.train import JUDGED_STAGES

TITLE = "Reward-model diagnostics"

ABOUT = (
    "Can the reward model be trusted, and is the policy gaming it? Accuracy over training: the share of "
    "held-out pairs where the reward model scores the chosen answer higher — it should climb well above 0.5 "
    "and stay there; a train accuracy far above it means memorised pairs. Length bias: reward against answer "
    "length; a strong correlation together with an accuracy no better than 'always pick the longer (or the "
    "shorter) answer' means it learned length, not quality. Position bias: how often the answer shown "
    "first (left) won in people's judgements; about 0.5 is fair, an interval away from 0.5 means the order swayed the judges. "
    "Agreement: how often two people judged the same pair alike (kappa corrects for chance: 0 is chance, 1 is "
    "perfect) and how often the reward model sides with people. The reward-hacking alarm fires when, in the "
    "latest GRPO run, reward, KL to the reference and answer length all rise together: the policy is likely "
    "padding answers to please the reward model rather than getting better."
)

LENGTH_RULE = (
    "length-driven when, in at least 75% of the held-out pairs of unequal length (10 or more), the RM "
    "prefers the same side (the longer, or the shorter, answer) and its accuracy beats that side's "
    "length-only baseline by less than 5 points"
)


@dataclass
class Config:
    run: str = knob("", "Reward run or checkpoint (empty: the latest reward run).")
    policy_run: str = knob(
        "", "GRPO run whose reward, KL and length the hacking alarm reads (empty: the latest GRPO run, if any)."
    )
    pairs: int = knob(200, "Most held-out pairs (and human pairs) to score (0 = all).", min=0)
    window: int = knob(6, "Trailing eval points the hacking alarm looks at.", min=3)
    batch_size: int = knob(16, "Answers scored per forward pass.", min=1)
    threads: int = knob(1, "CPU threads for PyTorch (0 = PyTorch's default).", min=0)
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")


# -- length bias ---------------------------------------------------------------------------------


def length_bias(pairs: list[dict]) -> dict:
    """pairs: {"chosen_reward", "rejected_reward", "chosen_len", "rejected_len", "key_c", "key_r"}
    (key_*: the answer's identity, so an answer in several pairs counts once in the correlations).
    length_baseline: the accuracy of "the longer answer is the chosen one" (a coin on equal lengths);
    1 − it is that of "the shorter one"."""
    n = len(pairs)
    points: dict = {}
    for p in pairs:
        points[p["key_c"]] = (p["chosen_len"], p["chosen_reward"])
        points[p["key_r"]] = (p["rejected_len"], p["rejected_reward"])
    lengths = [float(v[0]) for v in points.values()]
    rewards = [float(v[1]) for v in points.values()]
    unequal = [p for p in pairs if p["chosen_len"] != p["rejected_len"]]
    longer_chosen = sum(p["chosen_len"] > p["rejected_len"] for p in unequal)
    rm_longer = sum(
        (p["chosen_reward"] > p["rejected_reward"]) == (p["chosen_len"] > p["rejected_len"]) for p in unequal
    )
    acc = float(np.mean([p["chosen_reward"] > p["rejected_reward"] for p in pairs])) if n else None
    baseline = (longer_chosen + 0.5 * (n - len(unequal))) / n if n else None
    prefers_longer = rm_longer / len(unequal) if unequal else None
    driven = direction = None
    if prefers_longer is not None:
        # an RM can lean towards short answers as well (when the rejected ones ramble)
        direction = "longer" if prefers_longer >= 0.5 else "shorter"
    if len(unequal) >= 10:
        side, side_baseline = (
            (prefers_longer, baseline) if direction == "longer" else (1 - prefers_longer, 1 - baseline)
        )
        driven = bool(side >= 0.75 and acc < side_baseline + 0.05)
    r, rho = pearson(lengths, rewards), spearman(lengths, rewards)
    return {
        "pairs": n,
        "answers": len(points),
        "unequal_pairs": len(unequal),
        "pearson": rounded(r),
        "spearman": rounded(rho),
        "rm_accuracy": rounded(acc),
        "length_baseline": rounded(baseline),
        "rm_prefers_longer": rounded(prefers_longer),
        "direction": direction,
        "length_driven": driven,
        "rule": LENGTH_RULE,
        "lengths": lengths,
        "rewards": [round(v, 5) for v in rewards],
    }


# -- people --------------------------------------------------------------------------------------


def is_human(judge: str) -> bool:
    return str(judge).startswith("human:")


def position_bias(judgements: list[dict]) -> dict:
    """The first-shown answer's win rate among judgements (as PrefStore.list_judgements gives them)
    by people, of a pair or ranking, not tied, with a shown order; a ranking counts as its pairs."""
    wins = n = used = 0
    for j in judgements:
        if not is_human(j["judge"]) or j["kind"] not in ("pair", "ranking") or j["tie"] or not j.get("shown"):
            continue
        pos = {rid: k for k, rid in enumerate(j["shown"])}
        ranking = j["ranking"]
        if not all(r in pos for r in ranking):
            continue
        used += 1
        for a in range(len(ranking)):
            for b in range(a + 1, len(ranking)):
                n += 1
                wins += pos[ranking[a]] < pos[ranking[b]]  # the better one was shown first
    if n == 0:
        return {
            "judgements": 0,
            "n": 0,
            "first_wins": 0,
            "rate": None,
            "low": None,
            "high": None,
            "biased": None,
            "reason": "no judgement by a person records the order it was shown in yet (rank answers on "
            "the Compare page)",
        }
    low, high = wilson(wins, n)
    return {
        "judgements": used,
        "n": n,
        "first_wins": wins,
        "rate": round(wins / n, 4),
        "low": round(low, 4),
        "high": round(high, 4),
        "biased": not (low <= 0.5 <= high),
        "reason": None,
    }


def agreement(pairs: list[dict]) -> dict:
    """Between people: pairs as PrefStore.pairs(include_ties=True) gives them. An item is (prompt,
    the two answer texts); a judge's label is which text won, or a tie; their latest label counts."""
    labels: dict[tuple, dict[str, str]] = {}
    for p in pairs:
        if not is_human(p["judge"]):
            continue
        texts = tuple(sorted((p["chosen"], p["rejected"])))
        label = "tie" if p["tie"] else ("first" if p["chosen"] == texts[0] else "second")
        labels.setdefault((p["prompt_id"], texts), {})[p["judge"]] = label
    items = {k: v for k, v in labels.items() if len(v) >= 2}
    judges = sorted({j for v in items.values() for j in v})
    if not items:
        return {
            "items": 0,
            "judges": len({j for v in labels.values() for j in v}),
            "method": None,
            "percent": None,
            "kappa": None,
            "reason": "no answer pair has been judged by two or more people",
        }
    if len(judges) == 2:
        a = [v[judges[0]] for v in items.values()]
        b = [v[judges[1]] for v in items.values()]
        kappa, percent, method = cohen_kappa(a, b), float(np.mean([x == y for x, y in zip(a, b)])), "cohen"
    else:
        kappa, percent = fleiss_kappa([list(v.values()) for v in items.values()])
        method = "fleiss"
    return {
        "items": len(items),
        "judges": len(judges),
        "method": method,
        "percent": round(percent, 4),
        "kappa": rounded(kappa),
        "reason": None,
    }


# -- the insight ---------------------------------------------------------------------------------


def _limit(items: list, n: int) -> list:
    return items[:n] if n else items


def _policy_trace(ws, store, ref: str) -> tuple[str | None, dict | None, str | None]:
    """(run id, trace, reason it is missing)."""
    if ref:
        if store.run(ref) is None:
            raise DojoError(f"policy_run: no run {ref!r} in {ws.root}")
        run_id = ref
    else:
        runs = [r["id"] for s in JUDGED_STAGES for r in store.runs(s) if store.metrics(r["id"], "val/reward")]
        if not runs:
            return None, None, "no GRPO or PPO run yet: the alarm reads its val/reward, val/kl and val/length"
        run_id = max(runs, key=lambda r: store.run(r)["created"])
    trace = {k: store.metrics(run_id, f"val/{k}") for k in ("reward", "kl", "length", "gold")}
    if not trace["gold"]:  # only a run against a proxy judge has one
        del trace["gold"]
    if missing := [k for k, v in trace.items() if not v]:
        stage = store.run(run_id)["stage"]
        return run_id, None, f"{run_id} ({stage}) records no val/{', val/'.join(missing)} (GRPO runs record all three)"
    return run_id, trace, None


def _run_pairs(ws, prefs_file: str, created: float | None) -> list[dict]:
    """The pairs the reward run trained and held out on: its JSONL file, or the store's pairs judged
    before the run began (later judgements would shift its held-out set)."""
    from engine.rlhf.prefs import PrefStore
    from engine.train.prefdata import load_pairs

    if prefs_file or created is None:
        return load_pairs(ws, prefs_file)
    with PrefStore(ws.db_path) as store:
        when = {j["id"]: j["created"] for j in store.list_judgements(include_deleted=True)}
        pairs = [p for p in store.pairs() if when.get(p["judgement_id"], 0) <= created]
    return pairs or load_pairs(ws)


def run(ws, opts: Config, control=None):
    import torch

    from engine import checkpoint as ckpt
    from engine.io.store import Store
    from engine.labs.common import threads_set
    from engine.rlhf.prefs import PrefStore
    from engine.tokenizer import PAD, load_tokenizer, special_id, tokenizer_hash
    from engine.train.loop import resolve_device
    from engine.train.prefdata import PairData, encode_answer, held_out, pad_batch
    from engine.train.runs import latest_checkpoint

    t0 = time.monotonic()
    with Store(ws.db_path) as store:
        folder = latest_checkpoint(ws, store, "reward", opts.run, "reward diagnostics need a reward model")
        meta = ckpt.read_meta(folder)
        if meta.get("head") != "reward":
            raise DojoError(f"{opts.run or folder} is not a reward model (train one with lmdojo-cli reward WS)")
        run_id = meta.get("run_id", str(opts.run))
        info = store.run(run_id)
        cfg = (info or {}).get("config") or {}
        accuracy = {
            k: [[int(s), round(v, 5)] for s, v in store.metrics(run_id, f"{k}/accuracy")] for k in ("val", "train")
        }
        policy, trace, trace_reason = _policy_trace(ws, store, opts.policy_run)
    accuracy["final_val"] = accuracy["val"][-1][1] if accuracy["val"] else None
    yield Log(f"reward: {run_id} ({len(accuracy['val'])} held-out accuracy points)")

    device = resolve_device(opts.device)
    tok = load_tokenizer(ws.tokenizer_path)
    seed, val_fraction = int(cfg.get("seed", 0)), float(cfg.get("val_fraction", 0.2))
    with threads_set(opts.threads):
        model, _ = ckpt.load_gpt(folder, device, tokenizer_hash(ws.tokenizer_path))
        model.eval()
        block, pad = model.cfg.block_size, special_id(tok, PAD)

        @torch.no_grad()
        def rewards(encs: list) -> list[float]:
            out = []
            for i in range(0, len(encs), opts.batch_size):
                x, y, last = pad_batch(encs[i : i + opts.batch_size], pad, device)
                out += [float(v) for v in model.reward(x, last + 1, y)]
            return out

        def n_tokens(text: str) -> int:
            return len(tok.encode(text, add_special_tokens=False).ids)

        data = PairData(
            tok, _run_pairs(ws, cfg.get("prefs", ""), (info or {}).get("created")), block, val_fraction, seed
        )
        val = _limit(data.val, opts.pairs)
        yield Progress(0, 2, 0, 0.0, time.monotonic() - t0, None, unit="part")
        scores = rewards([c for _, c, _ in val] + [r for _, _, r in val])
        scored = [
            {
                "chosen_reward": scores[k],
                "rejected_reward": scores[len(val) + k],
                "chosen_len": n_tokens(p["chosen"]),
                "rejected_len": n_tokens(p["rejected"]),
                "key_c": (p["prompt"], p["chosen"]),
                "key_r": (p["prompt"], p["rejected"]),
            }
            for k, (p, _, _) in enumerate(val)
        ]
        length = length_bias(scored)
        yield Log(
            f"length bias: {length['pairs']} held-out pairs, Spearman {length['spearman']}, "
            f"RM accuracy {length['rm_accuracy']} vs length-only {length['length_baseline']}"
        )
        if control is not None and control.should_stop():
            yield Finished("cancelled", {})
            return
        yield Progress(1, 2, 1, 0.0, time.monotonic() - t0, None, unit="part")

        with PrefStore(ws.db_path) as prefs:
            position = position_bias(prefs.list_judgements())
            all_pairs = prefs.pairs(include_ties=True)
            when = {j["id"]: j["created"] for j in prefs.list_judgements(include_deleted=True)}
        agree = agreement(all_pairs)
        human = _limit([p for p in all_pairs if is_human(p["judge"]) and not p["tie"]], opts.pairs)
        rm_people = {
            "pairs": 0,
            "agreement": None,
            "heldout_pairs": None,
            "heldout_agreement": None,
            "reason": "no pair judged by a person yet (rank answers on the Compare page)",
        }
        encoded = []
        for p in human:
            msgs = p["messages"] or [{"role": "user", "content": p["prompt"]}]
            c, r = encode_answer(tok, msgs, p["chosen"], block), encode_answer(tok, msgs, p["rejected"], block)
            if c is not None and r is not None:
                encoded.append((p, c, r))
        if encoded:
            s = rewards([c for _, c, _ in encoded] + [r for _, _, r in encoded])
            wins = [s[k] > s[len(encoded) + k] for k in range(len(encoded))]
            rm_people = {
                "pairs": len(encoded),
                "agreement": round(float(np.mean(wins)), 4),
                "reason": None,
                "heldout_pairs": None,
                "heldout_agreement": None,
            }
            if not cfg.get("prefs"):  # trained on the store: held out, or judged after the run began
                started = (info or {}).get("created") or float("inf")
                held = [
                    w
                    for (p, _, _), w in zip(encoded, wins)
                    if held_out(p, seed, val_fraction) or when.get(p["judgement_id"], 0) > started
                ]
                rm_people |= {
                    "heldout_pairs": len(held),
                    "heldout_agreement": round(float(np.mean(held)), 4) if held else None,
                }
        elif human:
            rm_people["reason"] = "every human pair is too long for the reward model's context"

    alarm = {"run": policy, "fired": None, "reason": trace_reason, "trace": None}
    if trace is not None:
        alarm |= hacking_alarm(trace, opts.window)
        alarm["overoptimisation"] = (
            overoptimisation(trace["reward"], trace["gold"])
            if "gold" in trace
            else {"fired": None, "reason": "its judge has no gold beside it (only a run against a proxy judge has)"}
        )
        alarm |= {"run": policy, "trace": {k: [[int(s), round(v, 6)] for s, v in pts] for k, pts in trace.items()}}
    yield Progress(2, 2, 2, 0.0, time.monotonic() - t0, 0.0, unit="part")
    yield Finished(
        "done",
        {
            "run": run_id,
            "checkpoint": str(folder),
            "accuracy": accuracy,
            "length": length,
            "position": position,
            "agreement": agree,
            "rm_vs_people": rm_people,
            "alarm": alarm,
            "seconds": round(time.monotonic() - t0, 2),
        },
    )


def summary(result: dict) -> str:
    acc, ln, pos, ag, rp, al = (
        result[k] for k in ("accuracy", "length", "position", "agreement", "rm_vs_people", "alarm")
    )
    lines = [
        f"reward run {result['run']}: held-out accuracy {acc['final_val']} ({len(acc['val'])} points over training)",
        f"length: Spearman {ln['spearman']}, Pearson {ln['pearson']}; RM accuracy {ln['rm_accuracy']}, "
        f"longer-answer baseline {ln['length_baseline']}, RM prefers longer {ln['rm_prefers_longer']}"
        + (f"  LENGTH-DRIVEN (towards {ln['direction']} answers)" if ln["length_driven"] else ""),
        (
            f"position: first shown won {pos['rate']} [{pos['low']}, {pos['high']}] of {pos['n']}"
            + ("  BIASED" if pos["biased"] else "")
        )
        if pos["n"]
        else f"position: {pos['reason']}",
        (
            f"agreement ({ag['method']}): {ag['percent']} agree, kappa {ag['kappa']} on {ag['items']} items"
            if ag["items"]
            else f"agreement: {ag['reason']}"
        ),
        f"RM vs people: {rp['agreement']} of {rp['pairs']} pairs" if rp["pairs"] else f"RM vs people: {rp['reason']}",
        (f"REWARD HACKING ALARM: reward, KL and length rising together since step {al['from_step']} ({al['run']})")
        if al["fired"]
        else f"alarm: quiet ({al['reason']})",
        *(
            [
                f"OVER-OPTIMISATION: the proxy reward rises while the gold falls (gold peaked at step "
                f"{oo['gold_peak_step']}: {oo['gold_peak']}, now {oo['gold_end']})"
                if oo["fired"]
                else f"over-optimisation: no ({oo['reason']})"
            ]
            if (oo := al.get("overoptimisation"))
            else []
        ),
    ]
    return "\n".join(lines)
