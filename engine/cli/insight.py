"""`lmdojo-cli insight NAME WS [--set k=v …] [--config F] [--json]`: compute one insight
(engine/insight) and print its numbers; --json prints them as one JSON object on the last line.
"""

from __future__ import annotations

from engine.cli.common import emit, exit_code, run_job


def cmd_insight(args) -> int:
    from engine import insight
    from engine.config import parse_sets, read_toml
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    opts = insight.make_config(args.name, read_toml(args.config) if args.config else None, parse_sets(args.set))
    fin = run_job(args, lambda control: insight.run(args.name, ws, opts, control))
    emit(args, {"status": fin.status, **fin.result}, insight.summary(args.name, fin.result))
    return exit_code(fin.status)


def add_insight_parser(add) -> None:
    from engine.insight import INSIGHTS

    s = add(
        "insight",
        cmd_insight,
        "Answer 'is my training going right?': reference bands, the chat-template "
        "inspector, reward-model diagnostics, alignment tax, the checkpoint timeline, the memorisation probe.",
        first=("name", {"choices": list(INSIGHTS), "help": "which insight"}),
    )
    s.add_argument("--config", help="TOML file with the insight's options")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one option (repeatable)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
