"""Knowledge and manners on the demo world: held-out QA about people the SFT set never mentioned.

For each run: the share of answers whose value is exactly the right fact (`qa_accuracy`; see
engine/compare/knowledge.py for the normalising) and the lenient share that contain it anywhere
(`qa_contains`); the share whose value's first token is the model's first choice after the
answer's opening (`first_token_accuracy`, teacher-forced); the share that end with the
end-of-turn token; the mean answer length in tokens; what always answering a field's commonest
value would score (`chance_by_field`); and for a pretraining run, how many of the facts in its
training biographies it memorised (`memorisation`).
"""

from __future__ import annotations

import math

import torch

from engine import checkpoint as ckpt
from engine.compare import knowledge as K
from engine.data.demo_questions import demo_questions, load_world
from engine.errors import DojoError
from engine.generate import SamplingConfig, chat
from engine.io.workspace import Workspace
from engine.tokenizer import END, special_id, tokenizer_for

EXAMPLES = 3  # answers kept per run, with the question and the fact


def pass_at_k(hits: list[list[bool]], k: int) -> float:
    """The share of questions a model gets right at least once in k tries, estimated from n >= k
    sampled answers per question with c right (Chen et al. 2021): 1 − C(n−c, k) / C(n, k)."""
    if not hits:
        return 0.0
    total = 0.0
    for h in hits:
        n, c = len(h), sum(h)
        if n < k:
            raise ValueError(f"pass@{k} needs at least {k} answers per question, got {n}")
        total += 1.0 - (math.comb(n - c, k) / math.comb(n, k))
    return total / len(hits)


def sampled_hits(
    model, tok, questions: list[dict], k: int, max_new_tokens: int, seed: int = 0, progress=None
) -> list[list[bool]]:
    """k answers per question sampled at temperature 1 (what RL samples from), each exact-match scored.
    `progress()` is called after each question."""
    from engine.generate import sample_batch
    from engine.tokenizer import EOT, chat_ids

    stops = {special_id(tok, END), special_id(tok, EOT)}
    sc = SamplingConfig(temperature=1.0, top_k=0, max_new_tokens=max_new_tokens)
    gen = torch.Generator().manual_seed(seed)
    out = []
    for q in questions:
        p_ids = chat_ids(tok, q["messages"], add_generation_prompt=True)[-(model.cfg.block_size // 2) :]
        answers = [tok.decode(ids).strip() for ids, _ in sample_batch(model, p_ids, k, sc, stops, gen)]
        out.append([K.exact_match(a, q["fact"], q["field"], q["lang"]) for a in answers])
        if progress:
            progress()
    return out


def evaluate_run(
    ws: Workspace,
    ref: str,
    questions: list[dict],
    max_new_tokens: int = 48,
    device: str | torch.device = "cpu",
    pass_k: int = 0,
    progress=None,
    choices: dict | None = None,
) -> dict:
    """`ref`'s greedy answers to `questions` (and with `pass_k`, that many sampled ones each);
    `progress()` is called after each question answered. With `choices` (knowledge.value_choices),
    also how often the right value is the model's first choice among them (`choice_accuracy`)."""
    folder = ckpt.resolve(ws.runs_dir, ref)
    tok, tok_hash = tokenizer_for(ws.tokenizer_path, ckpt.read_meta(folder).get("tokenizer_hash"))  # its own
    model, meta = ckpt.load_gpt(folder, device, tok_hash)
    end = special_id(tok, END)
    exact, loose, ended, length, examples = [], [], 0, 0, []
    for q in questions:
        out = chat(model, tok, q["messages"], SamplingConfig(greedy=True, max_new_tokens=max_new_tokens))
        if len(examples) < EXAMPLES:
            examples.append({"question": q["messages"][-1]["content"], "fact": q["fact"], "answer": out.text})
        exact.append(
            K.exact_match(out.text, q["fact"], q["field"], q["lang"])
            if "lang" in q
            else K.contains(out.text, q["fact"])
        )
        loose.append(K.contains(out.text, q["fact"]))
        ended += out.stop_token == end  # the end-of-turn token, not end-of-text
        length += len(out.token_ids)
        if progress:
            progress()
    probes = [
        p for q in questions if "answer" in q and (p := K.answer_opening(q["messages"], q["answer"], q["fact"], tok))
    ]
    first = K.first_token_hits(model, probes) if probes else []
    n = max(1, len(questions))

    def by_field(hits):  # some facts have few possible values (a city), where guessing scores well
        groups: dict[str, list[bool]] = {}
        for q, h in zip(questions, hits):
            groups.setdefault(q.get("field", "?"), []).append(h)
        return {f: round(sum(v) / len(v), 4) for f, v in sorted(groups.items())}

    result = {
        "run": meta.get("run_id", str(ref)),
        "checkpoint": str(folder),
        "stage": meta.get("stage"),
        "qa_accuracy": round(sum(exact) / n, 4),
        "qa_contains": round(sum(loose) / n, 4),
        "first_token_accuracy": round(sum(first) / len(first), 4) if first else None,
        "end_rate": round(ended / n, 4),
        "mean_length": round(length / n, 2),
        "questions": len(questions),
        "qa_by_field": by_field(exact),
        "qa_contains_by_field": by_field(loose),
        # what a reader checks first: the model's words beside the world's truth
        "examples": [e | {"right": h} for e, h in zip(examples, exact)],
    }
    if choices:  # what it can read out from the question: greedy's ceiling, and RL's as it re-weights
        result["choice_accuracy"] = K.choice_accuracy(model, tok, questions, choices)
    if pass_k:  # what sampling can reach: RL mostly re-weights answers the model already samples
        hits = sampled_hits(model, tok, questions, pass_k, max_new_tokens, progress=progress)
        result |= {
            "pass_k": pass_k,
            "pass_at_1": round(pass_at_k(hits, 1), 4),
            "pass_at_k": round(pass_at_k(hits, pass_k), 4),
        }
    if meta.get("stage") == "pretrain":
        result["memorisation"] = run_memorisation(ws, model, tok)
    return result


def run_memorisation(ws: Workspace, model, tok, limit: int = 600) -> dict | None:
    """`knowledge.memorisation` over the workspace's demo biographies that were trained on."""
    bios = K.demo_biographies(ws)
    if not bios:
        return None
    world = load_world(ws)
    return K.memorisation(model, tok, bios, {p["id"]: p["split"] for p in world["people"]}, limit)


def evaluate_runs(
    ws: Workspace,
    refs: list[str],
    limit: int = 200,
    device="cpu",
    pass_k: int = 0,
    split: str = "heldout",
    progress=None,
) -> dict:
    """Each run's answers to `limit` of the demo's questions of `split`: heldout (people no training
    set asks about), practice (those policy optimisation practises on) or train (SFT's people).
    `progress(done, total)` counts the questions answered (greedy, and sampled with `pass_k`)."""
    questions = demo_questions(ws, split, limit)
    if not questions:
        raise DojoError(f"the demo's {split} QA set is empty")
    world = load_world(ws)
    choices = K.value_choices(world)
    total, done = len(refs) * len(questions) * (2 if pass_k else 1), 0

    def step():
        nonlocal done
        done += 1
        progress(done, total)

    return {
        "runs": [
            evaluate_run(
                ws,
                r,
                questions,
                device=device,
                pass_k=pass_k,
                progress=step if progress else None,
                choices=choices,
            )
            for r in refs
        ],
        "chance_by_field": K.chance_by_field(world, questions),
    }
