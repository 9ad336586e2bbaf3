"""lmdojo-cli: every stage of LM Dojo from a terminal, one subcommand per verb.

Progress goes to stderr; with --json, stdout gets exactly one JSON object (the result) on its last
line. Exit codes (engine/cli/common.py): 0 done, 1 failed, 2 bad input (one line naming it),
130 cancelled. Under torchrun (several processes training one model, engine.train.dist) only rank 0
prints progress and the result.

Each verb lives in the module of its group; README's CLI table names them:
    workspace.py  init runs repair          data.py     clean tokenize
    train.py      pretrain sft reward dpo kto grpo distill
    generate.py   generate chat             sample.py   sample
    prefs.py      prefs                     compare.py  compare shift leaderboard eval
    export.py     export import cluster     labs.py     lab          insight.py  insight
    story.py      story
"""

from __future__ import annotations

import argparse
import sys

from engine.cli import compare, data, export, generate, insight, labs, prefs, sample, story, train, workspace
from engine.cli.common import EXIT_BAD_INPUT, EXIT_CANCELLED, EXIT_FAILED, Parser, dist
from engine.errors import DojoError
from engine.malloc import tune


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="lmdojo-cli", description="LM Dojo: train a small GPT through every stage, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def add(name, fn, help, first=None):
        s = sub.add_parser(name, help=help, description=help)
        if first is not None:  # a positional before the workspace: lab NAME WS
            s.add_argument(first[0], **first[1])
        s.add_argument("workspace", help="workspace folder")
        s.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
        s.set_defaults(fn=fn)
        return s

    workspace.add_workspace_parsers(add)
    data.add_data_parsers(add)
    train.add_train_parsers(add)
    generate.add_generate_parsers(add)
    sample.add_sample_parser(add)
    prefs.add_prefs_parser(add)
    compare.add_compare_parsers(add)
    export.add_export_parsers(add)
    labs.add_lab_parser(add)
    insight.add_insight_parser(add)
    story.add_story_parser(add)
    return p


def main(argv: list[str] | None = None) -> int:
    tune()  # glibc's allocator set for training, before anything starts a thread
    args = build_parser().parse_args(argv)
    finished = False
    try:
        code = args.fn(args)
        finished = True
        return code
    except DojoError as e:
        print(f"{_who()}error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # a second Ctrl-C
        print(f"{_who()}aborted", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as e:  # a training failure: one line, not a traceback; details with LMDOJO_DEBUG=1
        import errno
        import os

        if os.environ.get("LMDOJO_DEBUG"):
            raise
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
            where = f"{e.filename}: " if e.filename else ""  # a file it could not write: named, bad input
            what = "no space left on the disk" if e.errno == errno.ENOSPC else "read-only here or not permitted"
            print(f"{_who()}error: {where}{what} ({e.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"{_who()}error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        from engine.io.workspace import take_notes

        for note in take_notes():  # what opening the workspace had to repair
            print(f"{_who()}note: {note}", file=sys.stderr)
        if dist() is not None:
            dist().destroy(finished)


def _who() -> str:
    """Under torchrun, which process speaks (each one reports its own errors)."""
    world = dist().current().world if dist() is not None else 1
    return f"rank {dist().current().rank}: " if world > 1 else ""


def _exit(code: int) -> None:
    """Under torchrun, leave without the interpreter's finalisation: gloo's worker threads can
    still hold work that holds tensors, and destroying those while Python shuts down aborts the
    process ("terminate called without an active exception") after a run that went well. The
    process group is already destroyed and every file closed; stdout and stderr are flushed here."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    _exit(main())
