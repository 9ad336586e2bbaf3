"""The RLHF subcommands of lmdojo-cli: sample (answers to rank), reward, dpo, kto, grpo.

Wired into engine/cli.py with `add_rlhf_parsers(add, stage_args)`; the stages run through the same
`_run_stage` as SFT (config from --config / --set / flags, or --resume).
"""
from __future__ import annotations

from engine.cli import seed_arg, _drive, _emit, _Printer, _run_stage, _with_control
from engine.errors import DojoError


def cmd_reward(args):
    from engine.train import reward

    def human(r):
        by = ", ".join(f"{k} {v['accuracy']:.1%} of {v['pairs']}" for k, v in r.get("heldout_by_reason", {}).items())
        if r.get("heldout_accuracy") is None:
            return r.get("note") or "no held-out pairs"
        return f"held-out pair accuracy {r['heldout_accuracy']:.1%} ({r['heldout_pairs']} pairs)" + (f": {by}" if by else "")

    return _run_stage(args, reward, human)


def cmd_dpo(args):
    from engine.train import dpo

    return _run_stage(args, dpo, lambda r: r.get("note") or (
        f"held-out preference accuracy {r['heldout_pref_accuracy_before']:.1%} → "
        f"{r['heldout_pref_accuracy_after']:.1%}, KL to the reference {r['kl']:.4f}"))


def cmd_kto(args):
    from engine.train import kto

    return _run_stage(args, kto, lambda r: r.get("note") or (
        f"held-out reward margin (thumbs up − down) {r['heldout_margin_before']:.3f} → {r['heldout_margin_after']:.3f}"))


def cmd_grpo(args):
    from engine.train import grpo

    return _run_stage(args, grpo, lambda r: f"judge {r['judge']}: mean reward on held-out prompts "
                                            f"{r['reward_before']:.3f} → {r['reward_after']:.3f}, distinct answers "
                                            f"{r['distinct_ratio']:.0%}, KL {r['kl']:.4f}")


def cmd_sample(args):
    from engine.candidates import sample_candidates
    from engine.generate import SamplingConfig
    from engine.train.loop import resolve_device
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if args.n < 1 or args.max_new_tokens < 1 or args.limit < 0 or any(t < 0 for t in args.temperature or ()):
        raise DojoError("--n and --max-new-tokens must be >= 1, --limit and temperatures >= 0")
    sc = SamplingConfig(temperature=0.8, top_k=args.top_k, top_p=args.top_p, max_new_tokens=args.max_new_tokens)
    events = lambda control: sample_candidates(ws, args.run or "", args.prompts, args.n, sc,  # noqa: E731
                                               tuple(args.temperature or ()), args.limit, args.seed,
                                               resolve_device(args.device), control)
    fin = _with_control(lambda control: _drive(events(control), _Printer(args.quiet)))
    r = fin.result | {"status": fin.status}
    _emit(args, r, f"{fin.status}: {r['responses']} answers from {r['run']} to {r['prompts']} prompts, "
                   "stored in the preference store")
    return 0


def add_rlhf_parsers(add, stage_args) -> None:
    s = add("sample", cmd_sample, "Sample N answers per prompt from a run into the preference store, to rank.")
    s.add_argument("--run", help="run or checkpoint (default: the latest SFT run)")
    s.add_argument("--prompts", help="a .txt file (one prompt per line) or a dataset (default: the demo's "
                   "held-out questions and unsafe requests)")
    s.add_argument("--n", type=int, default=4, help="answers per prompt")
    s.add_argument("--temperature", type=float, action="append", help="temperature of answer i (repeat to cycle; "
                   "default 0.8 for all)")
    s.add_argument("--top-k", type=int, default=50)
    s.add_argument("--top-p", type=float, default=1.0)
    s.add_argument("--max-new-tokens", type=int, default=64)
    s.add_argument("--seed", type=seed_arg, default=0, help="answer i uses seed + i")
    s.add_argument("--limit", type=int, default=0, help="at most this many prompts (0 = all)")
    s.add_argument("--device", default="auto")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")

    start = "run or checkpoint to start from (default: latest SFT run)"
    for name, fn, text in (
            ("reward", cmd_reward, "Train a reward model on preference pairs (Bradley–Terry)."),
            ("dpo", cmd_dpo, "Direct preference optimisation of the SFT model against a frozen reference."),
            ("kto", cmd_kto, "KTO: learn from thumbs up / down (the store's thumbs, else its pairs split).")):
        s = add(name, fn, text)
        stage_args(s, start)
        s.add_argument("--prefs", help="pairs in a JSONL file (default: the workspace's preference store)")

    s = add("grpo", cmd_grpo, "Group-relative policy optimisation with a judge (rules, reward model, human, self).")
    stage_args(s, start)
    s.add_argument("--judge", help="rules, reward[:RUN], human or self[:RUN] (default: rules)")
