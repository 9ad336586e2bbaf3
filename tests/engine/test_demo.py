"""Tests for the generated demo world (engine/data/demo.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from engine.data.demo import DemoConfig, fact_value, write_demo_world
from engine.data.demo_texts import FIELDS

FILES = [
    "data/world.json",
    "data/corpus/demo.jsonl",
    "data/sft/train.jsonl",
    "data/sft/heldout.jsonl",
    "data/prefs/train.jsonl",
]
SMALL = DemoConfig(seed=7, people=20, augment_versions=3, stories=12)

# Characters that exist only in Simplified Chinese (their Traditional forms differ).
SIMPLIFIED_ONLY = set(
    "这们说为时学个会来对国发业东书长门见开问间过还么样经实现动机电车马鸟鱼画图乐场岁爱让认识读写话"
    "语请谢谁师钢边银铁桥湾岛华陈张刘杨吴黄罗许郑级术艺园厂矿楼层贸阳屿医护员设计资欢兴钓摄阅编织"
    "骑脚观弹邮饪篮简历职农龙风飞气热闻听买卖专广亲军头声无与从众结绿红纸约线练总条处应该样帮报"
    "纪讯诉试诗认课谈证护贷货赏赖趋轻辉辆较选遗邻针钱铃锁错镇门闲阔关陆险隐隶难雾韩顺须预领颜题"
)


def _read_jsonl(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("demo")
    stats = write_demo_world(root, SMALL)
    return root, stats


@pytest.fixture(scope="module")
def data(world_dir):
    root, stats = world_dir
    world = json.loads((root / "data/world.json").read_text(encoding="utf-8"))
    return {
        "stats": stats,
        "world": world,
        "people": {p["id"]: p for p in world["people"]},
        "corpus": _read_jsonl(root / "data/corpus/demo.jsonl"),
        "sft": _read_jsonl(root / "data/sft/train.jsonl"),
        "heldout": _read_jsonl(root / "data/sft/heldout.jsonl"),
        "practice": _read_jsonl(root / "data/rl/practice.jsonl"),
        "prefs": _read_jsonl(root / "data/prefs/train.jsonl"),
    }


def test_deterministic_and_seed_dependent(tmp_path, world_dir):
    root, _ = world_dir
    (tmp_path / "a").mkdir()
    write_demo_world(tmp_path / "a", SMALL)
    for rel in FILES:
        assert (tmp_path / "a" / rel).read_bytes() == (root / rel).read_bytes(), rel
    (tmp_path / "b").mkdir()
    write_demo_world(tmp_path / "b", DemoConfig(seed=8, people=20, augment_versions=3, stories=12))
    for rel in FILES:
        assert (tmp_path / "b" / rel).read_bytes() != (root / rel).read_bytes(), rel
    assert not [p for p in (root / "data").rglob("*.tmp")]  # no temp files left behind


def test_counts_and_stats(data):
    corpus, stats = data["corpus"], data["stats"]
    kinds = Counter((d["metadata"]["kind"], d["metadata"]["lang"]) for d in corpus)
    assert kinds[("bio", "en")] == kinds[("bio", "zh")] == SMALL.people * SMALL.augment_versions
    assert kinds[("story", "en")] + kinds[("story", "zh")] == SMALL.stories
    assert kinds[("story", "en")] > 0 and kinds[("story", "zh")] > 0
    per_person = Counter(
        (d["metadata"]["person"], d["metadata"]["lang"]) for d in corpus if d["metadata"]["kind"] == "bio"
    )
    assert set(per_person.values()) == {SMALL.augment_versions}
    assert len(data["people"]) == SMALL.people
    assert stats["corpus_docs"] == len(corpus)
    assert stats["corpus_chars"] == sum(len(d["text"]) for d in corpus)
    assert stats["files"]["data/sft/train.jsonl"]["records"] == len(data["sft"])
    assert stats["files"]["data/prefs/train.jsonl"]["records"] == len(data["prefs"])
    assert stats["total_chars"] > stats["corpus_chars"] > 0


def test_corpus_format(data):
    ids = [d["id"] for d in data["corpus"]]
    assert len(ids) == len(set(ids))
    for d in data["corpus"]:
        assert set(d) == {"id", "text", "metadata"} and isinstance(d["text"], str) and d["text"]
        m = d["metadata"]
        assert m["source"] == "demo" and m["lang"] in ("en", "zh") and m["kind"] in ("bio", "story")
        assert isinstance(m["version"], int) and m["version"] >= 1
        if m["kind"] == "bio":
            assert m["person"] in data["people"] and 1 <= m["version"] <= SMALL.augment_versions
        else:
            assert m["person"] is None
    # shuffled: not grouped by kind / person
    assert [d["metadata"]["kind"] for d in data["corpus"]] != sorted(d["metadata"]["kind"] for d in data["corpus"])


def test_paraphrases_differ(data):
    texts: dict[tuple, set[str]] = {}
    for d in data["corpus"]:
        m = d["metadata"]
        if m["kind"] == "bio":
            texts.setdefault((m["person"], m["lang"]), set()).add(d["text"])
    assert all(len(v) == SMALL.augment_versions for v in texts.values())


def _bios(data):
    return [d for d in data["corpus"] if d["metadata"]["kind"] == "bio"]


def _sentences(d) -> list[str]:
    if d["metadata"]["lang"] == "zh":
        return re.findall(r"[^。]+。", d["text"])
    return re.split(r"(?<=\.) (?=[A-Z])", d["text"])


def _field_order(d) -> list[str]:
    return sorted(d["metadata"]["facts"], key=lambda f: d["metadata"]["facts"][f][0])


def test_bio_lengths_and_facts(data):
    for d in _bios(data):
        m = d["metadata"]
        p, lang, text = data["people"][m["person"]], m["lang"], d["text"]
        if lang == "en":
            assert 30 <= len(text.split()) <= 90, text
        else:
            assert 45 <= len(text) <= 130, text
        assert set(m["facts"]) == set(FIELDS)
        for field, (start, end) in m["facts"].items():  # the spans hold the facts, as the answers state them
            assert text[start:end] == fact_value(p, field, lang), (field, text)


def test_one_sentence_per_fact_permuted_with_the_full_name(data):
    """Default: every version orders its six sentences anew and names the person in each."""
    orders: dict[tuple, set] = {}
    for d in _bios(data):
        m = d["metadata"]
        p, lang = data["people"][m["person"]], m["lang"]
        sentences = _sentences(d)
        assert len(sentences) == len(FIELDS), d["text"]
        for s in sentences:  # the name stands where a pronoun would: no sentence without it
            assert p[f"name_{lang}"] in s, (s, d["text"])
        if lang == "en":
            assert not set(re.findall(r"\b\w+\b", d["text"])) & {"He", "She", "he", "she"}, d["text"]
        else:
            assert "他" not in d["text"] and "她" not in d["text"], d["text"]
        orders.setdefault((m["person"], lang), set()).add(tuple(_field_order(d)))
    # the versions of one person differ in sentence order (3 versions; the same order twice is rare)
    assert sum(len(o) > 1 for o in orders.values()) >= 0.9 * len(orders)
    assert len({o for v in orders.values() for o in v}) > 20


def test_single_plain_biography(tmp_path):
    """--augment-versions 1 --no-permute --no-fullname: the paper's bioS single."""
    write_demo_world(
        tmp_path, DemoConfig(seed=3, people=10, augment_versions=1, stories=2, permute=False, fullname=False)
    )
    world = json.loads((tmp_path / "data/world.json").read_text(encoding="utf-8"))
    people = {p["id"]: p for p in world["people"]}
    bios = [d for d in _read_jsonl(tmp_path / "data/corpus/demo.jsonl") if d["metadata"]["kind"] == "bio"]
    assert len(bios) == 10 * 2
    for d in bios:
        p, lang = people[d["metadata"]["person"]], d["metadata"]["lang"]
        assert _field_order(d) == FIELDS  # the fields' own order
        assert d["text"].count(p[f"name_{lang}"]) == 1  # named once, pronouns after
        pronoun = {"en": {"f": "She", "m": "He"}, "zh": {"f": "她", "m": "他"}}[lang][p["gender"]]
        assert sum(pronoun in s or pronoun.replace("e", "is") in s for s in _sentences(d)) >= 4, d["text"]
        for field, (start, end) in d["metadata"]["facts"].items():
            assert d["text"][start:end] == fact_value(p, field, lang)


