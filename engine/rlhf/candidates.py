"""Candidates to rank: a run answers each prompt N times (different seeds, and temperatures if given),
and every answer goes into the preference store with the run, decoding settings and seed that
produced it. `lmdojo-cli sample WS --run RUN --prompts FILE --n 4`; the compare view ranks them.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Iterator

import torch

from engine import checkpoint as ckpt
from engine.data.sft_data import load_prompts
from engine.events import Control, Finished, Progress
from engine.generate import SamplingConfig, chat
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.rlhf.prefs import PrefStore
from engine.tokenizer import load_tokenizer, tokenizer_hash


def sample_candidates(
    ws: Workspace,
    run: str = "",
    prompts: Path | None = None,
    n: int = 4,
    sampling: SamplingConfig | None = None,
    temperatures: tuple[float, ...] = (),
    limit: int = 0,
    seed: int = 0,
    device: str | torch.device = "cpu",
    control: Control | None = None,
) -> Iterator:
    """Answer i of a prompt uses seed `seed + i` and, when `temperatures` are given, temperature
    temperatures[i % len]. Each prompt's answers are stored together when they are all done."""
    from engine.data.demo_questions import demo_prompts
    from engine.train.runs import latest_checkpoint

    if n < 1:
        raise ValueError("n must be at least 1")
    if prompts:
        items = [p["messages"] for p in load_prompts(Path(prompts))]
    else:
        qa, unsafe = demo_prompts(ws, "heldout")
        items = [m for pair in zip(qa, unsafe) for m in pair] + qa[len(unsafe) :]  # both kinds from the start
    items = items[: limit or None]
    sampling = sampling or SamplingConfig(temperature=0.8, max_new_tokens=64)
    with Store(ws.db_path) as store:
        folder = latest_checkpoint(ws, store, "sft", run, "no model to sample from")
    tok = load_tokenizer(ws.tokenizer_path)
    model, meta = ckpt.load_gpt(folder, device, tokenizer_hash(ws.tokenizer_path))
    run_id = meta.get("run_id", str(folder))
    stored, start, status = 0, time.monotonic(), "done"
    with PrefStore(ws.db_path) as prefs:
        for k, messages in enumerate(items, 1):
            if control is not None and control.should_stop():
                status = "cancelled"
                break
            answers = []
            for i in range(n):
                sc = replace(sampling, temperature=temperatures[i % len(temperatures)]) if temperatures else sampling
                sc = replace(sc, seed=seed + i)
                out = chat(model, tok, messages, sc, torch.Generator().manual_seed(seed + i))
                answers.append((out.text.strip(), sc))
            prompt_id = prefs.add_prompt(
                messages[-1]["content"], messages if len(messages) > 1 else None, source=f"sample:{run_id}"
            )
            for text, sc in answers:
                prefs.add_response(
                    prompt_id, text, run_id=run_id, decoding=asdict(sc), seed=sc.seed, source=f"sample:{run_id}"
                )
                stored += 1
            elapsed = time.monotonic() - start
            yield Progress(
                k,
                len(items),
                stored,
                stored / max(elapsed, 1e-9),
                elapsed,
                elapsed / k * (len(items) - k),
                unit="prompts",
            )
    yield Finished(status, {"run": run_id, "prompts": len(items), "responses": stored})
