"""What a model knows of the demo world: exact-match scoring and teacher-forced probes.

* `answer_value` / `exact_match`: the value an answer states, read through the demo's answer
  wording ("She was born in {value}."), compared with the fact after normalising case,
  spaces, punctuation and full/half width. `contains` is the lenient score (the fact anywhere).
* `first_token_hits`: whether the model's most likely next token, after a given context, is the
  right one (teacher-forced: the context is given, nothing is generated).
* `memorisation`: for each fact in the training biographies, whether the model predicts the first
  token of its value from the biography's text before it — what pretraining stored. Allen-Zhu & Li
  trained until this was ≥ 99% before fine-tuning: a fact not memorised cannot be extracted.
* `answer_opening`: the same probe on a question, after the answer's opening ("She was born
  in"): whether the knowledge is reachable from the question.
* `choice_hits`: whether, of every value the field takes in the world, the model gives the right
  one the likeliest answer to the question — what it can read out of its memory from the question,
  whatever it samples. Greedy answers come close to this; RL, which re-weights what the model
  samples, moves greedy answers up to it and moves it only as far as practising on other people
  teaches reading out. pass@k counts second and third choices too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import torch

from engine.data import demo_texts as T
from engine.tokenizer import EOT, chat_ids, special_id

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case, width (NFKC: full-width Ａ１，→ A1,), punctuation and runs of spaces folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def _frame(lang: str, field: str) -> re.Pattern:
    """The answer wording of a field as a pattern whose group `value` is what the answer states."""
    template = T.ANSWERS[lang][field]
    before, after = (re.sub(r"\{[A-Za-z]+\}", "", part) for part in template.split("{value}"))

    def words(s: str) -> str:
        return re.escape(s.strip().rstrip(".。")).replace(r"\ ", r"\s+")

    return re.compile(
        r"^.*?" + words(before) + r"\s*(?P<value>.*?)\s*" + words(after) + r"[\s\W_]*$", re.IGNORECASE | re.DOTALL
    )


_FRAMES = {(lang, field): _frame(lang, field) for lang in T.ANSWERS for field in T.FIELDS}


def answer_value(answer: str, field: str, lang: str) -> str:
    """What the answer gives as the value: the text after the field's answer wording up to the
    closing punctuation, or the whole answer when it does not use that wording (a bare value)."""
    text = unicodedata.normalize("NFKC", answer).strip()
    frame = _FRAMES.get((lang, field))
    m = frame.match(text) if frame else None
    return m.group("value") if m else text


def exact_match(answer: str, fact: str, field: str, lang: str) -> bool:
    return normalise(answer_value(answer, field, lang)) == normalise(fact)


def contains(answer: str, fact: str) -> bool:
    return normalise(fact) in normalise(answer)


# --------------------------------------------------------------------------- teacher-forced probes


def _logits_in_batches(model, seqs: list[list[int]], batch: int):
    """(rows, logits) for `seqs`, `batch` at a time: each row cut to the model's block (its end kept)
    and right-padded (causal attention never reads the pad); the model in eval mode meanwhile."""
    was_training = model.training
    model.eval()
    block = model.cfg.block_size
    try:
        for i in range(0, len(seqs), batch):
            rows = [s[-block:] for s in seqs[i : i + batch]]
            x = torch.zeros((len(rows), max(len(r) for r in rows)), dtype=torch.long)
            for r, ids in enumerate(rows):
                x[r, : len(ids)] = torch.tensor(ids)
            yield rows, model(x.to(model.tok_emb.weight.device))[0]
    finally:
        model.train(was_training)


@torch.inference_mode()
def first_token_hits(model, items: list[tuple[list[int], int]], batch: int = 64) -> list[bool]:
    """items: (context token ids, the right next token). For each, whether the model's most likely
    next token is the right one. Contexts longer than the model's block keep their end."""
    guesses: list[int] = []
    for rows, logits in _logits_in_batches(model, [ctx for ctx, _ in items], batch):
        last = torch.tensor([len(r) - 1 for r in rows], device=logits.device)
        guesses += logits[torch.arange(len(rows), device=logits.device), last].argmax(-1).tolist()
    return [g == t for g, (_, t) in zip(guesses, items)]


