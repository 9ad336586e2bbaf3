"""Comparing runs from a terminal: `compare` (runs answer one prompt side by side, the answers
stored to be ranked), `shift` (what alignment changed, token by token), `leaderboard`
(Bradley–Terry strengths from the judgements in the preference store) and `eval` (held-out QA on
the demo world).

    lmdojo-cli compare WS --run A --run B --prompt TEXT [--greedy] [--temperature T] [--seed S] …
    lmdojo-cli shift WS --base A --aligned B [--prompts FILE] [--max-new-tokens 64] [--device auto]
    lmdojo-cli leaderboard WS [--judge NAME]
    lmdojo-cli eval WS --run A [--run B …] [--limit 200]
"""

from __future__ import annotations

from pathlib import Path

from engine.cli.common import device, emit, exit_code, run_job, seed_arg
from engine.errors import DojoError

DEMO_QA = 20  # held-out questions in the default prompt set, beside every held-out unsafe request


def cmd_compare(args) -> int:
    from engine.compare.arena import Column, Decoding, side_by_side
    from engine.config import build_config
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    dec = build_config(
        Decoding,
        None,
        {
            k: str(v)
            for k, v in (
                ("greedy", args.greedy),
                ("temperature", args.temperature),
                ("top_k", args.top_k),
                ("top_p", args.top_p),
                ("max_new_tokens", args.max_new_tokens),
                ("seed", args.seed),
            )
            if v is not None
        },
        toml_name="flags",
    )
    columns = [Column(run, dec.sampling(offset=k)) for k, run in enumerate(args.run)]
    messages = [{"role": "user", "content": args.prompt}]
    dev = device(args.device)
    fin = run_job(args, lambda control: side_by_side(ws, columns, messages, control, dev))
    r = fin.result | {"status": fin.status}
    width = max(len(a["run"]) for a in r["answers"])
    emit(
        args,
        r,
        "\n".join(f"{a['run']:<{width}}  {a['text']}" + ("" if a["ended"] else " …") for a in r["answers"])
        + f"\nstored as prompt {r['prompt_id']}: rank the answers in the app's Compare page",
    )
    return exit_code(fin.status)


def cmd_shift(args) -> int:
    from engine.compare.token_shift import token_shift
    from engine.data.sft_data import load_prompts
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if args.prompts:
        prompts = [p["messages"] for p in load_prompts(Path(args.prompts))]
    else:
        from engine.data.demo_questions import demo_prompts

        qa, unsafe = demo_prompts(ws, "heldout")
        prompts = qa[:DEMO_QA] + unsafe
    r = token_shift(ws, args.base, args.aligned, prompts, args.max_new_tokens, device(args.device))
    emit(
        args,
        r,
        f"{r['base']} → {r['aligned']}: unshifted {r['unshifted']:.1%}, marginal {r['marginal']:.1%}, "
        f"shifted {r['shifted']:.1%} ({r['positions']} answer tokens, {r['prompts']} prompts)",
    )
    return 0


def cmd_leaderboard(args) -> int:
    from engine.compare.leaderboard import leaderboard
    from engine.io.workspace import Workspace
    from engine.rlhf.prefs import PrefStore

    ws = Workspace.open(args.workspace)
    with PrefStore(ws.db_path) as prefs:
        r = leaderboard(prefs, judge=args.judge)
    emit(args, r, _table(r))
    return 0


def cmd_eval(args):
    from engine.compare.evaluate import evaluate_runs
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if not 0 <= args.pass_k <= 64:  # k answers a question are held in one batch
        raise DojoError(f"--pass-k must be 0 (off) to 64, got {args.pass_k}")
    import time

    from engine.cli.common import Printer
    from engine.events import Progress

    printer, start = Printer(getattr(args, "quiet", False)), time.monotonic()
    r = evaluate_runs(
        ws,
        args.run,
        args.limit,
        device(args.device),
        args.pass_k,
        args.split,
        progress=lambda done, total: printer(Progress.of(done, total, start, "answer")),
    ) | {"split": args.split}
    lines = []
    for x in r["runs"]:
        first = "–" if x["first_token_accuracy"] is None else f"{x['first_token_accuracy']:.1%}"
        lines.append(
            f"{x['run']}: QA accuracy {x['qa_accuracy']:.1%} exact ({x['qa_contains']:.1%} contain the "
            f"fact; first token right {first}), ends its answer {x['end_rate']:.1%}, "
            f"{x['mean_length']:.1f} tokens"
        )
        if x.get("choice_accuracy") is not None:
            lines.append(
                f"  the right value is its first choice among all the field's values {x['choice_accuracy']:.1%} "
                "(what it can read out from the question)"
            )
        if "pass_at_k" in x:
            lines.append(
                f"  sampled {x['pass_k']} answers a question: pass@1 {x['pass_at_1']:.1%}, "
                f"pass@{x['pass_k']} {x['pass_at_k']:.1%}"
            )
        mem = x.get("memorisation")
        if mem:
            lines.append(
                f"  memorised {mem['all']:.1%} of the facts in its training biographies "
                f"(first token, teacher-forced; {mem['facts']} facts)"
            )
    lines.append(f"chance (always the commonest value): {r['chance_by_field']['all']:.1%}")
    if r["runs"] and r["runs"][0]["examples"]:  # one question, each run's answer beside the world's truth
        ex = r["runs"][0]["examples"][0]
        lines.append(f"asked {ex['question']!r}; the world says: {ex['fact']}")
        width = max(len(x["run"]) for x in r["runs"])
        for x in r["runs"]:
            e = x["examples"][0]
            lines.append(f"  {x['run']:<{width}} says {e['answer']!r}  {'right' if e['right'] else 'wrong'}")
    emit(args, r, "\n".join(lines))
    return 0


