"""Normalisation and heuristic rules: each rule passes normal Chinese and English and drops its junk."""

import dataclasses
import random
import time

import pytest

from engine.data.rules import RULES, Normalize, NormalizeConfig, Rules, RulesConfig
from engine.data.steps import Doc
from engine.data.text_stats import char_info, periodic_repeats, units

ZH = "陳怡君於1987年3月14日出生在流明灣。她畢業於北門學院，現在在潮井實驗室擔任海洋生物學家。她的興趣是賞鳥。"
ZH_LONG = (
    ZH + "每逢週末，她會帶著望遠鏡到北門溼地，記錄候鳥的種類與數量。她說：「觀察（尤其是冬天的）水鳥，"
    "讓我更了解海岸的生態；這也是我研究的起點！」\n去年，她和同事發表了一篇關於潮間帶螺類的論文，"
    "討論水溫上升、棲地減少與外來種之間的關係。"
)
EN = (
    "Mara Quinn was born in Lumen Bay in 1987. She studied at Northgate College and now works as a marine "
    "biologist at the Tidewell Laboratory. In her free time she enjoys bird watching."
)
EN_LONG = (
    EN + " Every weekend she takes her binoculars to the northern wetlands and records which migrating birds "
    "have arrived.\nLast year she and two colleagues published a paper about snails in the tidal zone, "
    "asking how warmer water, lost habitat and new species interact."
)
MIXED = (
    "陳怡君在潮井實驗室工作，她常說 marine biology is a patient science。她的英文名字是 Jenny Chen，同事都這樣叫她。"
)
JA = "これは日本語の文章です。今日はとても良い天気なので、私たちは川の近くの公園へ散歩に行きました。子供たちは楽しそうに遊んでいます。"
RU = "Сегодня хорошая погода, и мы пошли гулять в парк возле реки. Дети играли на траве, а взрослые читали книги."
KO = "오늘은 날씨가 좋아서 우리는 강 근처 공원으로 산책을 갔습니다. 아이들이 잔디에서 놀았습니다. 정말 즐거운 하루였습니다."
GOOD = [ZH, ZH_LONG, EN, EN_LONG, MIXED]


def only(**knobs) -> Rules:
    """Rules with every rule off but the given ones."""
    off = {f.name: 0 for f in dataclasses.fields(RulesConfig) if type(getattr(RulesConfig(), f.name)) in (int, float)}
    return Rules(RulesConfig(**{**off, **knobs}))


# -- the normal paragraphs pass everything ---------------------------------------------------
@pytest.mark.parametrize("text", GOOD)
def test_normal_paragraphs_pass_all_default_rules(text):
    assert Rules().check(text) is None, Rules().explain(text)
    assert Rules().check(Normalize().normalize(text)) is None


def test_units_split_words_and_cjk_characters():
    assert units("Mara Quinn 出生在流明灣, age 37.") == [
        "Mara",
        "Quinn",
        "出",
        "生",
        "在",
        "流",
        "明",
        "灣",
        "age",
        "37",
    ]
    assert units("日本語とEnglish") == ["日", "本", "語", "と", "English"]


def test_character_classes():
    assert char_info("，")[:2] == ("punct", "han") and char_info("「")[:2] == ("punct", "han")
    assert char_info("ㄅ")[1] == "han" and char_info("灣")[1] == "han" and char_info("é")[1] == "latin"
    assert char_info("か")[1] == "kana" and char_info("д")[1] == "cyrillic" and char_info("한")[1] == "hangul"
    assert {char_info(c)[0] for c in "#{}|<>@$~^`\\*🎉"} == {"symbol"}
    assert {char_info(c)[0] for c in ".,;:!?'\"()-、。！？"} == {"punct"}


# -- each rule: Chinese and English, one that passes and one that fails -----------------------
def test_min_chars():
    r = only(min_chars=50)
    assert r.check(ZH) is None and r.check(EN) is None
    assert r.check("她的興趣是賞鳥。") == "too_short"
    assert r.check("Short note.") == "too_short"
    assert r.check("a  " * 30) == "too_short"  # 90 characters, 30 of them not whitespace


