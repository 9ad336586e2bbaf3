"""`lmdojo-cli insight NAME WS [--set k=v …] [--config F] [--json]`: compute one insight
(engine/insight) and print its numbers; --json prints them as one JSON object on the last line.

Wired into engine/cli.py with `add_insight_parser(add)`.
"""
from __future__ import annotations

from engine.cli import EXIT_FAILED, _drive, _emit, _Printer, _with_control


def cmd_insight(args) -> int:
    from engine import insight
    from engine.config import parse_sets, read_toml
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    opts = insight.make_options(args.name, read_toml(args.config) if args.config else None, parse_sets(args.set))
    fin = _with_control(lambda control: _drive(insight.run(args.name, ws, opts, control), _Printer(args.quiet)))
    _emit(args, {"status": fin.status, **fin.result}, insight.summary(args.name, fin.result))
    return 0 if fin.status == "done" else EXIT_FAILED


def add_insight_parser(add) -> None:
    from engine.insight import INSIGHTS

    s = add("insight", cmd_insight, "Answer 'is my training going right?': reference bands, the chat-template "
            "inspector, reward-model diagnostics, alignment tax, the checkpoint timeline, the memorisation probe.",
            first=("name", {"choices": list(INSIGHTS), "help": "which insight"}))
    s.add_argument("--config", help="TOML file with the insight's options")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one option (repeatable)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