def test_derived_facts_are_in_stories_not_biographies(data):
    """What follows from another fact (a city's look, a company's trade and city, a school's city and
    year) is told about the place, not the person: Physics of LMs stores such facts with the place."""
    w = data["world"]
    derived = [c[f"feature_{lang}"] for c in w["cities"] for lang in ("en", "zh")]
    derived += [c[f"description_{lang}"] for c in w["companies"] for lang in ("en", "zh")]
    derived += [str(s["founded"]) for s in w["schools"]]
    for d in _bios(data):
        for fact in derived:
            assert fact not in d["text"], (fact, d["text"])
    city_names = {c[lang] for c in w["cities"] for lang in ("en", "zh")}
    for d in _bios(data):  # the only place a biography names is the birthplace
        p, lang = data["people"][d["metadata"]["person"]], d["metadata"]["lang"]
        rest = d["text"].replace(p["school"][lang], "")  # "Lumen Bay University" names a city itself
        assert {c for c in city_names if c in rest} <= {p["birthplace"][lang]}, d["text"]
    stories = [d["text"] for d in data["corpus"] if d["metadata"]["kind"] == "story"]
    assert stories and any(f in s for s in stories for f in derived)


def test_same_birth_year_in_both_languages(data):
    patterns = {"en": r"\b(19\d\d|20\d\d)\b", "zh": r"(19\d\d|20\d\d)年"}
    years: dict[tuple[str, str], set[str]] = {}
    for d in _bios(data):
        m = d["metadata"]
        years.setdefault((m["person"], m["lang"]), set()).update(re.findall(patterns[m["lang"]], d["text"]))
    for pid, p in data["people"].items():
        for lang in ("en", "zh"):
            assert years[(pid, lang)] == {str(p["birth_year"])}, (pid, lang)