def test_max_chars():
    r = only(max_chars=200)
    assert r.check(ZH) is None and r.check(EN) is None
    assert r.check(ZH * 4) == "too_long"
    assert r.check(EN + " " + EN) == "too_long"


def test_min_mean_line_chars():
    r = only(min_mean_line_chars=10)
    assert r.check("首頁\n關於我們\n聯絡我們\n登入\n最新消息") == "short_lines"
    assert r.check("Home\nAbout us\nContact\nLogin\nNews") == "short_lines"
    assert r.check("床前明月光，\n疑是地上霜。\n舉頭望明月，\n低頭思故鄉。") is None  # a CJK character is 2 columns
    assert r.check("The woods are lovely, dark and deep,\nBut I have promises to keep,\nAnd miles to go.") is None
    assert r.check("Hi") is None and r.check("你好") is None  # one short line: judged by min_chars instead


def test_max_mean_line_chars():
    r = Rules()
    en_line = " ".join(f"word{i}" for i in range(2000))  # one line of 11,000 characters
    assert r.check(en_line) == "long_lines"
    assert only(max_mean_line_chars=10_000).check(en_line.replace("0 ", "0.\n")) is None
    zh = "".join(
        random.Random(0).choice("的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動")
        for _ in range(6000)
    )
    assert only(max_mean_line_chars=10_000).check(zh) == "long_lines"  # 6,000 CJK characters = 12,000 columns
    assert only(max_mean_line_chars=10_000).check("\n".join(zh[i : i + 100] for i in range(0, 6000, 100))) is None


def test_symbol_ratio():
    r = only(max_symbol_ratio=0.25)
    assert r.check(ZH_LONG) is None and r.check(EN_LONG) is None  # 「」（）；：！，。 are punctuation
    assert r.check("她說：「今天（週六）天氣很好；我們去海邊、山上吧！」——好啊……") is None
    menu = "» Home | About | Blog | {{user}} | @login | #tags | $$$ | <<< prev | next >>> | ~~~ | ^top ^ | `code` | ***"
    assert r.check(menu) == "symbols"
    assert r.check("★★★賺錢秘訣★★★ 加入會員 $$$ 月入十萬 >>> 立即點擊 <<< ### ### @@@ 🎉🎉🎉") == "symbols"


def test_duplicate_lines():
    r = only(max_duplicate_line_fraction=0.3)
    assert r.check(EN_LONG) is None and r.check(ZH_LONG) is None
    assert r.check("\n".join(["Home | About | Contact | Login"] * 20)) == "duplicate_lines"
    page = "\n".join([ZH] + ["版權所有，翻印必究。"] * 5)
    assert r.check(page) == "duplicate_lines"
    assert Rules().check("\n".join(["Home | About | Contact | Login"] * 20)) == "duplicate_lines"


def test_duplicate_line_chars():
    r = only(max_duplicate_line_char_fraction=0.2)
    short = [f"Line {i} is short." for i in range(10)]
    assert r.check("\n".join(short + [EN])) is None
    assert r.check("\n".join(short + [EN, EN])) == "duplicate_line_chars"  # 1 line in 12, most of the text
    zh_short = [f"第{i}行很短。" for i in range(10)]
    assert r.check("\n".join(zh_short + [ZH])) is None
    assert r.check("\n".join(zh_short + [ZH, ZH])) == "duplicate_line_chars"


def test_top_ngram():
    r = only(max_top_ngram_char_fraction=0.2)
    assert r.check(EN_LONG) is None and r.check(ZH_LONG) is None
    spam = " ".join(f"buy now {w}" for w in ["cheap", "watches", "best", "price", "fast", "shipping", "great", "deal"])
    assert r.check(spam) == "top_ngram"
    assert (
        r.check("".join(f"立即購買{w}" for w in ["手錶", "包包", "鞋子", "外套", "帽子", "眼鏡", "手機", "耳機"]))
        == "top_ngram"
    )


