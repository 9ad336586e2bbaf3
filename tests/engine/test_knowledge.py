"""What a model knows (engine/compare/knowledge.py): exact-match scoring by hand, and the teacher-forced
probes on a model trained to recite a three-person world."""

from __future__ import annotations

import random

import pytest
import torch

from engine.compare import knowledge as K
from engine.data import demo_texts as T
from engine.data.demo import DemoConfig, _make_people, biography, fact_value
from engine.losses import IGNORE_INDEX
from engine.model import GPT, GPTConfig
from engine.tokenizer import EOT, special_id, train_tokenizer


@pytest.mark.parametrize(
    "answer, fact, field, lang, right",
    [
        ("She was born in Lumen Bay.", "Lumen Bay", "birthplace", "en", True),
        ("she was born in  lumen bay", "Lumen Bay", "birthplace", "en", True),  # case, spaces, no stop
        ("Lumen Bay", "Lumen Bay", "birthplace", "en", True),  # a bare value
        ("He was born in Lumen Bay, a harbour city.", "Lumen Bay", "birthplace", "en", False),  # more than the value
        ("He was born in Lumen Bay Bay.", "Lumen Bay", "birthplace", "en", False),
        ("She was born in Redcliff or Lumen Bay.", "Lumen Bay", "birthplace", "en", False),  # "contains" would pass
        ("He works as a nurse.", "a nurse", "occupation", "en", True),
        ("He works as nurse.", "a nurse", "occupation", "en", False),
        ("Mara Quinn was born on 3 May 1970.", "3 May 1970", "birthday", "en", True),  # another subject
        ("She was born on 3 May 1971.", "3 May 1970", "birthday", "en", False),
        ("她出生在流明灣。", "流明灣", "birthplace", "zh", True),
        ("她出生在流明灣灣。", "流明灣", "birthplace", "zh", False),
        ("他於１９７０年５月３日出生。", "1970年5月3日", "birthday", "zh", True),  # full-width digits
        ("他於1970年5月3日出生。他於1970年5月3日出生。", "1970年5月3日", "birthday", "zh", False),  # said twice
        ("林雅婷在北極星銀行工作", "北極星銀行", "employer", "zh", True),  # the name, no 。
        ("他的興趣是游泳！", "游泳", "hobby", "zh", True),  # full-width punctuation
        ("他的興趣是游泳和下棋。", "游泳", "hobby", "zh", False),
    ],
)
def test_exact_match_by_hand(answer, fact, field, lang, right):
    assert K.exact_match(answer, fact, field, lang) is right
    assert K.contains(answer, fact) or not right


def test_normalise_folds_case_width_punctuation_and_spaces():
    assert K.normalise("  Ｌｕｍｅｎ　Bay! ") == "lumen bay"
    assert K.normalise("1970年5月3日。") == K.normalise("１９７０年５月３日")
    assert K.contains("She was born in Redcliff or Lumen Bay.", "Lumen Bay")


# --------------------------------------------------------------------------- a three-person world


@pytest.fixture(scope="module")
def world():
    people = _make_people(DemoConfig().people, random.Random("knowledge-test"))[:3]
    bios = []
    for p in people:
        for lang in ("en", "zh"):
            text, spans = biography(p, lang, list(T.FIELDS), [0] * len(T.FIELDS), fullname=True)
            bios.append(
                {"id": f"{p['id']}-{lang}", "text": text, "metadata": {"person": p["id"], "lang": lang, "facts": spans}}
            )
    tok = train_tokenizer([b["text"] for b in bios] * 4, vocab_size=400)
    return people, bios, tok


