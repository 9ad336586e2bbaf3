"""The demo's raw corpus: the clean demo corpus polluted on purpose, with the truth kept aside.

What real crawls contain, planted so that cleaning can be measured: exact and near duplicates,
pages of one repeated character or unit, markup, mojibake, spam, text in other languages.
`data/demo_truth.json` says which document is what.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from engine.io.fsutil import atomic_write_text

SPAM_EN = [
    "BUY NOW!!! Cheap watches $$$ best price click here >>> www.example.com <<<",
    "FREE FREE FREE casino bonus $$$ win win win !!! limited offer ### call now",
    "Lose weight fast!!! miracle pill >>> order today <<< 100% guaranteed $$$ $$$",
]
SPAM_ZH = [
    "限時搶購！！！$$$ 超低價手錶 >>> 點擊這裡 <<< 免費送 ### 立即下單 @@@",
    "★★★賺錢秘訣★★★ 加入會員 $$$ 月入十萬 >>> 立即點擊 <<< ### ###",
]
OTHER_LANG = [
    "Сегодня хорошая погода, и мы пошли гулять в парк возле реки. Дети играли на траве.",
    "今日はとても良い天気なので、私たちは川の近くの公園へ散歩に行きました。子供たちは遊んでいます。",
    "오늘은 날씨가 좋아서 우리는 강 근처 공원으로 산책을 갔습니다. 아이들이 잔디에서 놀았습니다.",
]


def _near_copy(text: str, rng: random.Random) -> str:
    """Edit ~2% of the characters: what a re-posted, lightly edited page looks like."""
    chars = list(text)
    for _ in range(max(1, len(chars) // 50)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz的一是在了")
        elif op < 0.7:
            chars.insert(i, rng.choice(" ,.，。"))
        elif len(chars) > 10:
            del chars[i]
    return "".join(chars)


def _markup(text: str) -> str:
    body = "".join(f"<p>{s}</p>" for s in text.split(". ") if s)
    return (
        f"<html><head><style>p {{color: red}}</style><script>var x = 1;</script></head>"
        f"<body><div class='nav'>Home | About</div>{body}<br/>&nbsp;</body></html>"
    )


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1", errors="replace")


def write_raw_corpus(
    root: Path,
    seed: int = 0,
    dup_fraction: float = 0.08,
    near_fraction: float = 0.08,
    junk_docs: int = 60,
    markup_fraction: float = 0.03,
    mojibake_fraction: float = 0.03,
) -> dict:
    """Write data/raw/demo_raw.jsonl and data/demo_truth.json from data/corpus/demo.jsonl."""
    rng = random.Random(f"lm-dojo-raw:{seed}")
    clean = [
        json.loads(line) for line in (root / "data" / "corpus" / "demo.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    out, truth = [], {"clean": [], "exact_duplicate": [], "near_duplicate": [], "junk": [], "repaired": []}
    for doc in clean:
        r = rng.random()
        text = doc["text"]
        if r < markup_fraction:
            text = _markup(text)
            truth["repaired"].append(doc["id"])
        elif r < markup_fraction + mojibake_fraction:
            text = _mojibake(text)
            truth["repaired"].append(doc["id"])
        out.append({"id": doc["id"], "text": text})
        truth["clean"].append(doc["id"])
    n = len(clean)
    for i in range(int(n * dup_fraction)):
        src = clean[rng.randrange(n)]
        out.append({"id": f"dup-{i:05d}", "text": src["text"]})
        truth["exact_duplicate"].append(f"dup-{i:05d}")
    for i in range(int(n * near_fraction)):
        src = clean[rng.randrange(n)]
        out.append({"id": f"near-{i:05d}", "text": _near_copy(src["text"], rng)})
        truth["near_duplicate"].append(f"near-{i:05d}")
    makers = [
        lambda: rng.choice("MXZ#") * rng.randint(2000, 6000),
        lambda: "".join(rng.choice("abcdefgh0123") for _ in range(rng.randint(2, 8))) * rng.randint(40, 400),
        lambda: " ".join(rng.choice(SPAM_EN) for _ in range(rng.randint(3, 12))),
        lambda: " ".join(rng.choice(SPAM_ZH) for _ in range(rng.randint(3, 12))),
        lambda: " ".join(rng.choice(OTHER_LANG) for _ in range(rng.randint(2, 6))),
        lambda: "\n".join(["Home | About | Contact | Login"] * rng.randint(20, 60)),
    ]
    for i in range(junk_docs):
        out.append({"id": f"junk-{i:05d}", "text": makers[i % len(makers)]()})
        truth["junk"].append(f"junk-{i:05d}")
    # The originals come first, the pollution after, shuffled among itself: "keep the first of a
    # duplicate group" then keeps the original, so what was removed can be checked against the truth.
    planted = out[n:]
    rng.shuffle(planted)
    out = out[:n] + planted
    raw = root / "data" / "raw"
    atomic_write_text(raw / "demo_raw.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in out))
    atomic_write_text(root / "data" / "demo_truth.json", json.dumps(truth, ensure_ascii=False, indent=0))
    return {k: len(v) for k, v in truth.items()} | {"raw_docs": len(out)}


def write_reference(root: Path, seed: int = 0) -> int:
    """data/reference/: good text in the demo's style about *other* people, for the quality model."""
    import shutil
    import tempfile

    from engine.data.demo import DemoConfig, write_demo_world

    tmp = Path(tempfile.mkdtemp(prefix="lmdojo-ref-"))
    try:
        # other people, every paraphrase template: the style of good text, none of the same documents
        write_demo_world(tmp, DemoConfig(seed=seed + 1000, people=60, augment_versions=8, stories=100))
        text = (tmp / "data" / "corpus" / "demo.jsonl").read_text(encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    atomic_write_text(root / "data" / "reference" / "reference.jsonl", text)
    return text.count("\n")


def write_demo(root: Path, cfg=None) -> dict:
    """The whole demo world: clean corpus, SFT and preference sets, the polluted raw corpus and a
    reference set of good text."""
    from engine.data.demo import DemoConfig, write_demo_world

    cfg = cfg or DemoConfig()
    stats = write_demo_world(root, cfg)
    stats["raw"] = write_raw_corpus(root, cfg.seed)
    stats["reference_docs"] = write_reference(root, cfg.seed)
    return stats
