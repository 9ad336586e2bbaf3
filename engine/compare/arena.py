"""Side by side: checkpoints of every stage answer the same prompt, token by token, and the answers
go into the preference store to be ranked.

`contenders(ws)` lists what can answer (every run with a checkpoint, with its stage and lineage).
`side_by_side(ws, columns, messages)` is a job: it yields a `Token` event per generated token
(columns take turns, so they grow together on screen) and ends with `Finished`, whose result holds
the stored prompt and response ids a ranking refers to. `Queue` walks a list of prompts and
remembers how far a person got, so a labelling session can be resumed another day.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Iterator

import torch

from engine import checkpoint as ckpt
from engine.config import knob
from engine.errors import DojoError
from engine.events import Control, Finished, Progress
from engine.generate import SamplingConfig, sample_steps
from engine.io.store import Handle, Store, connect
from engine.io.workspace import Workspace
from engine.rlhf.prefs import PrefStore
from engine.tokenizer import END, EOT, TextStream, chat_ids, load_tokenizer, special_id, token_display, tokenizer_hash

MAX_COLUMNS = 4
TOP_ALTERNATIVES = 5


@dataclass
class Token:
    """One generated token of one column: `text` is what it adds to the answer ("" while it holds
    only part of a character's bytes; the character arrives with the token that completes it)."""

    column: int
    token_id: int
    text: str
    prob: float  # of the chosen token under the decoding settings
    top: list[tuple[str, float]] = field(default_factory=list)  # the most likely tokens here
    end: bool = False  # the end-of-turn token: the answer is complete


@dataclass
class Decoding:
    """The decoding settings a person picks for the compare view (shared, or per column)."""

    greedy: bool = knob(False, "Always take the most likely token: the same answer every time.")
    temperature: float = knob(0.8, "Below 1: safer, more repetitive; above 1: more surprising.", min=0.05, max=2.0)
    top_k: int = knob(50, "Sample only among the k most likely tokens (0 = all).", min=0)
    top_p: float = knob(
        1.0, "Sample only among the most likely tokens that together reach p (1 = all).", min=0.05, max=1.0
    )
    repetition_penalty: float = knob(1.0, "Above 1: tokens already in the text get less likely.", min=1.0, max=3.0)
    eos_bias: float = knob(
        0.0, "Added to the end-of-turn token's logit: above 0 ends answers sooner.", min=-10.0, max=10.0
    )
    max_new_tokens: int = knob(64, "Longest answer in tokens.", min=1, max=1024)
    seed: int = knob(0, "Seed of the first answer; each further answer adds one.", min=0)

    def sampling(self, offset: int = 0) -> SamplingConfig:
        return SamplingConfig(
            greedy=self.greedy,
            temperature=self.temperature,
            top_k=self.top_k,
            top_p=self.top_p,
            repetition_penalty=self.repetition_penalty,
            eos_bias=self.eos_bias,
            max_new_tokens=self.max_new_tokens,
            seed=self.seed + offset,
        )


@dataclass
class Column:
    ref: str  # run id or checkpoint folder
    decoding: SamplingConfig = field(default_factory=lambda: SamplingConfig(max_new_tokens=64))


def lineage(parent: str | None) -> str:
    """'pretrain-0003 @ step 1550' for a checkpoint folder of a workspace; 'scratch' for none."""
    if not parent:
        return "scratch"
    found = ckpt.run_and_step(parent)
    return f"{found[0]} @ step {found[1]}" if found else parent


def contenders(ws: Workspace) -> list[dict]:
    """Runs that can answer: [{"run", "stage", "status", "lineage", "checkpoint"}], newest first."""
    out = []
    with Store(ws.db_path) as store:
        runs = store.runs()
    for r in runs:
        if r["stage"] == "reward":
            continue  # a reward model scores answers, it does not write them
        try:
            folder = ckpt.resolve(ws.runs_dir, r["id"])
        except DojoError:
            continue  # no finished checkpoint yet
        out.append(
            {
                "run": r["id"],
                "stage": r["stage"],
                "status": r["status"],
                "lineage": lineage(r.get("parent")),
                "checkpoint": str(folder),
            }
        )
    return sorted(out, key=lambda c: c["run"], reverse=True)


def side_by_side(
    ws: Workspace,
    columns: list[Column],
    messages: list[dict],
    control: Control | None = None,
    device: str | torch.device = "cpu",
    source: str = "compare",
    store: bool = True,
) -> Iterator:
    """Every column answers `messages` (ending with a user turn); Token events interleaved, then
    Finished with {"prompt_id", "answers": [{"column", "run", "stage", "response_id", "text",
    "ended", "tokens"}]}. A stop keeps what was generated (status "cancelled")."""
    if not 1 <= len(columns) <= MAX_COLUMNS:
        raise DojoError(f"compare 1 to {MAX_COLUMNS} answers at a time, not {len(columns)}")
    if not messages or messages[-1].get("role") != "user" or not str(messages[-1].get("content", "")).strip():
        raise DojoError("type a prompt first")
    tok = load_tokenizer(ws.tokenizer_path)
    tok_hash = tokenizer_hash(ws.tokenizer_path)
    end, eot = special_id(tok, END), special_id(tok, EOT)
    models: dict[str, tuple] = {}  # the same checkpoint in two columns is loaded once
    infos = []
    for col in columns:
        folder = str(ckpt.resolve(ws.runs_dir, col.ref))
        if folder not in models:
            models[folder] = ckpt.load_gpt(folder, device, tok_hash)
        model, meta = models[folder]
        infos.append((model, meta.get("run_id", col.ref), meta.get("stage", "?")))
    prompt_ids = chat_ids(tok, messages, add_generation_prompt=True)
    streams, texts, ended, counts, gens = [], [], [], [], []
    for k, (col, (model, _, _)) in enumerate(zip(columns, infos)):
        seed = col.decoding.seed if col.decoding.seed is not None else k
        gen = torch.Generator().manual_seed(seed)
        bias = {end: col.decoding.eos_bias} if col.decoding.eos_bias else None
        gens.append(sample_steps(model, prompt_ids, col.decoding, {end, eot}, gen, bias))
        streams.append(TextStream(tok))
        texts.append("")
        ended.append(False)
        counts.append(0)
    live = set(range(len(columns)))
    status, start, produced = "done", time.monotonic(), 0
    while live:
        if control is not None and control.should_stop():
            status = "cancelled"
            break
        for k in sorted(live):
            step = next(gens[k], None)
            if step is None:
                live.discard(k)
                continue
            t, p, probs = step
            top = torch.topk(probs, min(TOP_ALTERNATIVES, probs.numel()))
            alts = [(token_display(tok, int(i)), round(float(v), 4)) for v, i in zip(top.values, top.indices)]
            counts[k] += 1
            produced += 1
            if t in (end, eot):
                ended[k] = t == end
                live.discard(k)
                yield Token(k, t, "", round(p, 4), alts, end=True)
                continue
            piece = streams[k].add(t)
            texts[k] += piece
            yield Token(k, t, piece, round(p, 4), alts)
        elapsed = time.monotonic() - start
        yield Progress(max(counts), None, produced, produced / max(elapsed, 1e-9), elapsed, None, unit="token")
    answers = [
        {
            "column": k,
            "run": infos[k][1],
            "stage": infos[k][2],
            "text": texts[k].strip(),
            "ended": ended[k],
            "tokens": counts[k],
            "response_id": None,
        }
        for k in range(len(columns))
    ]
    prompt_id = None
    if store:
        with PrefStore(ws.db_path) as prefs:
            prompt_id = prefs.add_prompt(
                messages[-1]["content"], messages if len(messages) > 1 else None, source=source
            )
            for a, col in zip(answers, columns):
                decoding = asdict(col.decoding) | {"ended": a["ended"], "stopped_by_user": status == "cancelled"}
                a["response_id"] = prefs.add_response(
                    prompt_id, a["text"], run_id=a["run"], decoding=decoding, seed=col.decoding.seed, source=source
                )
    yield Finished(status, {"prompt_id": prompt_id, "answers": answers})


# -- queues: a prompt list to label, resumable ------------------------------------------------

_QUEUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS compare_queues (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,         -- {"prompts": [messages...], "runs": [...], "samples": n, "decoding": {...}}
    position INTEGER NOT NULL DEFAULT 0,  -- prompts finished (ranked or skipped)
    created TEXT NOT NULL
)"""


@dataclass
class Queue:
    id: int
    name: str
    prompts: list[list[dict]]
    runs: list[str]
    samples: int  # answers per run and prompt
    decoding: dict
    position: int

    @property
    def done(self) -> bool:
        return self.position >= len(self.prompts)

    def columns(self) -> list[Column]:
        """Each run answers `samples` times, each time with its own seed (at most MAX_COLUMNS)."""
        base = SamplingConfig(**self.decoding)
        seed = base.seed or 0
        cols = [
            Column(r, replace(base, seed=seed + 1000 * self.position + s))
            for r in self.runs
            for s in range(self.samples)
        ]
        return cols[:MAX_COLUMNS]

    def current(self) -> list[dict] | None:
        return None if self.done else self.prompts[self.position]


class Queues(Handle):
    """Labelling sessions in the workspace database, beside the preference store."""

    def __init__(self, ws: Workspace):
        self.conn = connect(ws.db_path)
        self.conn.execute(_QUEUE_SCHEMA)

    def create(
        self,
        name: str,
        prompts: list[list[dict]],
        runs: list[str],
        samples: int = 1,
        decoding: SamplingConfig | None = None,
    ) -> Queue:
        if not prompts:
            raise DojoError("the queue has no prompts")
        if not runs or samples < 1 or len(runs) * samples < 2:
            raise DojoError("a queue needs at least two answers per prompt (two runs, or samples ≥ 2)")
        spec = {
            "prompts": prompts,
            "runs": list(runs),
            "samples": samples,
            "decoding": asdict(decoding or SamplingConfig(max_new_tokens=64)),
        }
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO compare_queues (name, spec, created) VALUES (?, ?, ?)",
                (name, json.dumps(spec, ensure_ascii=False), time.strftime("%Y-%m-%d %H:%M:%S")),
            )
        return self.get(cur.lastrowid)

    def get(self, queue_id: int) -> Queue:
        row = self.conn.execute(
            "SELECT id, name, spec, position FROM compare_queues WHERE id = ?", (queue_id,)
        ).fetchone()
        if row is None:
            raise DojoError(f"no queue {queue_id}")
        spec = json.loads(row[2])
        return Queue(row[0], row[1], spec["prompts"], spec["runs"], spec["samples"], spec["decoding"], row[3])

    def list(self) -> list[Queue]:
        return [self.get(r[0]) for r in self.conn.execute("SELECT id FROM compare_queues ORDER BY id DESC")]

    def move(self, queue_id: int, by: int = 1) -> Queue:
        """Advance after a ranking (or go back on undo); committed at once like a judgement."""
        q = self.get(queue_id)
        pos = max(0, min(len(q.prompts), q.position + by))
        with self.conn:
            self.conn.execute("UPDATE compare_queues SET position = ? WHERE id = ?", (pos, queue_id))
        return replace(q, position=pos)
