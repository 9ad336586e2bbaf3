"""`lmdojo-cli story WS`: every stage once on the demo world, budgets sized from this machine's speed
(engine/story.py); run it again to resume where it stopped."""

from __future__ import annotations

from engine.cli.common import emit, exit_code, run_job


def cmd_story(args) -> int:
    from engine import story
    from engine.config import parse_sets
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    if args.minutes is not None:
        sets["minutes"] = str(args.minutes)
    if args.smallest:
        sets["smallest"] = "true"
    cfg = story.make_config(sets=sets)
    fin = run_job(args, lambda control: story.run(ws, cfg, control))
    chapters = fin.result.get("chapters", {})
    lines = [f"{page}: {r.get('run') or r.get('out') or r.get('tokenizer') or 'done'}" for page, r in chapters.items()]
    if fin.status != "done":
        lines.append(f"stopped in {fin.result.get('stopped_in', '?')}: run the same command again to resume")
    emit(args, {"status": fin.status, **fin.result}, "\n".join(lines))
    return exit_code(fin.status)


def add_story_parser(add) -> None:
    s = add("story", cmd_story, "Run every stage once on the demo world (about 15 minutes); again to resume.")
    s.add_argument("--minutes", type=float, help="about how long the whole story may take (default 15)")
    s.add_argument("--smallest", action="store_true", help="tiny models, a few steps each (seconds; for tests)")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one setting (repeatable)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
