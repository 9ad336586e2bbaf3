"""Distillation: a teacher run answers a list of prompts; the answers become an SFT set for a student.

`distill(ws, teacher, prompts)` yields Progress events and ends with Finished, whose result names
the written file. Prompts come from a text file (one per line), from any instruction dataset the SFT
stage reads (the conversation up to its last user turn; the dataset's own answers are ignored), or
from JSONL lines holding only a `prompt`. Answers the teacher did not finish within
`max_new_tokens` are left out by default: a student trained on them would learn not to stop.
The file is written once, at the end (or with what was done when cancelled), atomically.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterator

import torch

from engine import checkpoint as ckpt
from engine.data.sft_data import load_prompts
from engine.errors import DojoError
from engine.events import Control, Finished, Progress
from engine.generate import SamplingConfig, chat
from engine.io.fsutil import atomic_write_text
from engine.io.workspace import Workspace
from engine.tokenizer import END, load_tokenizer, special_id, tokenizer_hash


def distill(
    ws: Workspace,
    teacher: str,
    prompts: Path | None = None,
    out: Path | None = None,
    sampling: SamplingConfig | None = None,
    keep_unfinished: bool = False,
    limit: int = 0,
    device: str | torch.device = "cpu",
    control: Control | None = None,
) -> Iterator:
    prompts = Path(prompts) if prompts else ws.data_dir / "sft" / "train.jsonl"
    items = load_prompts(prompts)[: limit or None]
    sampling = sampling or SamplingConfig(greedy=True, max_new_tokens=96)
    tok = load_tokenizer(ws.tokenizer_path)
    folder = ckpt.resolve(ws.runs_dir, teacher)
    model, meta = ckpt.load_gpt(folder, device, tokenizer_hash(ws.tokenizer_path))
    teacher_id = meta.get("run_id", folder.parent.parent.name)
    out = Path(out) if out else ws.data_dir / "sft" / f"distilled-{teacher_id}.jsonl"
    end = special_id(tok, END)
    lines, unfinished, tokens = [], 0, 0
    start = time.monotonic()
    status = "done"
    for i, item in enumerate(items, 1):
        if control is not None and control.should_stop():
            status = "cancelled"
            break
        gen = torch.Generator().manual_seed((sampling.seed or 0) + i)
        answer = chat(model, tok, item["messages"], sampling, gen)
        tokens += len(answer.token_ids)
        if answer.stop_token != end or not answer.text.strip():
            unfinished += 1
            if not keep_unfinished or not answer.text.strip():
                continue
        rec = {
            "id": f"distill-{item['id']}",
            "messages": item["messages"] + [{"role": "assistant", "content": answer.text.strip()}],
            "metadata": {
                "teacher": teacher_id,
                "teacher_checkpoint": str(folder),
                "source": item["source"],
                "finished": answer.stop_token == end,
            },
        }
        lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        elapsed = time.monotonic() - start
        yield Progress(
            i, len(items), tokens, tokens / max(elapsed, 1e-9), elapsed, elapsed / i * (len(items) - i), unit="prompts"
        )
    result = {
        "file": None,
        "teacher": teacher_id,
        "prompts": len(items),
        "examples": len(lines),
        "unfinished": unfinished,
        "tokens": tokens,
    }
    if not lines and status == "cancelled":
        yield Finished(status, result)
        return
    if not lines:
        raise DojoError(
            f"the teacher {teacher_id} finished none of its {len(items)} answers "
            "(is it an SFT run? raise max_new_tokens, or keep unfinished answers)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, "".join(lines))
    yield Finished(status, result | {"file": str(out)})