def test_duplicate_ngrams():
    r = only(max_dup_ngram_char_fraction=0.15)
    assert r.check(EN_LONG) is None and r.check(ZH_LONG) is None
    assert r.check(EN + " " + EN + " " + EN) == "duplicate_ngrams"  # one line: not a duplicate line
    assert r.check(ZH + ZH + ZH) == "duplicate_ngrams"
    # a Chinese term repeated is one word repeated, not a repeated phrase: n is counted in words
    term = "她是海洋生物學家，也喜歡海洋生物學。海洋生物學家常去海邊，研究潮間帶的海洋生物學問題與保育方法。"
    assert r.check(term) is None


def test_char_run():
    assert Rules().check("M" * 5000) == "char_run"
    r = only(max_char_run_fraction=0.1)
    assert r.check(EN_LONG) is None and r.check(ZH_LONG) is None
    assert r.check(EN + " Aaaaa" + "a" * 40 + "rgh!") == "char_run"
    assert r.check(ZH + "哈" * 30) == "char_run"
    assert r.check(EN + "\n" + " " * 100 + "end") is None  # whitespace runs do not count


def test_periodic_repeat():
    assert Rules().check("g4OD" * 1000) == "periodic_repeat"
    assert periodic_repeats("g4OD" * 1000) == 1000
    r = only(repeat_max_period=13, repeat_min_count=32)
    assert r.check(EN_LONG) is None and r.check(ZH_LONG) is None
    assert r.check(EN + " " + "lol" * 40) == "periodic_repeat"
    assert r.check(ZH + "哈囉" * 40) == "periodic_repeat"
    assert r.check(ZH + "哈囉" * 20) is None
    assert r.check(EN + "\n" + "-" * 80 + "\n" + EN) is None  # a rule line has no letters
    assert r.check("abcdefghijklmn" * 40) is None  # a period of 14 is longer than repeat_max_period


def test_bullet_lines():
    r = only(max_bullet_line_fraction=0.9)
    assert r.check("Shopping list for the weekend trip:\n- apples\n- bread\n- cheese") is None
    assert r.check("- apples\n- bread\n* cheese\n• milk\n· eggs") == "bullet_lines"
    assert r.check("週末露營要帶的東西：\n• 帳篷\n• 睡袋\n• 手電筒") is None
    assert r.check("• 帳篷\n• 睡袋\n• 手電筒\n• 雨衣") == "bullet_lines"


def test_ellipsis_lines():
    r = only(max_ellipsis_line_fraction=0.3)
    assert r.check("She waited for a while...\n" + EN + "\n" + EN_LONG + "\nThen she left.") is None
    assert (
        r.check("Top ten beaches you must see...\nWhy this town is famous...\nRead more about the...")
        == "ellipsis_lines"
    )
    assert r.check("她等了很久……\n" + ZH + "\n" + ZH_LONG + "\n後來她走了。") is None
    assert r.check("十大必去海灘……\n這個小鎮為什麼出名…\n閱讀更多……") == "ellipsis_lines"


@pytest.mark.parametrize("text", [JA, RU, KO])
def test_other_scripts_are_dropped(text):
    assert Rules().check(text) == "other_script"
    assert Rules(RulesConfig(scripts=["latin", "han", "kana", "cyrillic", "hangul"])).check(text) is None


def test_script_share():
    r = only(min_script_fraction=0.65)
    assert r.check(MIXED) is None and r.check(ZH) is None and r.check(EN) is None
    assert r.check("注音符號：ㄅㄆㄇㄈ，" + ZH) is None  # Bopomofo is Han
    assert r.check(EN + " " + RU + " " + RU) == "other_script"
    assert r.check("1234 5678 9012 3456 7890 1234 5678 9012 3456 7890 1234") == "other_script"  # no letters at all


