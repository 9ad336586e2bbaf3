"""The generated "demo world": a tiny, fully known universe that a small GPT can learn.

`write_demo_world(root, cfg)` writes, under `root/data/`:

* `corpus/demo.jsonl`  pretraining documents `{"id", "text", "metadata": {"source": "demo",
  "lang": "en"|"zh", "kind": "bio"|"story", "person": id|None, "version": int}}`: every person's
  biography in English and Traditional Chinese, each in `augment_versions` paraphrases (distinct
  templates), plus `stories` short texts about the cities, companies and schools.
* `sft/train.jsonl`    chat examples `{"id", "messages": [{"role", "content"}...], "metadata":
  {"lang", "kind": "qa"|"chat", "person": id|None, "fields": [field per assistant turn]}}`: QA
  about the first half of the people plus greetings, identity, thanks and refusals (these chat
  examples carry `"weight": 8`: SFT sees each 8 times per epoch, or they would be 4% of the set).
* `rl/practice.jsonl`  the same QA format about a fifth of the people (the "practice" split): only
  pretraining tells about them, and policy optimisation (GRPO, PPO) practises answering them, so
  that what it learns can be measured on people neither SFT nor RL asked about.
* `sft/heldout.jsonl`  the same QA format about the rest of the people (the "heldout" split).
* `prefs/train.jsonl`  preference pairs `{"id", "prompt", "chosen", "rejected", "metadata":
  {"lang", "reason": "wrong"|"rambling"|"unsafe", "person", "field"}}`.
* `world.json`         the ground truth (people with every fact in en and zh; the fixed pools).

Output depends only on the config: the same config gives byte-identical files. Each stage draws
from its own RNG seeded from `cfg.seed` so that, e.g., changing `stories` leaves the people as
they were. Standard library only.
"""

from __future__ import annotations

import calendar
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.data import demo_pools as P
from engine.data import demo_texts as T
from engine.io.fsutil import atomic_write_text

MAX_PEOPLE = 20_000
MAX_STORIES = 100_000
MAX_VERSIONS = 20
LANGS = ("en", "zh")
SYSTEM_PROMPT_RATE = 0.25  # share of SFT examples that start with a system message

CITY = {c[0]: c for c in P.CITIES}
COMPANY = {c[0]: c for c in P.COMPANIES}
SCHOOL = {s[0]: s for s in P.SCHOOLS}
OCCUPATION = {o[0]: o for o in P.OCCUPATIONS}
HOBBY = {h[0]: h for h in P.HOBBIES}