def test_sft_format_and_chat_content(data):
    for rows in (data["sft"], data["heldout"]):
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids))
        for r in rows:
            assert set(r) == {"id", "messages", "metadata"} | ({"weight"} if r["metadata"]["kind"] == "chat" else set())
            roles = [m["role"] for m in r["messages"]]
            assert roles[-1] == "assistant" and set(roles) <= {"system", "user", "assistant"}
            assert all(isinstance(m["content"], str) and m["content"] for m in r["messages"])
            meta = r["metadata"]
            assert meta["lang"] in ("en", "zh") and meta["kind"] in ("qa", "chat")
            assert (meta["person"] in data["people"]) == (meta["kind"] == "qa")
    chat = [r for r in data["sft"] if r["metadata"]["kind"] == "chat"]
    assert {r["metadata"]["lang"] for r in chat} == {"en", "zh"}
    replies = " ".join(r["messages"][-1]["content"] for r in chat)
    assert "Dojo" in replies and "Sorry" in replies and "抱歉" in replies
    prompts = " ".join(m["content"] for r in chat for m in r["messages"] if m["role"] == "user")
    assert "Wi-Fi" in prompts and "Who are you?" in prompts and "你是誰？" in prompts
    assert all(r["metadata"]["kind"] == "qa" for r in data["heldout"])


