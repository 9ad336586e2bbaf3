"""The workspace verbs of lmdojo-cli: `init` (a new workspace; with --demo, the generated demo
world), `runs` (its runs and their status) and `repair` (rebuild the run index from the run folders).
"""

from __future__ import annotations

import argparse

from engine.cli.common import emit, seed_arg
from engine.errors import DojoError


def cmd_init(args):
    from engine.io.workspace import Workspace

    demo_cfg = None
    if args.demo:
        from engine.data.demo import DemoConfig

        demo_cfg = DemoConfig(
            seed=args.seed,
            people=args.people,
            augment_versions=args.augment_versions,
            stories=args.stories,
            permute=args.permute,
            fullname=args.fullname,
        )
        try:
            demo_cfg.validate()
        except ValueError as e:
            raise DojoError(str(e)) from None
    ws = Workspace.replace(args.workspace) if args.replace else Workspace.create(args.workspace)
    result = {"workspace": str(ws.root)}
    if demo_cfg is not None:
        from engine.data.pollute import write_demo

        result["demo"] = write_demo(ws.root, demo_cfg)
    emit(args, result, f"workspace created: {ws.root}" + (" (demo world)" if args.demo else ""))
    return 0


def cmd_repair(args):
    from engine.io.repair import rebuild_run_index, runs_on_disk
    from engine.io.workspace import Workspace, take_notes

    ws = Workspace.open(args.workspace)  # opening already rebuilds what is missing, and notes it
    notes = take_notes()
    added = rebuild_run_index(ws)  # anything left (e.g. found while another process opened it)
    emit(
        args,
        {"rebuilt": added, "notes": notes, "runs_on_disk": len(runs_on_disk(ws))},
        "\n".join(notes)
        or (
            f"rebuilt {len(added)} runs: {', '.join(added)}"
            if added
            else f"the run index is complete ({len(runs_on_disk(ws))} run folders)"
        ),
    )
    return 0


def cmd_runs(args):
    from engine.io.store import Store
    from engine.io.workspace import Workspace
    from engine.train.status import run_status

    ws = Workspace.open(args.workspace)
    with Store(ws.db_path) as store:
        runs = [
            {k: r[k] for k in ("id", "stage", "parent", "message")} | {"status": run_status(ws, r)}
            for r in store.runs()
        ]
    emit(args, {"runs": runs}, "\n".join(f"{r['id']}  {r['stage']}  {r['status']}" for r in runs) or "no runs yet")
    return 0


def add_workspace_parsers(add) -> None:
    s = add("init", cmd_init, "Create a workspace (with --demo: the generated bilingual demo world).")
    s.add_argument("--demo", action="store_true", help="fill it with the demo world")
    s.add_argument(
        "--replace",
        action="store_true",
        help="delete the workspace already there first (only an LM Dojo workspace no process is using)",
    )
    s.add_argument("--seed", type=seed_arg, default=0)
    from engine.data.demo import DemoConfig

    d = DemoConfig()
    s.add_argument("--people", type=int, default=d.people, help="fictional people in the demo world")
    s.add_argument(
        "--augment-versions",
        type=int,
        default=d.augment_versions,
        help="biographies per person, each sentence worded anew",
    )
    s.add_argument(
        "--permute",
        action=argparse.BooleanOptionalAction,
        default=d.permute,
        help="each biography orders its sentences anew",
    )
    s.add_argument(
        "--fullname",
        action=argparse.BooleanOptionalAction,
        default=d.fullname,
        help="every sentence names the person (--no-fullname: a pronoun after the first)",
    )
    s.add_argument("--stories", type=int, default=d.stories, help="stories about the demo world's places")

    add("runs", cmd_runs, "List the runs of a workspace.")
    add("repair", cmd_repair, "Rebuild the run index from the run folders (after the workspace database was lost).")