def split_at_value(tok, text: str, start: int, prefix: list[int] | None = None) -> tuple[list[int], int]:
    """(context, target): the tokens of `text` before the token that holds character `start` (the
    value's first character), after `prefix`; and that token. A token that merges the end of the
    wording with the start of the value (BPE does so in Chinese) is the target itself."""
    enc = tok.encode(text, add_special_tokens=False)
    i = next((k for k, (_, end) in enumerate(enc.offsets) if end > start), len(enc.ids) - 1)
    return list(prefix or []) + enc.ids[:i], enc.ids[i]


def answer_opening(messages: list[dict], answer: str, fact: str, tok) -> tuple[list[int], int] | None:
    """The probe of one question: the chat prompt and the answer up to its value, and the value's
    first token; None when the answer does not state the fact."""
    start = answer.find(fact)
    if start < 0:
        return None
    prompt = chat_ids(tok, messages, add_generation_prompt=True)
    return split_at_value(tok, answer, start, prompt)


def value_choices(world: dict) -> dict[tuple[str, str], list[str]]:
    """Every value each field takes in the demo world, per language: what `choice_hits` chooses among."""
    from engine.data.demo import fact_value

    out: dict[tuple[str, str], set[str]] = {}
    for p in world["people"]:
        for field in world["fields"]:
            for lang in T.ANSWERS:
                out.setdefault((field, lang), set()).add(fact_value(p, field, lang))
    return {k: sorted(v) for k, v in out.items()}


@torch.inference_mode()
def answer_logprobs(model, rows: list[tuple[list[int], list[int]]], batch: int = 64) -> list[float]:
    """rows: (prompt ids, answer ids). Each answer's log-probability after its prompt (summed over
    its tokens). A row longer than the model's block keeps its end."""
    lengths = iter([min(len(a), model.cfg.block_size - 1) for _, a in rows])
    out: list[float] = []
    for chunk, logits in _logits_in_batches(model, [p + a for p, a in rows], batch):
        logp = torch.log_softmax(logits.float(), -1)
        for r, ids in enumerate(chunk):
            n = next(lengths)
            pos = torch.arange(len(ids) - 1 - n, len(ids) - 1, device=logp.device)  # the positions that predict it
            out.append(float(logp[r, pos, torch.tensor(ids[len(ids) - n :], device=logp.device)].sum()))
    return out


def choice_hits(model, tok, questions: list[dict], choices: dict[tuple[str, str], list[str]]) -> list[bool]:
    """For each question ({"messages", "answer", "fact", "field", "lang"}): whether its right answer is
    likelier than the same answer with any other value of the field (`value_choices`) in its place.
    A question whose answer does not state its fact, or whose field has no other value, is left out."""
    rows, spans, right = [], [], []
    for q in questions:
        values = choices.get((q.get("field"), q.get("lang")), [])
        if q.get("fact") not in values or len(values) < 2 or q["fact"] not in q.get("answer", ""):
            continue
        prompt = chat_ids(tok, q["messages"], add_generation_prompt=True)
        spans.append((len(rows), len(values)))
        right.append(values.index(q["fact"]))
        rows += [(prompt, tok.encode(q["answer"].replace(q["fact"], v), add_special_tokens=False).ids) for v in values]
    scores = answer_logprobs(model, rows) if rows else []
    hits = []
    for (start, n), r in zip(spans, right):
        mine = scores[start : start + n]
        hits.append(all(mine[r] > s for i, s in enumerate(mine) if i != r))
    return hits


def choice_accuracy(model, tok, questions: list[dict], choices: dict[tuple[str, str], list[str]]) -> float | None:
    """The share of `choice_hits` that hit (None when no question could be scored)."""
    hits = choice_hits(model, tok, questions, choices)
    return round(sum(hits) / len(hits), 4) if hits else None


# --------------------------------------------------------------------------- the demo's biographies