def test_heldout_split(data):
    """Half the people are SFT's, a fifth RL's practice, the rest held out: three sets apart."""
    sft_people = {r["metadata"]["person"] for r in data["sft"] if r["metadata"]["person"]}
    held_people = {r["metadata"]["person"] for r in data["heldout"]}
    practice_people = {r["metadata"]["person"] for r in data["practice"]}
    assert sft_people and held_people and practice_people
    assert not (sft_people & held_people) and not (practice_people & (sft_people | held_people))
    assert sft_people | held_people | practice_people == set(data["people"])
    assert set(data["world"]["splits"]["sft"]) == sft_people
    assert set(data["world"]["splits"]["heldout"]) == held_people
    assert set(data["world"]["splits"]["practice"]) == practice_people
    assert {p["id"] for p in data["world"]["people"] if p["split"] == "practice"} == practice_people
    ordered = list(data["people"])
    assert sft_people == set(ordered[: SMALL.people // 2])  # the first half
    assert practice_people == set(ordered[SMALL.people // 2 : SMALL.people // 2 + SMALL.people // 5])
    assert data["stats"]["practice_people"] == len(practice_people) and data["stats"]["rl_practice"] == len(
        data["practice"]
    )
    # practice questions are QA in the SFT format, two phrasings of each field, in no SFT file
    assert all(r["metadata"]["kind"] == "qa" and r["messages"][-1]["role"] == "assistant" for r in data["practice"])
    assert len(data["practice"]) == 2 * len(practice_people) * 2 * 6
    pref_people = {r["metadata"]["person"] for r in data["prefs"] if r["metadata"]["person"]}
    assert pref_people <= sft_people


def test_qa_answers_match_world(data):
    fields_seen = Counter()
    for r in data["sft"] + data["heldout"]:
        meta = r["metadata"]
        if meta["kind"] != "qa":
            continue
        p, lang = data["people"][meta["person"]], meta["lang"]
        answers = [m["content"] for m in r["messages"] if m["role"] == "assistant"]
        assert len(answers) == len(meta["fields"])
        for field, answer in zip(meta["fields"], answers):
            fields_seen[(field, lang)] += 1
            pronoun = {"en": {"f": "She ", "m": "He "}, "zh": {"f": "她", "m": "他"}}[lang][p["gender"]]
            assert answer.startswith(pronoun), answer  # a pronoun, not the name (README: knowledge)
            assert fact_value(p, field, lang) in answer, (field, answer)
            if field != "birthday":
                assert p[field][lang] in answer
            else:
                assert str(p["birth_year"]) in answer
            assert answer.endswith("." if lang == "en" else "。")
    assert len(fields_seen) == 12  # 6 fields x 2 languages


def test_question_phrasings_vary(data):
    qs = {
        r["messages"][-2]["content"].split(" ")[0]
        for r in data["sft"]
        if r["metadata"]["kind"] == "qa" and r["metadata"]["lang"] == "en"
    }
    assert len(qs) >= 4


def test_world_ground_truth(data):
    w = data["world"]
    assert len(w["cities"]) >= 15 and len(w["companies"]) >= 15 and len(w["schools"]) >= 12
    assert len(w["occupations"]) >= 15 and len(w["hobbies"]) >= 20
    assert len({p["name_en"] for p in w["people"]}) == len({p["name_zh"] for p in w["people"]}) == SMALL.people
    for p in w["people"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", p["birthday"])
        for field in ("birthplace", "school", "occupation", "employer", "hobby"):
            assert set(p[field]) == {"id", "en", "zh"}


def test_preferences(data):
    prefs = data["prefs"]
    assert len({r["id"] for r in prefs}) == len(prefs)
    assert {r["metadata"]["reason"] for r in prefs} == {"wrong", "rambling", "unsafe"}
    for r in prefs:
        assert set(r) == {"id", "prompt", "chosen", "rejected", "metadata"}
        assert r["chosen"] and r["rejected"] and r["chosen"] != r["rejected"]
        meta = r["metadata"]
        assert meta["lang"] in ("en", "zh")
        if meta["reason"] == "unsafe":
            continue
        p = data["people"][meta["person"]]
        right = fact_value(p, meta["field"], meta["lang"])
        assert right in r["chosen"] and right not in r["rejected"]
        if meta["reason"] == "rambling":
            assert len(r["rejected"]) > 3 * len(r["chosen"])


def test_traditional_chinese_only(world_dir):
    root, _ = world_dir
    for rel in FILES:
        text = (root / rel).read_text(encoding="utf-8")
        bad = sorted(set(text) & SIMPLIFIED_ONLY)
        assert not bad, (rel, bad)
    assert "學" in (root / "data/corpus/demo.jsonl").read_text(encoding="utf-8")


def test_default_config_size_and_speed(tmp_path):
    import time

    t0 = time.perf_counter()
    stats = write_demo_world(tmp_path)
    assert time.perf_counter() - t0 < 5
    text_bytes = stats["files"]["data/corpus/demo.jsonl"]["bytes"]
    assert 200_000 <= text_bytes <= 1_500_000
    assert stats["corpus_bios"] == 100 * 2 * 5 and stats["corpus_stories"] == 100


def test_larger_config_names_stay_unique(tmp_path):
    stats = write_demo_world(tmp_path, DemoConfig(people=2000, augment_versions=1, stories=0))
    world = json.loads((tmp_path / "data/world.json").read_text(encoding="utf-8"))
    assert len({p["name_en"] for p in world["people"]}) == 2000
    assert len({p["name_zh"] for p in world["people"]}) == 2000
    assert stats["corpus_stories"] == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"people": 0}, "people"),
        ({"people": 3}, "people"),
        ({"people": 10**9}, "people"),
        ({"augment_versions": 0}, "augment_versions"),
        ({"augment_versions": 99}, "augment_versions"),
        ({"stories": -1}, "stories"),
        ({"seed": "x"}, "seed"),
        ({"people": 2.5}, "people"),
        ({"stories": True}, "stories"),
        ({"permute": 1}, "permute"),
        ({"fullname": "no"}, "fullname"),
    ],
)
def test_validate_rejects(kwargs, field, tmp_path):
    cfg = DemoConfig(**kwargs)
    with pytest.raises(ValueError) as e:
        cfg.validate()
    msg = str(e.value)
    assert msg.startswith(field) and "\n" not in msg
    with pytest.raises(ValueError):
        write_demo_world(tmp_path, cfg)
    assert not (tmp_path / "data").exists()


def test_validate_message_example():
    with pytest.raises(ValueError, match=r"^people must be >= 4, got 0$"):
        DemoConfig(people=0).validate()
    DemoConfig().validate()


def test_a_world_without_practice_people_splits_in_halves(tmp_path):
    """The knowledge lab's world: half fine-tuned on, half asked about, no RL practice file."""
    stats = write_demo_world(tmp_path, DemoConfig(seed=7, people=20, augment_versions=1, stories=2, practice=False))
    world = json.loads((tmp_path / "data/world.json").read_text(encoding="utf-8"))
    assert stats["practice_people"] == 0 and stats["heldout_people"] == 10 and world["splits"]["practice"] == []
    assert not (tmp_path / "data/rl/practice.jsonl").exists()


@pytest.mark.parametrize(
    "text, says",
    [
        ('{"people": [', "world.json:1: not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"people": []}', "field 'fields' is missing or not a list"),
        ('{"people": {}, "fields": []}', "field 'people' is missing or not a list"),
        ('{"people": [{"name": "x"}], "fields": []}', "people[0] has no 'id'"),
        (b"\xff\xfe{", "cannot be read"),
    ],
)
def test_an_edited_world_file_is_refused_in_one_line(tmp_path, text, says):
    from engine.data.demo_questions import demo_questions, load_world
    from engine.errors import DojoError
    from engine.io.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    write_demo_world(ws.root, SMALL)
    assert len(load_world(ws)["people"]) == SMALL.people and demo_questions(ws, "heldout", 3)
    path = ws.data_dir / "world.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(DojoError, match=re.escape(says)) as e:
        demo_questions(ws, "heldout")
    assert str(path) in str(e.value) and "\n" not in str(e.value)
    path.unlink()
    with pytest.raises(DojoError, match="no demo"):
        load_world(ws)