def _table(r: dict) -> str:
    if not r["runs"]:
        return "no judgements between answers of two different runs yet"
    width = max(3, *(len(x["run"]) for x in r["runs"]))
    lines = [f"{'#':>2}  {'run':<{width}}  {'elo':>6}  {'95% CI':>13}  {'W-L-T':>9}  {'win rate':>8}  games"]
    for k, x in enumerate(r["runs"], 1):
        ci = f"{x['ci_low']:.0f}–{x['ci_high']:.0f}" if not x["needs"] else f"needs {x['needs']} more"
        wlt = f"{x['wins']}-{x['losses']}-{x['ties']}"
        lines.append(
            f"{k:>2}  {x['run']:<{width}}  {x['elo']:>6.0f}  {ci:>13}  {wlt:>9}  {x['win_rate']:>8.1%}  {x['games']}"
        )
    return "\n".join(lines + [f"{r['pairs']} pairs from {r['judgements']} judgements"])


def add_compare_parsers(add) -> None:
    s = add(
        "compare",
        cmd_compare,
        "Runs answer one prompt side by side; the answers go into the preference store, ready to rank.",
    )
    s.add_argument("--run", action="append", required=True, metavar="RUN", help="run or checkpoint (2 to 4, repeat)")
    s.add_argument("--prompt", required=True)
    s.add_argument("--greedy", action="store_true", default=None)
    s.add_argument("--temperature", type=float)
    s.add_argument("--top-k", type=int)
    s.add_argument("--top-p", type=float)
    s.add_argument("--max-new-tokens", type=int)
    s.add_argument("--seed", type=seed_arg, help="seed of the first run's answer; each further run adds one")
    s.add_argument("--device", default="auto")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")

    s = add(
        "shift",
        cmd_shift,
        "Token distribution shift (URIAL): where an aligned run's greedy answers leave its base run's top choices.",
    )
    s.add_argument("--base", required=True, help="the base run (or checkpoint folder), e.g. a pretraining run")
    s.add_argument("--aligned", required=True, help="the aligned run (or checkpoint folder), e.g. an SFT run")
    s.add_argument(
        "--prompts",
        help="a .txt file (one prompt per line) or a dataset (default: "
        f"{DEMO_QA} of the demo's held-out questions and its held-out unsafe requests)",
    )
    s.add_argument("--max-new-tokens", type=int, default=64)
    s.add_argument("--device", default="auto")

    s = add(
        "leaderboard",
        cmd_leaderboard,
        "Rank runs by the judgements of their answers (Bradley–Terry, Elo with bootstrap intervals).",
    )
    s.add_argument("--judge", help="only this judge's judgements (default: all)")

    s = add("eval", cmd_eval, "Held-out QA on the demo world: accuracy, end-of-turn rate, answer length.")
    s.add_argument("--run", action="append", required=True, metavar="RUN", help="run or checkpoint (repeatable)")
    s.add_argument("--limit", type=int, default=200, help="questions to ask")
    s.add_argument(
        "--pass-k",
        type=int,
        default=0,
        metavar="K",
        help="also sample K answers per question (temperature 1) and report pass@1 and pass@K",
    )
    s.add_argument(
        "--split",
        choices=("heldout", "practice", "train"),
        default="heldout",
        help="whose questions: heldout (people no training set asks about; the default), practice (the people "
        "GRPO and PPO practise on) or train (the SFT set's people)",
    )
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
    s.add_argument("--device", default="auto")
