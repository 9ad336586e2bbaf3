"""`lmdojo-cli lab NAME WS [--set k=v …] [--config F] [--smallest] [--json]`: run one lab
(engine/labs) and print where its report is and its main numbers.

--json prints one JSON object (`report` and
the lab's numbers) as the last stdout line.
"""

from __future__ import annotations

from engine.cli.common import emit, exit_code, run_job


def cmd_lab(args) -> int:
    from engine import labs
    from engine.config import parse_sets, read_toml
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    cfg = labs.make_config(
        args.name, read_toml(args.config) if args.config else None, parse_sets(args.set), smallest=args.smallest
    )
    fin = run_job(args, lambda control: labs.run(args.name, ws, cfg, control))
    r = fin.result
    numbers = ", ".join(f"{k} {v}" for k, v in r.items() if k != "report" and not isinstance(v, (dict, list)))
    emit(args, {"status": fin.status, **r}, f"report: {r.get('report')}\n{numbers}")
    return exit_code(fin.status)


def add_lab_parser(add) -> None:
    from engine.labs import LABS

    s = add(
        "lab",
        cmd_lab,
        "Run a lab (a famous result at toy scale) and write its report into WS/labs/.",
        first=("name", {"choices": list(LABS), "help": "which lab"}),
    )
    s.add_argument("--config", help="TOML file with the lab's settings")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one setting (repeatable)")
    s.add_argument("--smallest", action="store_true", help="the smallest settings (seconds; for tests)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