def demo_biographies(ws, trained_only: bool = True) -> list[dict]:
    """The demo corpus's biographies with the spans of their facts; with `trained_only`, only those
    the workspace's token shards put in the training split (when the shards are there)."""
    path = ws.data_dir / "corpus" / "demo.jsonl"
    if not path.is_file():
        return []
    bios = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:  # a probe, not a stage: a line someone edited into something else is passed over
            d = json.loads(line)
            md, text = d["metadata"], d["text"]
            if (
                md.get("kind") == "bio"
                and md.get("facts")
                and all(0 <= s < e <= len(text) for s, e in md["facts"].values())
            ):
                bios.append(d)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    trained = _trained_ids(ws.tokens_dir) if trained_only else None
    return [b for b in bios if trained is None or b["id"] in trained]


def _trained_ids(tokens_dir: Path) -> set[str] | None:
    files = sorted(tokens_dir.glob("train_*.ids"))
    if not files:
        return None
    return {line.rstrip("\n") for f in files for line in f.read_text(encoding="utf-8").splitlines()}


def memorisation_probes(tok, bios: list[dict], people: dict | None = None, limit: int = 0):
    """The probes of `memorisation`, made once: ([(context, target)], [(field, lang, split)])."""
    if limit and len(bios) > limit:
        step = len(bios) / limit
        bios = [bios[int(i * step)] for i in range(limit)]
    eot = special_id(tok, EOT)
    items, keys = [], []
    for b in bios:
        md = b["metadata"]
        for field, (start, _) in md["facts"].items():
            items.append(split_at_value(tok, b["text"], start, [eot]))
            keys.append((field, md["lang"], (people or {}).get(md["person"])))
    return items, keys


def memorisation(model, tok, bios: list[dict], people: dict | None = None, limit: int = 0) -> dict:
    """Share of the facts in `bios` whose value's first token the model predicts from the text
    before it (each biography read from its start, after the end-of-text token, as in training).
    With `people` (id -> split), also per split ("sft" / "heldout"); always per field and language.
    `limit` spreads at most that many biographies over the list."""
    items, keys = memorisation_probes(tok, bios, people, limit)
    hits = first_token_hits(model, items) if items else []
    return _shares(hits, keys) | {"facts": len(hits), "biographies": min(len(bios), limit) if limit else len(bios)}


def _shares(hits: list[bool], keys: list[tuple]) -> dict:
    def share(sel):
        sel = list(sel)
        return round(sum(sel) / len(sel), 4) if sel else None

    out = {"all": share(hits)}
    out["by_field"] = {f: share(h for h, k in zip(hits, keys) if k[0] == f) for f in sorted({k[0] for k in keys})}
    out["by_lang"] = {
        lang: share(h for h, k in zip(hits, keys) if k[1] == lang) for lang in sorted({k[1] for k in keys})
    }
    splits = sorted({k[2] for k in keys if k[2]})
    if splits:
        out["by_split"] = {s: share(h for h, k in zip(hits, keys) if k[2] == s) for s in splits}
    return out


def chance_by_field(world: dict, questions: list[dict]) -> dict:
    """Accuracy of always answering a field's commonest value (among the fine-tuning people) on
    `questions` ({"field", "lang", "fact"}): what guessing scores, per field and overall."""
    sft_people = [p for p in world["people"] if p.get("split") == "sft"] or world["people"]
    from engine.data.demo import fact_value

    best = {
        (f, lang): Counter(fact_value(p, f, lang) for p in sft_people).most_common(1)[0][0]
        for f in world["fields"]
        for lang in T.ANSWERS
    }
    hits: dict[str, list[bool]] = {}
    for q in questions:
        guess = best.get((q["field"], q["lang"]), "")
        hits.setdefault(q["field"], []).append(normalise(guess) == normalise(q["fact"]))
    total = [h for v in hits.values() for h in v]
    return {
        "all": round(sum(total) / max(1, len(total)), 4),
        **{f: round(sum(v) / len(v), 4) for f, v in sorted(hits.items())},
    }