@dataclass
class DemoConfig:
    seed: int = 0
    people: int = 100  # number of fictional people
    augment_versions: int = 5  # biographies of each person, per language
    stories: int = 100  # short stories / facts about the world
    permute: bool = True  # each version orders its sentences anew
    fullname: bool = True  # every sentence names the person (else a pronoun after the first)
    practice: bool = True  # a fifth of the people are RL's practice people (else half SFT, half held out)

    def validate(self) -> None:
        for name in ("seed", "people", "augment_versions", "stories"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
        for name in ("permute", "fullname", "practice"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        _check_range("people", self.people, 4, MAX_PEOPLE)
        _check_range("augment_versions", self.augment_versions, 1, MAX_VERSIONS)
        _check_range("stories", self.stories, 0, MAX_STORIES)


def _check_range(name: str, value: int, lo: int, hi: int) -> None:
    if value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    if value > hi:
        raise ValueError(f"{name} must be <= {hi}, got {value}")


# --------------------------------------------------------------------------- people


def _unique_name(used: set[str], makers, sep: str) -> str:
    """First unused name from the makers (tried in order, 64 draws each), else a numbered one."""
    for make in makers:
        for _ in range(64):
            name = make()
            if name not in used:
                used.add(name)
                return name
    base, k = makers[0](), 2
    while f"{base}{sep}{k}" in used:
        k += 1
    used.add(f"{base}{sep}{k}")
    return f"{base}{sep}{k}"


def _make_people(n: int, rng: random.Random) -> list[dict]:
    used_en: set[str] = set()
    used_zh: set[str] = set()
    width = max(4, len(str(n)))
    people = []
    for i in range(n):
        g = rng.choice("fm")
        first, last = P.FIRST_NAMES_EN[g], P.LAST_NAMES_EN
        name_en = _unique_name(
            used_en,
            [
                lambda: f"{rng.choice(first)} {rng.choice(last)}",
                lambda: f"{rng.choice(first)} {rng.choice(P.MIDDLE_INITIALS_EN)} {rng.choice(last)}",
            ],
            " ",
        )
        chars = P.GIVEN_CHARS_ZH[g]
        name_zh = _unique_name(
            used_zh,
            [
                lambda: rng.choice(P.SURNAMES_ZH) + rng.choice(P.GIVEN_NAMES_ZH[g]),
                lambda: rng.choice(P.SURNAMES_ZH) + rng.choice(chars) + rng.choice(chars),
            ],
            "",
        )
        year, month = rng.randint(1950, 2004), rng.randint(1, 12)
        day = rng.randint(1, calendar.monthrange(year, month)[1])
        city, school = rng.choice(P.CITIES), rng.choice(P.SCHOOLS)
        occ = rng.choice(P.OCCUPATIONS)
        company = COMPANY[rng.choice(occ[4])]
        hobby = rng.choice(P.HOBBIES)
        people.append(
            {
                "id": f"p{i + 1:0{width}d}",
                "gender": g,
                "name_en": name_en,
                "name_zh": name_zh,
                "birthday": f"{year:04d}-{month:02d}-{day:02d}",
                "birthday_en": f"{day} {P.MONTHS_EN[month - 1]} {year}",
                "birthday_zh": f"{year}年{month}月{day}日",
                "birth_year": year,
                "birthplace": {"id": city[0], "en": city[1], "zh": city[2]},
                "school": {"id": school[0], "en": school[1], "zh": school[2]},
                "occupation": {"id": occ[0], "en": occ[1], "zh": occ[3]},
                "employer": {"id": company[0], "en": company[1], "zh": company[2]},
                "hobby": {"id": hobby[0], "en": hobby[1], "zh": hobby[2]},
            }
        )
    return people


def fact_value(person: dict, field: str, lang: str) -> str:
    """The text of one fact as the answers state it (English occupations carry their article)."""
    if field == "birthday":
        return person[f"birthday_{lang}"]
    if field == "occupation" and lang == "en":
        return OCCUPATION[person["occupation"]["id"]][2]
    return person[field][lang]


def _name(person: dict, lang: str) -> str:
    return person[f"name_{lang}"]


# --------------------------------------------------------------------------- biographies


def _subject(p: dict, lang: str, named: bool) -> dict:
    """The fields that name the person in a biography sentence: the full name, or a pronoun."""
    if lang == "zh":
        return {"S": _name(p, lang) if named else P.PRONOUN_ZH[p["gender"]]}
    pr = P.PRONOUNS_EN[p["gender"]]
    name = _name(p, lang)
    return {
        "S": name if named else pr["She"],
        "s": name if named else pr["she"],
        "P": f"{name}'s" if named else pr["Her"],
        "p": pr["her"],
    }


def bio_sentence(
    p: dict, field: str, lang: str, template: int, named: bool = True, value: str | None = None
) -> tuple[str, int]:
    """One biography sentence (template number `template` of BIO_SENTENCES[lang][field]) and where
    the fact's value starts in it; `value` instead of the person's own (a wrong answer)."""
    value = fact_value(p, field, lang) if value is None else value
    text = T.BIO_SENTENCES[lang][field][template].format(value="\0", **_subject(p, lang, named))
    start = text.index("\0")
    return text.replace("\0", value), start


def biography(p: dict, lang: str, order: list[str], templates: list[int], fullname: bool) -> tuple[str, dict]:
    """A biography: one sentence per field in `order` with the given template numbers; the first
    sentence names the person, the others name them again (`fullname`) or use a pronoun.
    Returns the text and each fact's [start, end) in it."""
    sep = " " if lang == "en" else ""
    text, spans = "", {}
    for i, (field, t) in enumerate(zip(order, templates)):
        if text:
            text += sep
        sentence, start = bio_sentence(p, field, lang, t, named=fullname or i == 0)
        spans[field] = [len(text) + start, len(text) + start + len(fact_value(p, field, lang))]
        text += sentence
    return text, spans


def _bio_docs(people: list[dict], cfg: "DemoConfig", rng: random.Random) -> list[dict]:
    """`augment_versions` biographies per person and language; each version draws every sentence's
    template anew (and their order with `permute`; otherwise the fields' own order)."""
    docs = []
    for p in people:
        for lang in LANGS:
            for v in range(1, cfg.augment_versions + 1):
                order = list(T.FIELDS)
                if cfg.permute:
                    rng.shuffle(order)
                templates = [rng.randrange(len(T.BIO_SENTENCES[lang][f])) for f in order]
                text, spans = biography(p, lang, order, templates, cfg.fullname)
                doc = _doc(f"bio-{p['id']}-{lang}-v{v}", text, lang, "bio", p["id"], v)
                doc["metadata"]["facts"] = spans
                docs.append(doc)
    return docs


def _doc(doc_id: str, text: str, lang: str, kind: str, person: str | None, version: int) -> dict:
    return {
        "id": doc_id,
        "text": text,
        "metadata": {"source": "demo", "lang": lang, "kind": kind, "person": person, "version": version},
    }


# --------------------------------------------------------------------------- stories


def _join(items: list[str], lang: str) -> str:
    if lang == "zh":
        return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _occ_word(occ: tuple, lang: str, plural: bool) -> str:
    return (occ[1] + "s" if plural else occ[1]) if lang == "en" else occ[3]


def _story_fields(kind: str, lang: str, rng: random.Random) -> dict:
    k = 1 if lang == "en" else 2
    city = rng.choice(P.CITIES)
    company = rng.choice(P.COMPANIES)
    school = rng.choice(P.SCHOOLS)
    occ, occ2 = rng.sample(P.OCCUPATIONS, 2)
    if kind == "company":
        city = CITY[company[5]]
        hires = [o for o in P.OCCUPATIONS if company[0] in o[4]]
        occ, occ2 = rng.sample(hires, 2) if len(hires) >= 2 else (hires[0], occ if occ != hires[0] else occ2)
    elif kind == "school":
        city = CITY[school[3]]
    city2 = rng.choice([c for c in P.CITIES if c != city])
    i1, i2 = P.CITIES.index(city), P.CITIES.index(city2)
    fields = {
        "city": city[k],
        "feature": city[k + 2],
        "city2": city2[k],
        "feature2": city2[k + 2],
        "hours": 2 + abs(i1 - i2) % 5,
        "company": company[k],
        "company_desc": company[k + 2],
        "school": school[k],
        "founded": school[4],
        "occ": _occ_word(occ, lang, True),
        "occ2": _occ_word(occ2, lang, True),
        "occ_one": _occ_word(occ, lang, False),
        "she": rng.choice(["she", "he"]),
        "ta": rng.choice(["她", "他"]),
    }
    schools = [s[k] for s in P.SCHOOLS if s[3] == city[0]]
    companies = [c[k] for c in P.COMPANIES if c[5] == city[0]]
    if lang == "en":
        fields["schools_part"] = (
            f"It is home to {_join(schools, lang)}."
            if schools
            else f"There is no big school in {city[1]}, so many young people move away to study."
        )
        verb = "has its" if len(companies) == 1 else "have their"
        fields["companies_part"] = (
            f"{_join(companies, lang)} {verb} main office there."
            if companies
            else f"Most people in {city[1]} work in small family shops."
        )
    else:
        fields["schools_part"] = (
            f"{_join(schools, lang)}就位於{city[2]}。"
            if schools
            else f"{city[2]}沒有大型學校，所以很多年輕人會到外地讀書。"
        )
        fields["companies_part"] = (
            f"{_join(companies, lang)}的總部設在這裡。" if companies else f"{city[2]}的居民大多在小型家庭商店工作。"
        )
    return fields


def _story_docs(count: int, rng: random.Random) -> list[dict]:
    docs = []
    for i in range(count):
        lang = LANGS[i % 2]
        kind = rng.choice(T.STORY_KINDS)
        template = rng.choice(T.STORY_TEMPLATES[lang][kind])
        text = template.format(**_story_fields(kind, lang, rng))
        docs.append(_doc(f"story-{i + 1:05d}-{lang}", text, lang, "story", None, 1))
    return docs


# --------------------------------------------------------------------------- instruction data


def _question(p: dict, field: str, lang: str, idx: int) -> str:
    fields = {"name": _name(p, lang), **P.PRONOUNS_EN[p["gender"]]}
    return T.QUESTIONS[lang][field][idx].format(**fields)


def _answer(p: dict, field: str, lang: str, value: str | None = None) -> str:
    """The answer to a question about one fact: T.ANSWERS' wording, a pronoun as its subject."""
    return bio_sentence(p, field, lang, 0, named=False, value=value)[0]


def _sft(
    ex_id: str,
    turns: list[tuple[str, str]],
    lang: str,
    kind: str,
    person: str | None,
    fields: list[str],
    rng: random.Random,
) -> dict:
    messages = []
    if rng.random() < SYSTEM_PROMPT_RATE:
        messages.append({"role": "system", "content": T.SYSTEM_PROMPTS[lang]})
    for user, assistant in turns:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {
        "id": ex_id,
        "messages": messages,
        "metadata": {"lang": lang, "kind": kind, "person": person, "fields": fields},
    }


def _qa_examples(people: list[dict], per_field: int, rng: random.Random, multi_every: int) -> list[dict]:
    out = []
    for n, p in enumerate(people):
        for lang in LANGS:
            for field in T.FIELDS:
                for q in sorted(rng.sample(range(len(T.QUESTIONS[lang][field])), per_field)):
                    turn = (_question(p, field, lang, q), _answer(p, field, lang))
                    out.append(_sft(f"qa-{p['id']}-{lang}-{field}-q{q + 1}", [turn], lang, "qa", p["id"], [field], rng))
        if multi_every and n % multi_every == 0:
            lang = rng.choice(LANGS)
            f1, f2 = rng.sample(T.FIELDS, 2)
            turns = [(_question(p, f, lang, rng.randrange(3)), _answer(p, f, lang)) for f in (f1, f2)]
            out.append(_sft(f"qa-{p['id']}-{lang}-multi", turns, lang, "qa", p["id"], [f1, f2], rng))
    return out


CHAT_WEIGHT = 8  # the 150 chat examples would be 4% of the SFT set: too rare to learn from


def _chat_examples(rng: random.Random) -> list[dict]:
    out = []
    for lang in LANGS:
        for cat, (prompts, replies) in T.CHAT[lang].items():
            for i, prompt in enumerate(prompts, 1):
                for j, reply in enumerate(replies, 1):
                    out.append(
                        _sft(f"chat-{lang}-{cat}-{i}-{j}", [(prompt, reply)], lang, "chat", None, [], rng)
                        | {"weight": CHAT_WEIGHT}
                    )
    return out


def _pref(
    pref_id: str, prompt: str, chosen: str, rejected: str, lang: str, reason: str, person: str | None, field: str | None
) -> dict:
    return {
        "id": pref_id,
        "prompt": prompt,
        "chosen": chosen,
        "rejected": rejected,
        "metadata": {"lang": lang, "reason": reason, "person": person, "field": field},
    }


def _wrong_value(p: dict, field: str, lang: str, people: list[dict], rng: random.Random) -> str:
    right = fact_value(p, field, lang)
    others = [fact_value(q, field, lang) for q in people if fact_value(q, field, lang) != right]
    if others:
        return rng.choice(others)
    pool = {"birthplace": P.CITIES, "school": P.SCHOOLS, "employer": P.COMPANIES}.get(field)
    if field == "birthday":  # every person shares the date: shift the year (by 4, keeping 29 February valid)
        return right.replace(str(p["birth_year"]), str(p["birth_year"] + 4))
    if field == "occupation":
        others = [OCCUPATION[o[0]][2] if lang == "en" else o[3] for o in P.OCCUPATIONS]
    elif field == "hobby":
        others = [h[1] if lang == "en" else h[2] for h in P.HOBBIES]
    else:
        others = [e[1] if lang == "en" else e[2] for e in pool]
    return rng.choice([o for o in others if o != right])


def _pref_pairs(people: list[dict], rng: random.Random) -> list[dict]:
    """Per person: a right against a wrong answer for every field (language drawn per pair), and a
    right answer against a rambling one; then every unsafe request's refusals against compliance."""
    out = []
    for p in people:
        for field in T.FIELDS + ["rambling"]:
            reason = "rambling" if field == "rambling" else "wrong"
            lang, field = rng.choice(LANGS), (rng.choice(T.FIELDS) if reason == "rambling" else field)
            prompt = _question(p, field, lang, rng.randrange(3))
            chosen = _answer(p, field, lang)
            if reason == "wrong":
                rejected = _answer(p, field, lang, _wrong_value(p, field, lang, people, rng))
            else:
                rejected = rng.choice(T.RAMBLING[lang]).format(name=_name(p, lang))
            out.append(
                _pref(
                    f"pref-{p['id']}-{reason}" + (f"-{field}" if reason == "wrong" else ""),
                    prompt,
                    chosen,
                    rejected,
                    lang,
                    reason,
                    p["id"],
                    field,
                )
            )
    for lang in LANGS:
        prompts, refusals = T.CHAT[lang]["unsafe"]
        for i, prompt in enumerate(prompts, 1):
            for j, refusal in enumerate(refusals, 1):
                out.append(
                    _pref(
                        f"pref-unsafe-{lang}-{i}-{j}",
                        prompt,
                        refusal,
                        T.UNSAFE_COMPLIANCE[lang][i - 1],
                        lang,
                        "unsafe",
                        None,
                        None,
                    )
                )
    return out


# --------------------------------------------------------------------------- world + writing


def _split_of(people: list[dict], practice: bool = True) -> list[str]:
    """Each person's split: the first half "sft" (SFT's QA asks about them), the next fifth
    "practice" (RL's practice questions; none without `practice`), the rest "heldout" (asked only
    when measuring)."""
    n_sft, n_practice = len(people) // 2, len(people) // 5 if practice else 0
    return ["sft"] * n_sft + ["practice"] * n_practice + ["heldout"] * (len(people) - n_sft - n_practice)


def _world(cfg: DemoConfig, people: list[dict]) -> dict:
    split = _split_of(people, cfg.practice)
    return {
        "format": "lm-dojo-demo-world/1",
        "config": asdict(cfg),
        "cities": [{"id": c[0], "en": c[1], "zh": c[2], "feature_en": c[3], "feature_zh": c[4]} for c in P.CITIES],
        "companies": [
            {"id": c[0], "en": c[1], "zh": c[2], "description_en": c[3], "description_zh": c[4], "city": c[5]}
            for c in P.COMPANIES
        ],
        "schools": [{"id": s[0], "en": s[1], "zh": s[2], "city": s[3], "founded": s[4]} for s in P.SCHOOLS],
        "occupations": [
            {"id": o[0], "en": o[1], "en_with_article": o[2], "zh": o[3], "employers": o[4]} for o in P.OCCUPATIONS
        ],
        "hobbies": [{"id": h[0], "en": h[1], "zh": h[2]} for h in P.HOBBIES],
        "fields": T.FIELDS,
        "splits": {s: [p["id"] for p, ps in zip(people, split) if ps == s] for s in ("sft", "practice", "heldout")},
        "people": [{**p, "split": s} for p, s in zip(people, split)],
    }


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def write_demo_world(root: Path, cfg: DemoConfig = DemoConfig()) -> dict:
    """Generate the demo world into `root/data/` and return counts per file and character totals."""
    cfg.validate()
    root = Path(root)

    def rng(stage: str) -> random.Random:
        return random.Random(f"lm-dojo-demo:{cfg.seed}:{stage}")

    people = _make_people(cfg.people, rng("people"))
    split = _split_of(people, cfg.practice)
    sft_people, practice_people, heldout_people = (
        [p for p, s in zip(people, split) if s == k] for k in ("sft", "practice", "heldout")
    )

    bios = _bio_docs(people, cfg, rng("bios"))
    stories = _story_docs(cfg.stories, rng("stories"))
    corpus = bios + stories
    rng("corpus-order").shuffle(corpus)

    sft_rng = rng("sft")
    sft_train = _qa_examples(sft_people, 2, sft_rng, multi_every=3) + _chat_examples(sft_rng)
    sft_rng.shuffle(sft_train)
    heldout = _qa_examples(heldout_people, 1, rng("heldout"), multi_every=0)
    practice = _qa_examples(practice_people, 2, rng("practice"), multi_every=0)

    prefs = _pref_pairs(sft_people, rng("prefs"))
    rng("prefs-order").shuffle(prefs)

    files = {
        "data/world.json": (json.dumps(_world(cfg, people), ensure_ascii=False, indent=1) + "\n", 1),
        "data/corpus/demo.jsonl": (_jsonl(corpus), len(corpus)),
        "data/sft/train.jsonl": (_jsonl(sft_train), len(sft_train)),
        "data/sft/heldout.jsonl": (_jsonl(heldout), len(heldout)),
        "data/prefs/train.jsonl": (_jsonl(prefs), len(prefs)),
    }
    if practice:  # without practice people RL practises on the SFT set's questions (engine.data.demo_questions)
        files["data/rl/practice.jsonl"] = (_jsonl(practice), len(practice))
    for rel, (text, _) in files.items():
        atomic_write_text(root / rel, text)

    return {
        "people": len(people),
        "sft_people": len(sft_people),
        "practice_people": len(practice_people),
        "heldout_people": len(heldout_people),
        "corpus_docs": len(corpus),
        "corpus_bios": len(bios),
        "corpus_stories": len(stories),
        "corpus_chars": sum(len(d["text"]) for d in corpus),
        "sft_train": len(sft_train),
        "sft_heldout": len(heldout),
        "rl_practice": len(practice),
        "prefs": len(prefs),
        "files": {
            rel: {"records": n, "chars": len(text), "bytes": len(text.encode("utf-8"))}
            for rel, (text, n) in files.items()
        },
        "total_chars": sum(len(text) for text, _ in files.values()),
    }
