"""Knowledge and manners on the demo world: held-out QA about people the SFT set never mentioned.

For each run: the share of answers that state the right fact (the fact's text appears in the
answer), the share that end with the end-of-turn token, and the mean answer length in tokens.
"""
from __future__ import annotations

import json

import torch

from engine import checkpoint as ckpt
from engine.data.demo import fact_value
from engine.errors import DojoError
from engine.generate import SamplingConfig, chat
from engine.tokenizer import END, load_tokenizer, special_id, tokenizer_hash
from engine.workspace import Workspace


def demo_questions(ws: Workspace, split: str = "heldout", limit: int = 0) -> list[dict]:
    """The demo's single-fact questions: {"messages" (up to the question), "field", "fact" (the
    text a right answer contains)} from data/sft/heldout.jsonl (people the SFT set never mentions)
    or data/sft/train.jsonl."""
    path, world = ws.data_dir / "sft" / f"{split}.jsonl", ws.data_dir / "world.json"
    if not path.is_file() or not world.is_file():
        raise DojoError(f"no demo QA set in {ws.root} (it comes with lmdojo-cli init --demo)")
    people = {p["id"]: p for p in json.loads(world.read_text(encoding="utf-8"))["people"]}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        md = rec.get("metadata", {})
        if md.get("kind") != "qa" or len(md.get("fields", [])) != 1 or md.get("person") not in people:
            continue
        out.append({"messages": rec["messages"][:-1], "field": md["fields"][0],
                    "fact": fact_value(people[md["person"]], md["fields"][0], md["lang"])})
        if len(out) == limit:
            break
    return out


def demo_prompts(ws: Workspace, split: str) -> tuple[list[list[dict]], list[list[dict]]]:
    """(questions about people, unsafe requests) as chat prompts. train: the SFT people's
    questions, the unsafe requests of the SFT set and those kept for practice in policy
    optimisation (in no file); heldout: the other people's questions and unsafe requests no
    training file or practice set contains."""
    from engine.data import demo_pools as P

    qa = [q["messages"] for q in demo_questions(ws, split)]
    pool = ({lang: P.CHAT[lang]["unsafe"][0] + P.RL_UNSAFE[lang] for lang in P.CHAT} if split == "train"
            else P.HELDOUT_UNSAFE)
    both = [p for pair in zip(*(pool[lang] for lang in sorted(pool))) for p in pair]  # languages alternate
    return qa, [[{"role": "user", "content": p}] for p in both]


def heldout_questions(ws: Workspace, limit: int = 200) -> list[dict]:
    return demo_questions(ws, "heldout", limit)


def evaluate_run(ws: Workspace, ref: str, questions: list[dict], max_new_tokens: int = 48,
                 device: str | torch.device = "cpu") -> dict:
    tok = load_tokenizer(ws.tokenizer_path)
    folder = ckpt.resolve(ws.runs_dir, ref)
    model, meta = ckpt.load_gpt(folder, device, tokenizer_hash(ws.tokenizer_path))
    end = special_id(tok, END)
    correct = ended = length = 0
    by_field: dict[str, list[int]] = {}
    for q in questions:
        out = chat(model, tok, q["messages"], SamplingConfig(greedy=True, max_new_tokens=max_new_tokens))
        right = q["fact"].lower() in out.text.lower()
        correct += right
        by_field.setdefault(q.get("field", "?"), []).append(right)
        ended += out.stop_token == end  # the end-of-turn token, not end-of-text
        length += len(out.token_ids)
    n = max(1, len(questions))
    return {"run": meta.get("run_id", str(ref)), "checkpoint": str(folder), "stage": meta.get("stage"),
            "qa_accuracy": round(correct / n, 4), "end_rate": round(ended / n, 4),
            "mean_length": round(length / n, 2), "questions": len(questions),
            # per fact: some facts have few possible values (a city), where guessing scores well
            "qa_by_field": {f: round(sum(v) / len(v), 4) for f, v in sorted(by_field.items())}}


def evaluate_runs(ws: Workspace, refs: list[str], limit: int = 200, device="cpu") -> dict:
    questions = heldout_questions(ws, limit)
    if not questions:
        raise DojoError("the held-out QA set is empty")
    return {"runs": [evaluate_run(ws, r, questions, device=device) for r in refs]}