def test_bad_words():
    r = only(bad_words=["casino", "賭場"], max_bad_words=0)
    assert r.check(EN) is None and r.check(ZH) is None
    assert r.check(EN + " Visit our Casino tonight.") == "bad_words"
    assert r.check(EN + " Occasinoal typos are not words.") is None  # whole words in Latin text
    assert r.check(ZH + "歡迎光臨地下賭場。") == "bad_words"
    assert only(bad_words=["casino"], max_bad_words=2).check(EN + " casino casino") is None
    assert only(max_bad_words=0).check(EN + " casino") is None  # no list: rule off
    assert Rules(RulesConfig(bad_words=["casino"])).explain(EN + " casino CASINO")["bad_words"] == 2


def test_explain_returns_every_quantity():
    r = Rules()
    e = r.explain(ZH_LONG)
    quantities = {q for _, _, q, _ in RULES}
    assert quantities <= set(e)
    assert {"top_2gram_char_fraction", "dup_10gram_char_fraction", "lines"} <= set(e)
    assert all(isinstance(v, float) for v in e.values())
    assert e["chars"] == len("".join(ZH_LONG.split())) and e["lines"] == 2.0
    assert e["script_fraction"] == 1.0 and e["symbol_ratio"] == 0.0
    m = r.explain("M" * 5000)
    assert m["char_run_fraction"] == 1.0 and m["periodic_repeats"] == 5000
    assert r.explain("g4OD" * 1000)["periodic_repeats"] == 1000
    assert r.explain(EN + " " + EN)["dup_5gram_char_fraction"] > 0.4


def test_rules_step_counts_reasons_and_can_be_off():
    r = Rules()
    docs = [Doc("a", ZH), Doc("b", "M" * 5000), Doc("c", JA), Doc("d", EN), Doc("e", "g4OD" * 1000)]
    assert [r.apply(d) for d in docs] == [None, "char_run", "other_script", None, "periodic_repeat"]
    assert r.stats == {"char_run": 1, "other_script": 1, "periodic_repeat": 1}
    off = Rules(RulesConfig(enabled=False))
    assert off.apply(Doc("b", "M" * 5000)) is None


def test_every_rule_can_be_turned_off():
    r = only()
    for text in ["M" * 5000, "g4OD" * 1000, JA, "x", "\n".join(["Home | About"] * 30)]:
        assert r.check(text) is None


# -- personal data -------------------------------------------------------------------------
PII_ZH = "請寫信到 alice.chen@example.com.tw 或打0912-345-678，市話(02) 2345-6789，國際+886 2 2345 6789。伺服器在192.168.0.1。"
PII_EN = "Mail bob.smith+news@mail.co.uk or call 555-123-4567, (555) 123-4567 or +1 555 123 4567; server 10.0.0.255."


def test_pii_is_scrubbed_when_enabled():
    r = only(scrub_pii=True)
    doc = Doc("zh", PII_ZH)
    assert r.apply(doc) is None
    assert doc.text == "請寫信到 <EMAIL> 或打<PHONE>，市話<PHONE>，國際<PHONE>。伺服器在<IP>。"
    doc = Doc("en", PII_EN)
    assert r.apply(doc) is None
    assert doc.text == "Mail <EMAIL> or call <PHONE>, <PHONE> or <PHONE>; server <IP>."
    assert r.stats == {"pii_email": 2, "pii_phone": 6, "pii_ip": 2}


def test_pii_untouched_when_disabled_and_numbers_that_are_not_pii_kept():
    r = only()
    for text in (PII_ZH, PII_EN):
        doc = Doc("x", text)
        assert r.apply(doc) is None and doc.text == text
    safe = ZH + " Version 1.2.3 shipped on 2023-10-15; ISBN 978-0-306-40615-7; 1,234,567 people; 1.2.3.4.5."
    assert Rules(RulesConfig(scrub_pii=True)).scrub(safe) == safe


