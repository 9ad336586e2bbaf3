"""The knowledge lab's report (engine/labs/knowledge.py): the accuracy, memorisation and curve plots,
the per-fact tables, example answers and the comparison with the paper, and the numbers it returns."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

from engine.labs.report import Report

KEYS = {"1": "1_version", "K": "k_versions", "mixed": "mixed"}  # the numbers' suffixes


def _params(cfg) -> int:
    """About how many weights the model has: blocks (attention + MLP) and the tied embedding."""
    return 12 * cfg.n_layer * cfg.n_embd**2 + cfg.vocab_size * cfg.n_embd


def _size(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _smooth(points: list[tuple[int, float]], n: int = 60) -> tuple[list, list]:
    """At most n points: means over equal runs of steps."""
    if not points:
        return [], []
    size = max(1, len(points) // n)
    xs, ys = [], []
    for i in range(0, len(points), size):
        chunk = points[i : i + size]
        xs.append(chunk[-1][0])
        ys.append(sum(v for _, v in chunk) / len(chunk))
    return xs, ys


def write_report(
    rep: Report,
    about: str,
    cfg,
    results: dict,
    curves: dict,
    chance: dict,
    heldout: list,
    curve_qs: list,
    train_qs: list,
    same: dict,
    phases: dict,
    seconds: float,
) -> dict:
    K = cfg.versions
    labels = {arm: r["label"].replace("K versions", f"{K} versions") for arm, r in results.items()}
    acc = {arm: r["accuracy"] for arm, r in results.items()}
    mem = {arm: r["memorisation"]["all"] for arm, r in results.items()}
    rep.text(about)
    rep.text("## Result")
    rep.plot(
        "accuracy",
        {
            "held-out QA accuracy (exact)": (
                [labels[a] for a in results] + ["chance"],
                [acc[a] for a in results] + [chance["all"]],
            )
        },
        xlabel="pretraining corpus",
        ylabel="share of right answers",
        title=f"Questions about {len(heldout)} held-out facts",
        kind="bar",
    )
    gap = acc["K"] - acc["1"]
    rep.text(
        f"Held-out QA accuracy (the answer's value exactly right): **{_pct(acc['1'])}** with one biography per "
        f"person, **{_pct(acc['K'])}** with {K} varied ones (a gap of {100 * gap:.1f} points), "
        f"**{_pct(acc['mixed'])}** with one biography and mixed training; always answering a field's "
        f"commonest value scores {_pct(chance['all'])}."
    )
    rep.text("### What each arm stored and what it can say")
    rows = []
    for arm, r in results.items():
        m = r["memorisation"]
        rows.append(
            [
                labels[arm],
                _pct(m["all"]),
                _pct((m.get("by_split") or {}).get("heldout")),
                _pct(r["accuracy"]),
                _pct(r["contains"]),
                _pct(r["first_token"]),
                _pct(r["train_accuracy"]),
            ]
        )
    rep.table(
        [
            "arm",
            "memorised (all)",
            "memorised (held-out people)",
            "held-out QA (exact)",
            "held-out QA (contains)",
            "held-out first token",
            f"QA on fine-tuning people ({len(train_qs)})",
        ],
        rows,
    )
    rep.text(
        "*Memorised*: the share of facts in the arm's own training biographies whose value's first token the "
        "pretrained model predicts from the text before it (teacher-forced). *First token*: the same after the "
        'question and the answer\'s opening ("She was born in"), after fine-tuning. A fact memorised but '
        "not reachable from a question is what the one-biography arm shows."
    )
    rep.plot(
        "curve",
        {labels[a]: ([s for s, _ in r["curve"]], [v for _, v in r["curve"]]) for a, r in results.items()},
        xlabel="QA fine-tuning step",
        ylabel="held-out accuracy (exact)",
        title=f"Held-out accuracy while fine-tuning ({len(curve_qs)} questions; end: all {len(heldout)})",
    )
    rep.text(
        "Step 0 is the pretrained model asked through the chat template: only the mixed arm has seen that "
        "format before fine-tuning."
    )
    fields = sorted({f for r in results.values() for f in r["by_field"]})
    rep.text("### Per fact")
    rep.table(
        ["fact", "questions", "chance"] + [labels[a] for a in results],
        [
            [f, sum(q["field"] == f for q in heldout), _pct(chance.get(f, 0.0))]
            + [_pct(r["by_field"].get(f)) for r in results.values()]
            for f in fields
        ],
    )
    rep.text(
        "'chance' always answers the value most common among the fine-tuning people: a fact with "
        "few possible values (a city, a school) scores above zero by guessing; a birthday does not."
    )

    rep.text("## Training")
    series = {}
    for arm, r in results.items():
        xs, ys = _smooth(curves[arm].get("train/loss", []))
        if xs:
            series[labels[arm]] = (xs, ys)
    if series:
        rep.plot("pretraining", series, xlabel="step", ylabel="training loss", logy=True, title="Pretraining loss")
    rep.table(
        [
            "arm",
            "biographies",
            "tokens per pass",
            "pretraining tokens",
            "passes",
            "final train loss",
            "val loss (stories)",
            "SFT val loss",
        ],
        [
            [
                labels[a],
                r["bios"],
                r["corpus_tokens"],
                r["tokens"],
                round((r["tokens"] or 0) / max(1, r["corpus_tokens"]), 1),
                r["pretrain_train_loss"],
                r["pretrain_val_loss"],
                r["sft_val_loss"],
            ]
            for a, r in results.items()
        ],
    )
    rep.text(
        f"Every arm: the same model ({cfg.n_layer} layers × {cfg.n_embd} wide, ~{_size(_params(cfg))} weights, "
        f"{cfg.block_size}-token context), {cfg.pretrain_steps} pretraining steps of {cfg.batch_size} sequences, "
        f"{cfg.sft_steps} QA fine-tuning steps (lr {cfg.sft_lr:g}) on the same file, the same {len(heldout)} "
        f"held-out questions (QA files identical in both corpora: {all(same.values())}). With one biography "
        f"each is read {K}× as often, so every arm gets the same number of tokens; the mixed arm spends "
        f"{cfg.mix_qa:.0%} of them on QA."
    )

    if cfg.examples:
        rep.text("## Example answers (held-out people)")
        picks = random.Random(cfg.seed).sample(range(len(heldout)), min(cfg.examples, len(heldout)))
        rows = []
        for i in picks:
            q = results["1"]["answers"][i][0]
            rows.append(
                [q["messages"][-1]["content"], q["fact"]]
                + [
                    ("✓ " if r["answers"][i][2] else "✗ ") + " ".join(r["answers"][i][1].split()).replace("|", "/")
                    for r in results.values()
                ]
            )
        rep.table(["question", "fact"] + [labels[a] for a in results], rows)

    rep.text("## Compared with the paper")
    if gap >= 0.3:
        verdict = f"The paper's gap reproduces: {K} varied biographies make the same memorised facts extractable."
    elif gap > 0:
        verdict = "The direction holds, but the gap is smaller than the paper's."
    else:
        verdict = "The direction did not reproduce in this run."
    rep.text(
        f"Allen-Zhu & Li report ~10% held-out QA accuracy with one biography per person (bioS single), "
        f"~96% with five varied, permuted ones (multi5 + permute) and ~87% with mixed training, on "
        f"100M-parameter models and 100,000 people. Here: {_pct(acc['1'])}, {_pct(acc['K'])} and "
        f"{_pct(acc['mixed'])} with ~{_size(_params(cfg))} weights and {cfg.people} people. {verdict} "
        f"Differences in setup: answers here state the fact in a sentence that opens with a pronoun "
        f'("She was born in …"), the paper\'s give the bare value; facts with few possible values score '
        f"above zero by guessing (compare with the chance column)."
    )
    rep.text("### Time\n" + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()) + f"; total {seconds:.0f} s.")
    rep.text("### Settings\n```\n" + "\n".join(f"{k} = {v!r}" for k, v in asdict(cfg).items()) + "\n```")

    rows = [
        {
            "question": items[0][0]["messages"][-1]["content"],
            "field": items[0][0]["field"],
            "person": items[0][0]["person"],
            "fact": items[0][0]["fact"],
            **{f"answer_{KEYS[a]}": it[1] for a, it in zip(results, items)},
            **{f"right_{KEYS[a]}": it[2] for a, it in zip(results, items)},
        }
        for items in zip(*(r["answers"] for r in results.values()))
    ]
    (rep.folder / "answers.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    rep.text("Every held-out answer of the three arms: [answers.jsonl](answers.jsonl).")

    numbers = {
        "versions": K,
        "questions": len(heldout),
        "chance": chance["all"],
        "gap": round(gap, 4),
        "seconds": round(seconds, 1),
        "phases_s": {k: round(v, 1) for k, v in phases.items()},
    }
    for arm, r in results.items():
        s = KEYS[arm]
        numbers.update(
            {
                f"accuracy_{s}": r["accuracy"],
                f"memorisation_{s}": mem[arm],
                f"memorisation_heldout_people_{s}": (r["memorisation"].get("by_split") or {}).get("heldout"),
                f"contains_{s}": r["contains"],
                f"first_token_{s}": r["first_token"],
                f"train_accuracy_{s}": r["train_accuracy"],
                f"by_field_{s}": r["by_field"],
                f"curve_{s}": r["curve"],
                f"pretrain_final_loss_{s}": r["pretrain_train_loss"],
            }
        )
    path = rep.write(numbers)
    return {"report": str(path), **numbers}
