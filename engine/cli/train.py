"""The training verbs of lmdojo-cli, one per stage of engine.train.STAGES (pretrain, sft, reward,
dpo, kto, grpo, ppo), and `distill` (a teacher's answers as an SFT set).

    lmdojo-cli STAGE WS [--config F] [--set k=v …] [--from RUN] [--device D] [--resume [RUN]] [--json]

Every stage takes its config from --config / --set / its flags, or continues a run with --resume
(its saved config; --set changes its budget).
"""

from __future__ import annotations

from engine.cli.common import config_args, device, emit, exit_code, finite, run_job, seed_arg
from engine.errors import DojoError
from engine.train import JUDGED_STAGES, STAGES

# flags that become config keys (sets) when given
_FLAG_KEYS = ("preset", "base", "data", "device", "prefs", "judge")


def _reward_summary(r: dict) -> str:
    by = ", ".join(f"{k} {v['accuracy']:.1%} of {v['pairs']}" for k, v in r.get("heldout_by_reason", {}).items())
    if r.get("heldout_accuracy") is None:
        return r.get("note") or "no held-out pairs"
    return f"held-out pair accuracy {r['heldout_accuracy']:.1%} ({r['heldout_pairs']} pairs)" + (
        f": {by}" if by else ""
    )


def _pretrain_summary(r: dict) -> str:
    vl = r.get("val_loss")
    return f"{r['tokens']:,} tokens, {r['tokens_per_s']:,.0f} tok/s, " + (
        f"val loss {vl:.4f}" if vl is not None else "no val loss"
    )


_RUN_OF = {"pretrain": "pretraining", "sft": "SFT"}

# one human line per stage, after "STATUS: run RUN, N steps, "
SUMMARIES = {
    "pretrain": _pretrain_summary,
    "sft": lambda r: f"val loss {r.get('val_loss')}",
    "reward": _reward_summary,
    "dpo": lambda r: (
        r.get("note")
        or (
            f"held-out preference accuracy {r['heldout_pref_accuracy_before']:.1%} → "
            f"{r['heldout_pref_accuracy_after']:.1%}, KL to the reference {r['kl']:.4f}"
        )
    ),
    "kto": lambda r: (
        r.get("note")
        or (
            f"held-out reward margin (thumbs up − down) {r['heldout_margin_before']:.3f} → {r['heldout_margin_after']:.3f}"
        )
    ),
}
for _stage in JUDGED_STAGES:  # grpo, ppo
    SUMMARIES[_stage] = lambda r: (
        f"judge {r['judge']}: mean reward on held-out prompts {r['reward_before']:.3f} → "
        f"{r['reward_after']:.3f}, distinct answers {r['distinct_ratio']:.0%}, KL {r['kl']:.4f}"
    )


def cmd_stage(args) -> int:
    """Any training stage: config from --config / --set / flags, or --resume."""
    from engine.config import parse_sets, read_toml
    from engine.io.workspace import Workspace

    stage = STAGES[args.command]
    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    for key in _FLAG_KEYS:
        if getattr(args, key, None) is not None:
            sets[key] = getattr(args, key)
    if getattr(args, "lora", False):
        sets["lora"] = "true"
    if args.resume is not None:
        if args.config:
            raise DojoError("--resume continues a run with its saved config; use --set to change its budget")
        events = lambda control: stage.module.run(ws, None, control, resume=args.resume, overrides=sets)  # noqa: E731
    else:
        cfg = stage.module.make_config(
            read_toml(args.config) if args.config else None, sets, args.config or "config file"
        )
        events = lambda control: stage.module.run(ws, cfg, control)  # noqa: E731
    fin = run_job(args, events)
    r = finite(fin.result) | {"status": fin.status}
    if stage.name == "pretrain":
        from engine.tokenizer import load_tokenizer

        r["vocab_size"] = load_tokenizer(ws.tokenizer_path).get_vocab_size()
    emit(
        args,
        r,
        f"{fin.status}: run {r['run']}, {r['steps']} steps, {SUMMARIES[stage.name](r)}\ncheckpoint: {r['checkpoint']}",
    )
    return exit_code(fin.status)


def cmd_distill(args) -> int:
    from engine.generate import SamplingConfig
    from engine.io.workspace import Workspace
    from engine.train.distill import distill

    ws = Workspace.open(args.workspace)
    if args.temperature < 0 or args.max_new_tokens < 1 or args.limit < 0:
        raise DojoError("--temperature must be >= 0, --max-new-tokens >= 1 and --limit >= 0")
    sc = SamplingConfig(
        greedy=args.temperature == 0,
        temperature=args.temperature or 1.0,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
    )
    dev = device(args.device)
    fin = run_job(
        args,
        lambda control: distill(
            ws, args.teacher, args.prompts, args.out, sc, args.keep_unfinished, args.limit, dev, control
        ),
    )
    r = fin.result | {"status": fin.status}
    emit(
        args,
        r,
        f"{fin.status}: {r['examples']} answers from {r['teacher']} "
        f"({r['unfinished']} unfinished) → {r['file']}\n"
        f"train a student on them: lmdojo-cli sft {ws.root} --from STUDENT_RUN --data {r['file']}",
    )
    return exit_code(fin.status)


def add_train_parsers(add) -> None:
    for stage in STAGES.values():
        s = add(stage.name, cmd_stage, stage.help)
        config_args(s)
        if stage.parent is not None:
            s.add_argument(
                "--from",
                dest="base",
                help=f"run or checkpoint to start from (default: latest {_RUN_OF[stage.parent]} run)",
            )
        else:
            s.add_argument("--preset", help="tiny, small or medium")
        s.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
        s.add_argument(
            "--resume",
            nargs="?",
            const=True,
            metavar="RUN",
            help="continue the latest run (or run RUN, or a checkpoint folder) from its last checkpoint",
        )
        if stage.name == "sft":
            s.add_argument("--data", help="instruction data file or folder (default: WS/data/sft/train.jsonl)")
            s.add_argument("--lora", action="store_true", help="train LoRA adapters instead of all weights")
        elif stage.name in ("reward", "dpo", "kto"):
            s.add_argument("--prefs", help="pairs in a JSONL file (default: the workspace's preference store)")
        elif stage.judged:
            s.add_argument("--judge", help="rules, reward[:RUN], human or self[:RUN] (default: rules)")
        if stage.name == "sft":
            _add_distill(add)  # beside sft in --help, as before


def _add_distill(add) -> None:
    s = add("distill", cmd_distill, "A teacher run answers prompts; the answers become an SFT set for a student.")
    s.add_argument("--teacher", required=True, help="run or checkpoint that answers (an SFT run)")
    s.add_argument(
        "--prompts",
        help="prompts: a .txt file (one per line) or an instruction dataset (default: WS/data/sft/train.jsonl)",
    )
    s.add_argument("--out", help="output JSONL (default: WS/data/sft/distilled-TEACHER.jsonl)")
    s.add_argument("--max-new-tokens", type=int, default=96)
    s.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    s.add_argument("--seed", type=seed_arg, default=0)
    s.add_argument("--keep-unfinished", action="store_true", help="keep answers cut off at max-new-tokens")
    s.add_argument("--limit", type=int, default=0, help="at most this many prompts (0 = all)")
    s.add_argument("--device", default="auto")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
