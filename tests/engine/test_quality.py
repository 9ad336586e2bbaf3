"""The model-based quality filter: demo text (good) against generated junk (bad), both languages."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from engine.data.demo import DemoConfig, write_demo_world
from engine.data.quality import HashedNgramClassifier, QualityConfig, QualityFilter, featurize, train_quality_model
from engine.data.steps import Doc
from engine.errors import DojoError

SPAM_EN = [
    "BUY NOW",
    "click here",
    "FREE money",
    "limited offer!!!",
    "100% guaranteed",
    "cheap pills",
    "act fast",
    "WIN a prize",
    "best price online",
    "no credit check",
    "$$$",
    "call now",
    "visit www.best-deals-4u.biz",
    "earn $5000 a week from home",
    "unsubscribe",
    "hot singles",
]
SPAM_ZH = [
    "立即購買",
    "點擊這裡",
    "免費領取",
    "限時優惠！！！",
    "保證賺錢",
    "加LINE好友",
    "快速致富",
    "最低價",
    "中獎了",
    "不用信用卡",
    "日賺五千",
    "獨家秘方",
    "馬上下載",
    "優惠碼",
    "保證有效",
]
BOILER_EN = [
    "Home",
    "About us",
    "Contact",
    "Privacy Policy",
    "Terms of Service",
    "Cookie settings",
    "All rights reserved.",
    "Copyright © 2023",
    "Subscribe to our newsletter",
    "Log in",
    "Sign up",
    "Share on Facebook",
    "Tweet",
    "Next page »",
    "« Previous",
    "Skip to content",
    "Accept all cookies",
    "Powered by WordPress",
    "Sitemap",
    "Back to top",
]
BOILER_ZH = [
    "首頁",
    "關於我們",
    "聯絡我們",
    "隱私權政策",
    "服務條款",
    "版權所有 © 2023",
    "保留一切權利",
    "訂閱電子報",
    "登入",
    "註冊",
    "分享到臉書",
    "下一頁 »",
    "« 上一頁",
    "回到頂端",
    "網站地圖",
    "接受所有Cookie",
    "客服專線",
    "加入會員",
    "常見問題",
    "購物車",
]
KEYWORDS_EN = [
    "cheap hotel",
    "best",
    "Moonvale",
    "flights",
    "deals",
    "discount",
    "cheap",
    "tickets",
    "booking",
    "online",
    "hotel deals",
    "Silverbrook",
    "top 10",
    "buy",
]
KEYWORDS_ZH = [
    "便宜",
    "住宿",
    "月谷市",
    "機票",
    "優惠",
    "折扣",
    "訂房",
    "線上",
    "推薦",
    "排名",
    "最便宜",
    "銀溪市",
    "團購",
    "特價",
]


ZH_KINDS = (1, 3, 5, 7)


def _junk(rng: random.Random, kinds=range(8)) -> str:
    kind = rng.choice(kinds)
    n = rng.randint(12, 60)
    if kind == 0:
        return " ".join(rng.choice(SPAM_EN) for _ in range(n))
    if kind == 1:
        return "".join(rng.choice(SPAM_ZH) + rng.choice("！，　 ") for _ in range(n))
    if kind == 2:
        return " | ".join(rng.choice(BOILER_EN) for _ in range(n))
    if kind == 3:
        return " | ".join(rng.choice(BOILER_ZH) for _ in range(n))
    if kind == 4:  # random characters
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !@#$%^&*()_+-=[]{};:,.<>/?"
        return "".join(rng.choice(alphabet) for _ in range(n * 6))
    if kind == 5:  # random CJK characters
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n * 3))
    if kind == 6:  # keyword stuffing
        return " ".join(rng.choice(KEYWORDS_EN) for _ in range(n * 2))
    return "".join(rng.choice(KEYWORDS_ZH) for _ in range(n * 2))


def junk_texts(count: int, seed: int, kinds=range(8)) -> list[str]:
    """Spam, boilerplate, random characters and keyword stuffing, in English and Chinese."""
    rng = random.Random(seed)
    return [_junk(rng, kinds) for _ in range(count)]


@pytest.fixture(scope="module")
def demo_texts(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    write_demo_world(root, DemoConfig(people=150, stories=200))
    with open(root / "data" / "corpus" / "demo.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    random.Random(0).shuffle(texts)
    return texts


@pytest.fixture(scope="module")
def split(demo_texts):
    cut = int(len(demo_texts) * 0.7)
    return {
        "good_train": demo_texts[:cut],
        "good_test": demo_texts[cut:],
        "bad_train": junk_texts(cut, seed=1),
        "bad_test": junk_texts(300, seed=2),
    }


@pytest.fixture(scope="module")
def model(split):
    return train_quality_model(split["good_train"], split["bad_train"], QualityConfig(seed=0))


def test_features_are_sparse_unit_vectors_and_stable():
    idx, val = featurize("Hello world, 你好世界!", 3, 2**18)
    assert idx.dtype == np.int64 and np.all(np.diff(idx) > 0) and idx.max() < 2**18
    assert np.isclose(float(val @ val), 1.0)
    idx2, val2 = featurize("  HELLO   world, 你好世界! ", 3, 2**18)  # case and spacing are normalised
    assert np.array_equal(idx, idx2) and np.array_equal(val, val2)
    empty_idx, empty_val = featurize("   ", 3, 2**18)
    assert empty_idx.size == 0 and empty_val.size == 0


def test_separates_clean_from_junk_both_languages(model, split):
    good = np.array(model.score_many(split["good_test"]))
    bad = np.array(model.score_many(split["bad_test"]))
    assert np.all((good >= 0) & (good <= 1)) and np.all((bad >= 0) & (bad <= 1))
    assert np.mean(good > 0.5) >= 0.9, np.sort(good)[:10]
    assert np.mean(bad < 0.5) >= 0.9, np.sort(bad)[-10:]
    zh_good = [t for t in split["good_test"] if any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert zh_good and np.mean(np.array(model.score_many(zh_good)) > 0.5) >= 0.9
    zh_bad = junk_texts(100, seed=3, kinds=ZH_KINDS)
    assert np.mean(np.array(model.score_many(zh_bad)) < 0.5) >= 0.9
    assert all(0.0 <= model.score(t) <= 1.0 for t in ["", "x", "。", "a" * 5000])


def test_deterministic_with_the_seed(split, model):
    good, bad = split["good_train"][:300], split["bad_train"][:300]
    a = HashedNgramClassifier(QualityConfig(seed=7, epochs=2)).fit(good, bad)
    b = HashedNgramClassifier(QualityConfig(seed=7, epochs=2)).fit(good, bad)
    assert np.array_equal(a.weight, b.weight) and a.bias == b.bias
    c = HashedNgramClassifier(QualityConfig(seed=8, epochs=2)).fit(good, bad)
    assert not np.array_equal(a.weight, c.weight)  # the seed is what orders the SGD steps


def test_save_load_round_trip(tmp_path, model, split):
    model.save(tmp_path / "qm")
    assert sorted(p.name for p in (tmp_path / "qm").iterdir()) == ["quality.json", "quality.safetensors"]
    loaded = HashedNgramClassifier.load(tmp_path / "qm")
    assert loaded.cfg == model.cfg
    texts = split["good_test"][:50] + split["bad_test"][:50]
    assert loaded.score_many(texts) == model.score_many(texts)
    with pytest.raises(DojoError, match="not found"):
        HashedNgramClassifier.load(tmp_path / "nothing")


def test_filter_step_scores_drops_and_reports(model, split):
    step = QualityFilter(model, QualityConfig(threshold=0.5))
    docs = [Doc(f"g{i}", t) for i, t in enumerate(split["good_test"][:100])]
    docs += [Doc(f"b{i}", t) for i, t in enumerate(split["bad_test"][:100])]
    reasons = [step.apply(d) for d in docs]
    for d, r in zip(docs, reasons):
        q = d.metadata["quality"]
        assert 0.0 <= q <= 1.0 and q == round(q, 4)
        assert (r == "low_quality") == (model.score(d.text) < 0.5)
    assert sum(r is None for r in reasons[:100]) >= 90 and sum(r is not None for r in reasons[100:]) >= 90
    report = step.close()
    assert len(report["histogram"]) == 20 and sum(report["histogram"]) == len(docs)
    assert report["threshold"] == 0.5 and 0.0 <= report["mean_score"] <= 1.0


def test_training_is_balanced_and_capped():
    good = [f"The river town number {i} has a quiet harbour and an old stone bridge." for i in range(50)]
    raw = junk_texts(500, seed=5)
    m = train_quality_model(good, raw, QualityConfig(max_train_docs=40, epochs=1))
    assert m.trained_on == {"good": 40, "bad": 40}
    m = train_quality_model(good, raw[:10], QualityConfig(epochs=1))
    assert m.trained_on == {"good": 10, "bad": 10}
    with pytest.raises(DojoError):
        train_quality_model([], raw)
    cfg = QualityConfig(upsample_threshold=0.9, upsample_times=3)
    assert (cfg.upsample_threshold, cfg.upsample_times) == (0.9, 3)
