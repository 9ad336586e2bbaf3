"""Insight "timeline": watch it learn.

Every saved checkpoint along the lineage of one run (its ancestors through the runs' `parent`
checkpoints: pretraining steps → SFT steps → DPO/KTO/GRPO steps) answers the same fixed prompts
greedily; each answer is compared token by token with the previous checkpoint's answer to the same
prompt, so one can scrub through training and see where the answers changed.

Time: 2.7 s with one thread for 9 checkpoints × 6 prompts of a 2-layer demo model; it grows with
checkpoints × prompts × max_new_tokens.

    lmdojo-cli insight timeline WS --set count=6 --set max_new_tokens=24 --json
    lmdojo-cli insight timeline WS --set run=dpo-… --set prompts=my_prompts.jsonl
"""

from __future__ import annotations

import difflib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from engine.config import knob
from engine.errors import DojoError
from engine.events import Finished, Log, Progress

TITLE = "Checkpoint timeline: watch it learn"

ABOUT = (
    "The same few prompts answered by every saved checkpoint of one model's history, from the first "
    "pretraining checkpoint through SFT to preference tuning, always greedily so that only the weights "
    "differ. Scrub the slider to move from checkpoint to checkpoint; each answer shows what changed since "
    "the previous checkpoint: text that appeared is highlighted green, text that disappeared is red and "
    "struck through. Early pretraining answers are noise, then words, then sentences that never stop; "
    "after SFT the answers take the assistant's shape and end; preference tuning changes less, mostly the "
    "wording. A checkpoint where nothing changed means training moved the weights without changing what "
    "the model says first; many changes late in a run can mean it is still learning (or unstable)."
)

STAGE_ORDER = {"pretrain": 0, "sft": 1, "dpo": 2, "kto": 2, "grpo": 2, "ppo": 2}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass
class Config:
    run: str = knob("", "The final run whose history to show (empty: the newest run of the furthest stage).")
    prompts: str = knob(
        "",
        'A file of prompts: JSONL with "messages" or "prompt" per line, or plain text with '
        "one prompt per line (empty: held-out demo questions, English and Chinese).",
    )
    count: int = knob(6, "Prompts to use (0 = every prompt of the file).", min=0)
    max_new_tokens: int = knob(24, "Longest answer in tokens.", min=1, max=512)
    threads: int = knob(1, "CPU threads for PyTorch (0 = PyTorch's default).", min=0)
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")


# -- the differences -----------------------------------------------------------------------------


