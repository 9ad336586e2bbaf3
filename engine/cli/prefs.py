"""`lmdojo-cli prefs WS ACTION`: the preference store from a terminal.

    prefs WS list [--limit N] [--deleted]      judgements, newest first
    prefs WS counts                            prompts, responses, judgements by kind, pairs
    prefs WS import FILE [--judge NAME] [--strict]
    prefs WS export FILE [--judge NAME]        one JSON line per (prompt, chosen, rejected) pair
    prefs WS delete ID / restore-deleted ID    soft delete and its undo
    prefs WS backup DEST [--force]             a copy of the workspace database (SQLite backup API)
    prefs WS restore BACKUP [--force]          put a backup in place of a damaged database

--json prints one JSON object as the last stdout line; a DojoError is one line on stderr (exit 2).
"""

from __future__ import annotations

import argparse

from engine.cli.common import emit


def _line(j: dict) -> str:
    from engine.rlhf.prefs_jsonl import short

    what = {
        "ranking": lambda: " > ".join(map(str, j["ranking"])),
        "pair": lambda: (" = " if j["tie"] else " > ").join(map(str, j["ranking"])),
        "thumb": lambda: f"{j['response_id']} {'+1' if j['thumb'] > 0 else '-1'}",
    }[j["kind"]]()
    return f"#{j['id']:<5} {j['kind']:<7} {what:<16} {j['judge']:<14} {short(j['prompt'], 50)}" + (
        "  (deleted)" if j["deleted"] else ""
    )


def cmd_prefs(args) -> int:
    from engine.io.store import restore
    from engine.io.workspace import Workspace
    from engine.rlhf.prefs import PrefStore

    ws = Workspace.open(args.workspace)
    action = args.prefs_action
    if action == "restore":  # the store may be damaged: do not open it
        dest = restore(args.backup, ws.db_path, force=args.force)
        emit(args, {"restored": str(dest), "backup": args.backup}, f"restored {dest} from {args.backup}")
        return 0
    with PrefStore(ws.db_path) as store:
        if action == "list":
            rows = store.list_judgements(args.limit, include_deleted=args.deleted)
            emit(args, {"judgements": rows}, "\n".join(map(_line, rows)) or "no judgements yet")
        elif action == "counts":
            c = store.counts()
            kinds = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in c["judgements"].items())
            emit(
                args,
                c,
                f"{c['prompts']} prompts, {c['responses']} responses; judgements: {kinds} "
                f"({c['deleted']} deleted); {c['pairs']} pairs",
            )
        elif action == "import":
            r = store.import_jsonl(args.file, judge=args.judge, strict=args.strict)
            human = "\n".join(
                [f"skipped {s}" for s in r["skipped"]]
                + [
                    f"imported {r['imported']} pairs from {args.file} ({r['duplicates']} already there, "
                    f"{len(r['skipped'])} bad lines skipped)"
                ]
            )
            emit(args, r, human)
        elif action == "export":
            n = store.export_jsonl(args.file, judge=args.judge)
            emit(args, {"file": args.file, "pairs": n}, f"wrote {n} pairs to {args.file}")
        elif action in ("delete", "restore-deleted"):
            fn = store.delete_judgement if action == "delete" else store.restore_judgement
            changed = fn(args.id)
            state = "deleted" if action == "delete" else "restored"
            emit(
                args,
                {"id": args.id, "state": state, "changed": changed},
                f"judgement {args.id} {state}"
                + ("" if changed else f" (it was already {state})")
                + (
                    f" (undo: lmdojo-cli prefs {args.workspace} restore-deleted {args.id})"
                    if action == "delete" and changed
                    else ""
                ),
            )
        elif action == "backup":
            dest = store.backup(args.dest, force=args.force)
            emit(args, {"backup": str(dest)}, f"backed up {ws.db_path} to {dest}")
    return 0


def add_prefs_parser(add) -> argparse.ArgumentParser:
    """Add `prefs` with the parser's `add(name, fn, help)` (which adds WS and --json)."""
    s = add("prefs", cmd_prefs, "The preference store: list, import, export, delete and undo, back up and restore.")
    # --json may come after the action too; SUPPRESS keeps a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the result as one JSON object on the last line",
    )
    sub = s.add_subparsers(dest="prefs_action", required=True, metavar="ACTION", parser_class=type(s))

    def action(name, help):
        return sub.add_parser(name, help=help, description=help, parents=[common])

    a = action("list", "Judgements, newest first.")
    a.add_argument("--limit", type=int, help="show at most N")
    a.add_argument("--deleted", action="store_true", help="include deleted judgements")
    action("counts", "Prompts, responses, judgements by kind, and the pairs they give.")
    a = action("import", "Import preference pairs from a JSONL file (prompt/chosen/rejected or chat messages).")
    a.add_argument("file")
    a.add_argument("--judge", help="judge name for every line (default: each line's judge, else 'import')")
    a.add_argument("--strict", action="store_true", help="stop at the first bad line and import nothing")
    a = action("export", "Write every pair as JSONL (prompt, chosen, rejected, judge, id).")
    a.add_argument("file")
    a.add_argument("--judge", help="only this judge's pairs")
    a = action("delete", "Delete a judgement (undo with restore-deleted).")
    a.add_argument("id", type=int)
    a = action("restore-deleted", "Undo the delete of a judgement.")
    a.add_argument("id", type=int)
    a = action("backup", "Copy the workspace database to DEST (a new file, or a folder) with SQLite's backup API.")
    a.add_argument("dest")
    a.add_argument("--force", action="store_true", help="replace DEST if it is an existing file")
    a = action("restore", "Put a backup in place of the workspace database (close the app first).")
    a.add_argument("backup")
    a.add_argument("--force", action="store_true", help="replace the database even if it is healthy")
    return s
