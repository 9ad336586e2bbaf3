"""Where a workspace stands, stage by stage (what the GUI's navigator shows)."""

from __future__ import annotations

import json

from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.train import stages_of_page

# the app's pages, each with a status; a page that trains shows its stages' latest run (engine.train.STAGES)
PAGES = ("data", "tokenizer", "pretrain", "sft", "rlhf", "compare", "labs")
NOT_STARTED, RUNNING, DONE, FAILED, INTERRUPTED = "not started", "running", "done", "failed", "interrupted"


def run_status(ws: Workspace, run: dict) -> str:
    """A run's status as it is: one the database calls "running" whose writer is gone (its run lock
    is free: a crash, a kill -9, a closed laptop) was interrupted, and resumes."""
    from engine.io.locks import run_is_live

    if run["status"] == "running" and not run_is_live(ws.run_dir(run["id"])):
        return INTERRUPTED
    return run["status"]


def stage_status(ws: Workspace) -> dict[str, str]:
    """Status per stage. A run the database still calls running, with no process behind it (its run
    lock free), was interrupted (a crash or a kill)."""
    out = dict.fromkeys(PAGES, NOT_STARTED)
    if (ws.clean_dir / "report.json").is_file():
        out["data"] = DONE
    meta = ws.tokens_dir / "meta.json"
    if ws.tokenizer_path.is_file() and meta.is_file():
        from engine.tokenizer import tokenizer_hash

        ok = json.loads(meta.read_text(encoding="utf-8")).get("tokenizer_hash") == tokenizer_hash(ws.tokenizer_path)
        out["tokenizer"] = DONE if ok else FAILED
    if ws.db_path.is_file():
        with Store(ws.db_path) as store:
            for page in PAGES:
                runs = sorted(
                    (r for kind in stages_of_page(page) for r in store.runs(kind)), key=lambda r: r["created"]
                )
                if runs:
                    s = run_status(ws, runs[-1])
                    out[page] = {
                        "done": DONE,
                        "failed": FAILED,
                        "running": RUNNING,
                        INTERRUPTED: INTERRUPTED,
                        "cancelled": INTERRUPTED,
                    }[s]
            # compare: done once a person has judged answers (in the preference store, same database)
            if (
                store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'judgements'").fetchone()
                and store.conn.execute(
                    "SELECT 1 FROM judgements WHERE deleted = 0 AND judge LIKE 'human%' LIMIT 1"
                ).fetchone()
            ):
                out["compare"] = DONE
    # labs: done once a lab has written a report
    if any((ws.root / "labs").glob("*/report.md")):
        out["labs"] = DONE
    return out


UNDERTRAINED = 0.5  # of ln V: a validation loss above it has learned little beyond which tokens are common


def undertrained(ws: Workspace) -> dict | None:
    """The latest pretraining run when it is too short to build on — {"run", "step", "loss", "vocab",
    "guess"}: its validation loss above half of ln V (`guess`, the loss of a uniform guess over the
    vocabulary) — else None. A 4-step run finishes "done" like a 700-step one; SFT from it answers
    gibberish."""
    import math

    from engine import checkpoint as ckpt
    from engine.errors import DojoError

    try:
        folder = ckpt.resolve(ws.runs_dir, "pretrain:latest")
        meta = ckpt.read_meta(folder)
    except (DojoError, OSError, ValueError):
        return None
    loss, vocab = meta.get("val_loss"), (meta.get("model_config") or {}).get("vocab_size")
    if loss is None or not vocab or loss <= UNDERTRAINED * math.log(vocab):
        return None
    run = meta.get("run_id") or folder.parent.parent.name
    return {"run": run, "step": meta.get("step"), "loss": loss, "vocab": vocab, "guess": math.log(vocab)}


def undertrained_message(u: dict) -> str:
    return (
        f"the latest pretraining run ({u['run']}, step {u['step']}) is too short to build on: its validation "
        f"loss {u['loss']:.2f} is close to guessing among {u['vocab']} tokens (ln V = {u['guess']:.2f}); "
        "pretrain for longer first"
    )