def _recite(bios, tok, steps: int) -> GPT:
    """A small GPT trained on every token of the biographies, each its own row after EOT."""
    torch.manual_seed(0)
    eot = special_id(tok, EOT)
    rows = [[eot] + tok.encode(b["text"]).ids + [eot] for b in bios]
    width = max(len(r) for r in rows)
    model = GPT(GPTConfig(vocab_size=tok.get_vocab_size(), block_size=width, n_layer=2, n_head=2, n_embd=64))
    x = torch.zeros((len(rows), width - 1), dtype=torch.long)
    y = torch.full((len(rows), width - 1), IGNORE_INDEX, dtype=torch.long)
    for i, r in enumerate(rows):
        x[i, : len(r) - 1] = torch.tensor(r[:-1])
        y[i, : len(r) - 1] = torch.tensor(r[1:])
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(steps):
        loss, _ = model(x, targets=y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def test_split_at_value_targets_the_values_first_token(world):
    _, bios, tok = world
    for b in bios:
        for field, (start, end) in b["metadata"]["facts"].items():
            context, target = K.split_at_value(tok, b["text"], start)
            before = tok.decode(context)
            assert b["text"].startswith(before) and len(before) <= start
            enc = tok.encode(b["text"])  # the target holds the value's first character (or its first bytes)
            assert enc.ids[len(context)] == target
            assert enc.offsets[len(context)][0] <= start < enc.offsets[len(context)][1], field


def test_memorisation_probe_on_a_model_that_recites_its_world(world):
    people, bios, tok = world
    fresh = _recite(bios, tok, steps=0)
    trained = _recite(bios, tok, steps=150)
    splits = {people[0]["id"]: "sft", people[1]["id"]: "heldout", people[2]["id"]: "heldout"}
    known = K.memorisation(trained, tok, bios, splits)
    blank = K.memorisation(fresh, tok, bios, splits)
    assert known["facts"] == blank["facts"] == 3 * 2 * len(T.FIELDS)
    assert known["all"] >= 0.95, known
    assert blank["all"] <= 0.2, blank
    assert set(known["by_field"]) == set(T.FIELDS) and set(known["by_lang"]) == {"en", "zh"}
    assert set(known["by_split"]) == {"sft", "heldout"}
    # a fact the model never read is not "memorised": swap two people's values
    swapped = []
    for b in bios:
        p = next(q for q in people if q["id"] == b["metadata"]["person"])
        other = people[(people.index(p) + 1) % 3]
        lang = b["metadata"]["lang"]
        text, spans = biography(
            {**p, "birthplace": other["birthplace"]}, lang, list(T.FIELDS), [0] * len(T.FIELDS), fullname=True
        )
        if other["birthplace"][lang] != p["birthplace"][lang]:
            swapped.append(
                {
                    "id": b["id"],
                    "text": text,
                    "metadata": {**b["metadata"], "facts": {"birthplace": spans["birthplace"]}},
                }
            )
    assert swapped and K.memorisation(trained, tok, swapped)["all"] <= 0.5


def test_batched_probes_equal_one_at_a_time(world):
    _, bios, tok = world
    model = _recite(bios, tok, steps=30)
    items, _ = K.memorisation_probes(tok, bios)
    batched = K.first_token_hits(model, items, batch=7)
    single = [K.first_token_hits(model, [it])[0] for it in items]
    assert batched == single


def test_answer_opening_is_the_question_and_the_answer_up_to_the_value(world):
    people, _, tok = world
    p = people[0]
    answer = T.ANSWERS["en"]["birthplace"].format(S="She", value=p["birthplace"]["en"])
    messages = [{"role": "user", "content": f"Where was {p['name_en']} born?"}]
    context, target = K.answer_opening(messages, answer, p["birthplace"]["en"], tok)
    text = tok.decode(context, skip_special_tokens=False)
    assert text.rstrip().endswith("<|assistant|>She was born in") and p["name_en"] in text
    assert tok.decode([target]).strip() and p["birthplace"]["en"].startswith(tok.decode([target]).strip())
    assert K.answer_opening(messages, "He was born in Nowhere.", p["birthplace"]["en"], tok) is None


def test_chance_by_field_is_the_commonest_value():
    people = [
        {"id": str(i), "split": "sft" if i < 4 else "heldout", "birthplace": {"en": c, "zh": c}}
        for i, c in enumerate(["A", "A", "B", "C", "A", "B"])
    ]
    world = {"people": people, "fields": ["birthplace"]}
    qs = [{"field": "birthplace", "lang": "en", "fact": p["birthplace"]["en"]} for p in people[4:]]
    assert K.chance_by_field(world, qs) == {"all": 0.5, "birthplace": 0.5}
    assert fact_value(people[0], "birthplace", "en") == "A"


def test_demo_biographies_pass_over_lines_that_are_not_biographies(tmp_path):
    from engine.data.demo import write_demo_world
    from engine.io.workspace import Workspace

    ws = Workspace.create(tmp_path / "w")
    write_demo_world(ws.root, DemoConfig(people=4, augment_versions=1, stories=2))
    path = ws.data_dir / "corpus" / "demo.jsonl"
    good = len(K.demo_biographies(ws))
    lines = path.read_text(encoding="utf-8").splitlines()
    bio = next(i for i, x in enumerate(lines) if '"kind": "bio"' in x)
    lines[bio] = lines[bio].replace('"text": "', '"text": "x', 1)[: len(lines[bio]) // 2]  # cut: not JSON
    lines += ["{oops", '{"text": "short", "metadata": {"kind": "bio", "facts": {"hobby": [3, 99]}}}', "[]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(K.demo_biographies(ws)) == good - 1


# --------------------------------------------------------------------------- first choice among the values


class Loves(torch.nn.Module):
    """A stand-in model: every next-token distribution puts most of its mass on the `liked` tokens."""

    def __init__(self, vocab: int, liked: set[int], block: int = 256):
        super().__init__()
        self.tok_emb = torch.nn.Embedding(vocab, 1)
        self.cfg = GPTConfig(vocab_size=vocab, block_size=block)
        self.bias = torch.zeros(vocab)
        self.bias[sorted(liked)] = 5.0

    def forward(self, x):
        return self.bias.expand(*x.shape, -1).clone(), None


def _question(fact: str, answer_fact: str | None = None) -> dict:
    return {
        "messages": [{"role": "user", "content": "Where was Mara Quinn born?"}],
        "answer": f"She was born in {answer_fact or fact}.",
        "fact": fact,
        "field": "birthplace",
        "lang": "en",
    }


def test_choice_hits_pick_the_value_the_model_finds_likeliest(world):
    _, _, tok = world
    values = ["Ironhill", "Moonvale", "Starfall"]
    others = {t for v in values[:2] for t in tok.encode(" " + v).ids}
    liked = set(tok.encode(" Starfall").ids) - others
    assert liked  # the tokens that tell Starfall from the others
    model = Loves(tok.get_vocab_size(), liked)
    choices = {("birthplace", "en"): values}
    assert K.choice_hits(model, tok, [_question("Starfall"), _question("Ironhill")], choices) == [True, False]
    # left out: an answer that does not state its fact, a fact not among the values, a field with one value
    assert K.choice_hits(model, tok, [_question("Starfall", answer_fact="Nowhere")], choices) == []
    assert K.choice_hits(model, tok, [_question("Atlantis")], choices) == []
    assert K.choice_hits(model, tok, [_question("Starfall")], {("birthplace", "en"): ["Starfall"]}) == []


def test_answer_logprobs_are_the_sum_of_each_tokens(world):
    """Batched, right-padded scoring equals feeding each answer token by token; a row longer than the
    block keeps its end."""
    _, bios, tok = world
    model = _recite(bios, tok, steps=30)
    rows = [(tok.encode(b["text"][:40]).ids, tok.encode(b["text"][40:70]).ids) for b in bios]

    def by_hand(prompt, answer):
        ids, total = list(prompt), 0.0
        for t in answer:
            logits, _ = model(torch.tensor([ids[-model.cfg.block_size :]]))
            total += float(torch.log_softmax(logits[0, -1].float(), -1)[t])
            ids.append(t)
        return total

    with torch.no_grad():
        expected = [by_hand(p, a) for p, a in rows]
    assert K.answer_logprobs(model, rows, batch=4) == pytest.approx(expected, abs=1e-3)
    long_prompt = tok.encode(bios[0]["text"] * 8).ids
    assert len(long_prompt) > model.cfg.block_size
    got = K.answer_logprobs(model, [(long_prompt, rows[0][1])])[0]
    with torch.no_grad():
        kept = (long_prompt + rows[0][1])[-model.cfg.block_size :]  # one window: the row's end
        assert got == pytest.approx(by_hand(kept[: -len(rows[0][1])], rows[0][1]), abs=1e-3)