def token_diff(a: list[str], b: list[str]) -> list[list[str]]:
    """How answer `b` differs from answer `a`, both as token strings: [[op, text]] with op equal,
    insert (text of b) or delete (text of a). A replacement is given as its deletion then its
    insertion, so every entry carries one text and a view can mark each kind on its own."""
    out: list[list[str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            out.append(["delete", "".join(a[i1:i2])])
        if tag in ("insert", "replace"):
            out.append(["insert", "".join(b[j1:j2])])
        if tag == "equal":
            out.append(["equal", "".join(b[j1:j2])])
    return out


def answer_pieces(tok, token_ids: list[int]) -> list[str]:
    """The answer as token strings; a token holding only part of a character's bytes (common in
    Chinese) is joined with the next, so every piece is whole text."""
    from engine.tokenizer import TextStream

    stream = TextStream(tok)
    pieces = [p for p in (stream.add(t) for t in token_ids) if p]
    if stream.pending:  # the answer was cut inside a character
        pieces.append(tok.decode(stream.pending, skip_special_tokens=False))
    return pieces


# -- the checkpoints -----------------------------------------------------------------------------


def _has_checkpoint(ws, run_id: str) -> bool:
    from engine import checkpoint as ckpt

    return bool(ckpt.list_checkpoints(ws.run_dir(run_id) / "checkpoints"))


def final_run(ws) -> str:
    """The newest run of the furthest stage (pretrain < SFT < DPO/KTO/GRPO) with a checkpoint."""
    from engine.io.store import Store

    with Store(ws.db_path) as store:
        runs = [r for r in store.runs() if r["stage"] in STAGE_ORDER and _has_checkpoint(ws, r["id"])]
    if not runs:
        raise DojoError(f"no run with a checkpoint in {ws.root}: run lmdojo-cli pretrain WS first")
    return max(runs, key=lambda r: (STAGE_ORDER[r["stage"]], r["created"]))["id"]


def lineage(ws, run_id: str) -> list[dict]:
    """The checkpoints of `run_id` (a run id or one of its checkpoint folders) and its ancestors,
    oldest first: [{"run", "stage", "step", "checkpoint"}]. Of an ancestor only the checkpoints up to
    the one its child started from count: later ones are a branch the final model never went through."""
    from engine import checkpoint as ckpt
    from engine.io.store import Store

    chain, seen, cur, upto = [], set(), run_id, None
    if Path(run_id).is_dir() and ckpt.run_and_step(run_id):
        cur, upto = ckpt.run_and_step(run_id)
    with Store(ws.db_path) as store:
        while cur and cur not in seen:
            seen.add(cur)
            row = store.run(cur)
            if row is None:
                if not chain:
                    raise DojoError(f"run: no run {run_id!r} in {ws.db_path}")
                break  # an ancestor from another workspace: the history starts here
            if row["stage"] not in STAGE_ORDER:
                raise DojoError(f"run: {cur} is a {row['stage']} run; the timeline follows a model that answers")
            folders = ckpt.list_checkpoints(ws.run_dir(cur) / "checkpoints")
            frames = []
            for f in folders:
                step = ckpt.run_and_step(f)[1]
                if upto is None or step <= upto:
                    frames.append({"run": cur, "stage": row["stage"], "step": step, "checkpoint": str(f)})
            chain[:0] = frames
            parent = ckpt.run_and_step(row["parent"]) if row.get("parent") else None
            cur, upto = parent if parent else (None, None)
    if not chain:
        raise DojoError(f"run: {run_id} has no complete checkpoint")
    return chain


# -- the prompts ---------------------------------------------------------------------------------


def _user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def read_prompts(path: Path) -> list[list[dict]]:
    """Chat prompts from a JSONL file ({"messages": [...]} cut before the last assistant turn, or
    {"prompt": "…"}) or a text file (one prompt per line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DojoError(f"prompts: cannot read {path} ({e})") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if path.suffix.lower() != ".jsonl":
            out.append(_user(line.strip()))
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise DojoError(f"prompts: {path}:{n} is not JSON ({e})") from None
        if isinstance(rec, str):
            rec = {"prompt": rec}
        msgs = rec.get("messages") if isinstance(rec, dict) else None
        if isinstance(msgs, list):
            while msgs and isinstance(msgs[-1], dict) and msgs[-1].get("role") == "assistant":
                msgs = msgs[:-1]
            if (
                not msgs
                or not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in msgs)
                or msgs[-1].get("role") != "user"
            ):
                raise DojoError(f'prompts: {path}:{n}: "messages" must end with a user turn')
            out.append(msgs)
        elif isinstance(rec, dict) and isinstance(rec.get("prompt"), str) and rec["prompt"].strip():
            out.append(_user(rec["prompt"].strip()))
        else:
            raise DojoError(f'prompts: {path}:{n} has neither "messages" nor "prompt"')
    if not out:
        raise DojoError(f"prompts: {path} holds no prompt")
    return out


def default_prompts(ws, count: int) -> list[list[dict]]:
    """The first held-out demo questions, English and Chinese taking turns."""
    from engine.data.demo_questions import heldout_questions

    qs = [q["messages"] for q in heldout_questions(ws, 0)]
    zh = [m for m in qs if _CJK.search(m[-1]["content"])]
    en = [m for m in qs if not _CJK.search(m[-1]["content"])]
    mixed = [m for pair in zip(en, zh) for m in pair] + en[len(zh) :] + zh[len(en) :]
    if not mixed:
        raise DojoError("the demo's held-out QA set is empty: set prompts=<file>")
    return mixed[:count] if count else mixed


def prompt_set(ws, opts: Config) -> list[list[dict]]:
    if not opts.prompts:
        return default_prompts(ws, opts.count)
    path = Path(opts.prompts).expanduser()
    if not path.is_file() and not path.is_absolute() and (ws.root / path).is_file():
        path = ws.root / path
    if not path.is_file():
        raise DojoError(f"prompts: no file {opts.prompts}")
    found = read_prompts(path)
    return found[: opts.count] if opts.count else found


# -- the insight ---------------------------------------------------------------------------------


def run(ws, opts: Config, control=None):
    from engine import checkpoint as ckpt
    from engine.generate import SamplingConfig, chat
    from engine.labs.common import threads_set
    from engine.tokenizer import load_tokenizer, tokenizer_hash
    from engine.train.loop import resolve_device

    frames = lineage(ws, opts.run or final_run(ws))
    prompts = prompt_set(ws, opts)
    tok = load_tokenizer(ws.tokenizer_path)
    tok_hash = tokenizer_hash(ws.tokenizer_path)
    device = resolve_device(opts.device)
    sampling = SamplingConfig(greedy=True, max_new_tokens=opts.max_new_tokens)
    yield Log(f"timeline: {len(frames)} checkpoints of {frames[-1]['run']} and its ancestors × {len(prompts)} prompts")
    previous: list[list[str]] | None = None
    start = time.monotonic()
    with threads_set(opts.threads):
        for k, frame in enumerate(frames):
            if control is not None and control.should_stop():
                yield Finished("cancelled", {})
                return
            model, _ = ckpt.load_gpt(Path(frame["checkpoint"]), device, tok_hash)
            pieces = [answer_pieces(tok, chat(model, tok, m, sampling).token_ids) for m in prompts]
            del model
            frame["answers"] = ["".join(p) for p in pieces]
            frame["diffs"] = [token_diff(a, b) for a, b in zip(previous, pieces)] if previous is not None else []
            frame["changed"] = [any(op != "equal" for op, _ in d) for d in frame["diffs"]] or [False] * len(prompts)
            previous = pieces
            done = k + 1
            yield Progress.of(done, len(frames), start, "checkpoint")
    yield Finished(
        "done",
        {
            "run": frames[-1]["run"],
            "prompts": [m[-1]["content"] for m in prompts],
            "max_new_tokens": opts.max_new_tokens,
            "frames": frames,
        },
    )


def summary(result: dict) -> str:
    n = len(result["prompts"])
    lines = [f"{len(result['frames'])} checkpoints × {n} prompts (history of {result['run']})"]
    for f in result["frames"]:
        lines.append(f"{f['run']} · {f['stage']} · step {f['step']}: {sum(f['changed'])}/{n} answers changed")
    return "\n".join(lines)
