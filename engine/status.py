"""Where a workspace stands, stage by stage (what the GUI's navigator shows)."""
from __future__ import annotations

import json

from engine.store import Store
from engine.workspace import Workspace

STAGES = ("data", "tokenizer", "pretrain", "sft", "rlhf", "compare", "labs")
RUN_STAGES = {"rlhf": ("reward", "dpo", "kto", "grpo")}  # the runs behind a wizard stage, when not its own name
NOT_STARTED, RUNNING, DONE, FAILED, INTERRUPTED = "not started", "running", "done", "failed", "interrupted"


def run_status(ws: Workspace, run: dict) -> str:
    """A run's status as it is: one the database calls "running" whose writer is gone (its run lock
    is free: a crash, a kill -9, a closed laptop) was interrupted, and resumes."""
    from engine.locks import run_is_live

    if run["status"] == "running" and not run_is_live(ws.run_dir(run["id"])):
        return INTERRUPTED
    return run["status"]


def stage_status(ws: Workspace) -> dict[str, str]:
    """Status per stage. A run the database still calls running, with no process behind it (its run
    lock free), was interrupted (a crash or a kill)."""
    out = dict.fromkeys(STAGES, NOT_STARTED)
    if (ws.clean_dir / "report.json").is_file():
        out["data"] = DONE
    meta = ws.tokens_dir / "meta.json"
    if ws.tokenizer_path.is_file() and meta.is_file():
        from engine.tokenizer import tokenizer_hash

        ok = json.loads(meta.read_text(encoding="utf-8")).get("tokenizer_hash") == tokenizer_hash(ws.tokenizer_path)
        out["tokenizer"] = DONE if ok else FAILED
    if ws.db_path.is_file():
        with Store(ws.db_path) as store:
            for stage in STAGES:
                runs = sorted((r for kind in RUN_STAGES.get(stage, (stage,)) for r in store.runs(kind)),
                              key=lambda r: r["created"])
                if runs:
                    s = run_status(ws, runs[-1])
                    out[stage] = {"done": DONE, "failed": FAILED, "running": RUNNING, INTERRUPTED: INTERRUPTED,
                                  "cancelled": INTERRUPTED}[s]
            # compare: done once a person has judged answers (in the preference store, same database)
            if store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'judgements'").fetchone() and \
                    store.conn.execute("SELECT 1 FROM judgements WHERE deleted = 0 AND judge LIKE 'human%' "
                                       "LIMIT 1").fetchone():
                out["compare"] = DONE
    # labs: done once a lab has written a report
    if any((ws.root / "labs").glob("*/report.md")):
        out["labs"] = DONE
    return out
