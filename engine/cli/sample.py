"""`lmdojo-cli sample`: a run answers prompts N times each into the preference store, for people
(the app's Compare page) or judges to rank. The RLHF stages themselves (reward, dpo, kto, grpo) are
training verbs: engine/cli/train.py.
"""

from __future__ import annotations

from engine.cli.common import device, emit, exit_code, run_job, seed_arg
from engine.errors import DojoError


def cmd_sample(args):
    from engine.generate import SamplingConfig
    from engine.io.workspace import Workspace
    from engine.rlhf.candidates import sample_candidates

    ws = Workspace.open(args.workspace)
    if args.n < 1 or args.max_new_tokens < 1 or args.limit < 0 or any(t < 0 for t in args.temperature or ()):
        raise DojoError("--n and --max-new-tokens must be >= 1, --limit and temperatures >= 0")
    sc = SamplingConfig(temperature=0.8, top_k=args.top_k, top_p=args.top_p, max_new_tokens=args.max_new_tokens)
    dev = device(args.device)
    fin = run_job(
        args,
        lambda control: sample_candidates(
            ws,
            args.run or "",
            args.prompts,
            args.n,
            sc,
            tuple(args.temperature or ()),
            args.limit,
            args.seed,
            dev,
            control,
        ),
    )
    r = fin.result | {"status": fin.status}
    emit(
        args,
        r,
        f"{fin.status}: {r['responses']} answers from {r['run']} to {r['prompts']} prompts, "
        "stored in the preference store",
    )
    return exit_code(fin.status)


def add_sample_parser(add) -> None:
    s = add("sample", cmd_sample, "Sample N answers per prompt from a run into the preference store, to rank.")
    s.add_argument("--run", help="run or checkpoint (default: the latest SFT run)")
    s.add_argument(
        "--prompts",
        help="a .txt file (one prompt per line) or a dataset (default: the demo's "
        "held-out questions and unsafe requests)",
    )
    s.add_argument("--n", type=int, default=4, help="answers per prompt")
    s.add_argument(
        "--temperature",
        type=float,
        action="append",
        help="temperature of answer i (repeat to cycle; default 0.8 for all)",
    )
    s.add_argument("--top-k", type=int, default=50)
    s.add_argument("--top-p", type=float, default=1.0)
    s.add_argument("--max-new-tokens", type=int, default=64)
    s.add_argument("--seed", type=seed_arg, default=0, help="answer i uses seed + i")
    s.add_argument("--limit", type=int, default=0, help="at most this many prompts (0 = all)")
    s.add_argument("--device", default="auto")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
