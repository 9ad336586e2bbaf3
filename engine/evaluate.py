"""Knowledge and manners on the demo world: held-out QA about people the SFT set never mentioned.

For each run: the share of answers whose value is exactly the right fact (`qa_accuracy`; see
engine/knowledge.py for the normalising) and the lenient share that contain it anywhere
(`qa_contains`); the share whose value's first token is the model's first choice after the
answer's opening (`first_token_accuracy`, teacher-forced); the share that end with the
end-of-turn token; the mean answer length in tokens; what always answering a field's commonest
value would score (`chance_by_field`); and for a pretraining run, how many of the facts in its
training biographies it memorised (`memorisation`).
"""
from __future__ import annotations

import json
import random

import torch

from engine import checkpoint as ckpt
from engine import knowledge as K
from engine.data.demo import fact_value
from engine.errors import DojoError
from engine.generate import SamplingConfig, chat
from engine.tokenizer import END, special_id, tokenizer_for
from engine.workspace import Workspace


def demo_questions(ws: Workspace, split: str = "heldout", limit: int = 0) -> list[dict]:
    """The demo's single-fact questions: {"messages" (up to the question), "field", "lang", "person",
    "answer" (the right one), "fact" (its value)} from data/sft/heldout.jsonl (people the SFT set
    never mentions) or data/sft/train.jsonl; with `limit`, that many spread evenly over the file."""
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
        out.append({"messages": rec["messages"][:-1], "field": md["fields"][0], "lang": md["lang"],
                    "person": md["person"], "answer": rec["messages"][-1]["content"],
                    "fact": fact_value(people[md["person"]], md["fields"][0], md["lang"])})
    if limit and len(out) > limit:  # a seeded sample over the file: every person, field and language
        out = [out[i] for i in sorted(random.Random(f"demo-questions:{split}").sample(range(len(out)), limit))]
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
    folder = ckpt.resolve(ws.runs_dir, ref)
    tok, tok_hash = tokenizer_for(ws.tokenizer_path, ckpt.read_meta(folder).get("tokenizer_hash"))  # its own
    model, meta = ckpt.load_gpt(folder, device, tok_hash)
    end = special_id(tok, END)
    exact, loose, ended, length = [], [], 0, 0
    for q in questions:
        out = chat(model, tok, q["messages"], SamplingConfig(greedy=True, max_new_tokens=max_new_tokens))
        exact.append(K.exact_match(out.text, q["fact"], q["field"], q["lang"]) if "lang" in q
                     else K.contains(out.text, q["fact"]))
        loose.append(K.contains(out.text, q["fact"]))
        ended += out.stop_token == end  # the end-of-turn token, not end-of-text
        length += len(out.token_ids)
    probes = [p for q in questions if "answer" in q and (p := K.answer_opening(q["messages"], q["answer"], q["fact"], tok))]
    first = K.first_token_hits(model, probes) if probes else []
    n = max(1, len(questions))

    def by_field(hits):  # some facts have few possible values (a city), where guessing scores well
        groups: dict[str, list[bool]] = {}
        for q, h in zip(questions, hits):
            groups.setdefault(q.get("field", "?"), []).append(h)
        return {f: round(sum(v) / len(v), 4) for f, v in sorted(groups.items())}

    result = {"run": meta.get("run_id", str(ref)), "checkpoint": str(folder), "stage": meta.get("stage"),
              "qa_accuracy": round(sum(exact) / n, 4), "qa_contains": round(sum(loose) / n, 4),
              "first_token_accuracy": round(sum(first) / len(first), 4) if first else None,
              "end_rate": round(ended / n, 4), "mean_length": round(length / n, 2), "questions": len(questions),
              "qa_by_field": by_field(exact), "qa_contains_by_field": by_field(loose)}
    if meta.get("stage") == "pretrain":
        result["memorisation"] = run_memorisation(ws, model, tok)
    return result


def run_memorisation(ws: Workspace, model, tok, limit: int = 600) -> dict | None:
    """`knowledge.memorisation` over the workspace's demo biographies that were trained on."""
    bios = K.demo_biographies(ws)
    if not bios:
        return None
    world = json.loads((ws.data_dir / "world.json").read_text(encoding="utf-8"))
    return K.memorisation(model, tok, bios, {p["id"]: p["split"] for p in world["people"]}, limit)


def evaluate_runs(ws: Workspace, refs: list[str], limit: int = 200, device="cpu") -> dict:
    questions = heldout_questions(ws, limit)
    if not questions:
        raise DojoError("the held-out QA set is empty")
    world = json.loads((ws.data_dir / "world.json").read_text(encoding="utf-8"))
    return {"runs": [evaluate_run(ws, r, questions, device=device) for r in refs],
            "chance_by_field": K.chance_by_field(world, questions)}