# -- normalisation ---------------------------------------------------------------------------
def norm(text: str, **kw) -> str:
    return Normalize(NormalizeConfig(**kw)).normalize(text)


def test_mojibake_is_fixed():
    assert norm("Ã©tÃ© Ã  Paris") == "été à Paris"
    assert norm(ZH.encode("utf-8").decode("latin-1")) == ZH
    assert norm("Ã©tÃ©", fix_mojibake=False) == "Ã©tÃ©"


def test_full_width_punctuation_kept_nfc_not_nfkc():
    text = "她說：「你好，世界。」（全形）ＡＢＣ１２３①"
    assert norm(text) == text
    assert norm("e\u0301te\u0301") == "été"  # composed (NFC)
    assert norm(ZH) == ZH and norm(EN) == EN


def test_html_is_converted_to_text():
    page = (
        "<html><head><title>T</title><style>p {color: red}</style><script>var x = 1;</script></head>"
        "<body><div class='nav'>Home | About</div>\n  <p>陳怡君 &amp; Mara.</p><p>Second   paragraph&nbsp;here.</p>"
        "<ul>\n <li>one</li>\n <li>two</li>\n</ul><br/>&nbsp;</body></html>"
    )
    out = norm(page)
    assert out == "Home | About\n\n陳怡君 & Mara.\n\nSecond paragraph here.\n\none\ntwo"
    assert "var x" not in out and "color" not in out
    assert norm("Hello<br>World") == "Hello\nWorld"
    assert norm("if a<b and c>d then") == "if a<b and c>d then"  # not markup
    assert norm("<p>x</p>", strip_html=False) == "<p>x</p>"


def test_control_characters_and_whitespace():
    assert norm("a\x00b\x07c\u200b\ufeffd") == "abcd"
    assert norm("line one\r\nline two\rthree") == "line one\nline two\nthree"
    assert norm("  a   b \t\t c  \n\n\n\n\n d\u00a0\u00a0e   \n") == "a b c\n\nd e"
    assert norm("x\n\n\ny", max_newlines=1) == "x\ny"
    assert norm("序\n\u3000\u3000第一章") == "序\n\u3000\u3000第一章"  # an ideographic-space indent is kept


def test_normalize_step_drops_only_empty_documents():
    step = Normalize()
    doc = Doc("a", "  Ã©tÃ©  ")
    assert step.apply(doc) is None and doc.text == "été"
    for text in ["", "   \n\t ", "\x00\x01", "<html><script>var x;</script></html>"]:
        assert step.apply(Doc("e", text)) == "empty_after_normalize"
    assert step.stats["empty_after_normalize"] == 4
    off = Normalize(NormalizeConfig(enabled=False))
    doc = Doc("b", "  x  ")
    assert off.apply(doc) is None and doc.text == "  x  "


def test_config_fields_have_help():
    for cls in (NormalizeConfig, RulesConfig):
        for f in dataclasses.fields(cls):
            assert f.metadata.get("help"), f.name
    assert RulesConfig().scripts == ["latin", "han"] and RulesConfig().bad_words == []
    assert RulesConfig().scripts is not RulesConfig().scripts


def test_a_one_megabyte_document():
    rng = random.Random(0)
    words = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on"]
    en = " ".join(rng.choice(words) + ("." if rng.random() < 0.1 else "") for _ in range(180_000))
    hanzi = "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說"
    zh = "".join(rng.choice(hanzi) + ("。\n" if rng.random() < 0.02 else "") for _ in range(300_000))
    doc = en[:600_000] + "\n" + zh
    assert len(doc.encode()) > 1_000_000
    t0 = time.perf_counter()
    text = Normalize().normalize(doc)
    r = Rules(RulesConfig(max_chars=0))
    r.check(text)
    e = r.explain(text)
    assert e["chars"] > 500_000
    assert Rules().check(text) == "too_long"
    print(f"1 MB document normalised, checked and explained in {time.perf_counter() - t0:.2f} s")
