"""Model-based quality filter: a fastText-style linear classifier over hashed n-grams, numpy only.

The classic recipe (GPT-3, FineWeb-Edu): train "reference text" (good) against "a sample of the
raw corpus" (bad), then keep the raw documents that look like the reference. Features are
character n-grams (1..`ngram_max`, over the lowercased, whitespace-collapsed text, so Chinese
needs no word splitting) plus word unigrams and bigrams of Latin-script text, hashed into
`buckets` slots with a stable hash (never Python's salted `hash()`), counted and L2-normalised.
The model is logistic regression trained by mini-batch SGD with a linearly decaying learning
rate; every random choice comes from `seed`, so the same data gives the same weights.

Saved as `quality.safetensors` (weights) + `quality.json` (config) in a folder; never pickle.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as st_load
from safetensors.numpy import save as st_save

from engine.config import knob, validate_fields
from engine.data.steps import Doc, Step
from engine.errors import DojoError
from engine.io.fsutil import atomic_write_bytes, atomic_write_text

FORMAT = "lmdojo-quality-hashed-ngram"
VERSION = 1
WEIGHTS_FILE = "quality.safetensors"
CONFIG_FILE = "quality.json"
HIST_BINS = 20
BATCH = 16  # documents per SGD step (gradients summed, as if applied one by one)


@dataclass
class QualityConfig:
    enabled: bool = knob(
        True, "Score documents with a classifier trained on reference text against raw text, and drop the low scorers."
    )
    threshold: float = knob(
        0.0,
        "Drop documents scoring below this (low_quality); 0 = auto: the "
        "pipeline calibrates it on held-out reference text.",
        min=0.0,
        max=1.0,
    )
    ngram_max: int = knob(
        3,
        "Character n-grams of length 1 to this (plus word uni- and bigrams of Latin text) are the features.",
        min=1,
        max=8,
    )
    buckets: int = knob(2**18, "Hashed feature slots (weights) of the classifier.", min=16, max=2**26)
    epochs: int = knob(5, "Passes of SGD over the training documents.", min=1, max=100)
    lr: float = knob(0.5, "Initial SGD learning rate; it decays linearly to 0.", min=1e-6, max=10.0)
    l2: float = knob(1e-6, "L2 penalty on the weights each step touches.", min=0.0)
    seed: int = knob(0, "Seed of the training samples and the SGD order.")
    max_train_docs: int = knob(20000, "Most training documents per side (reference and raw), sampled.", min=1)
    upsample_threshold: float = knob(
        0.0, "Documents scoring at least this are written several times (0 = off).", min=0.0, max=1.0
    )
    upsample_times: int = knob(2, "How many times in all an upsampled document is written.", min=1, max=100)

    def validate(self) -> None:
        validate_fields(self)


# --------------------------------------------------------------------------- features

_U64 = np.uint64
_MULT = _U64(0x100000001B3)
_OFFSET = _U64(0xCBF29CE484222325)
_LATIN_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+(?:['\u2019][a-z\u00c0-\u024f]+)*")


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser."""
    h = h ^ (h >> _U64(30))
    h = h * _U64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> _U64(27))
    h = h * _U64(0x94D049BB133111EB)
    return h ^ (h >> _U64(31))


def _char_ngram_hashes(text: str, n_max: int) -> np.ndarray:
    """uint64 hashes of every character n-gram, n = 1..n_max; each n has its own seed."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(_U64)
    parts = []
    with np.errstate(over="ignore"):
        h = np.full(cps.size, _OFFSET, dtype=_U64)
        for n in range(1, n_max + 1):
            count = cps.size - n + 1
            if count <= 0:
                break
            h = (h[:count] ^ cps[n - 1 : n - 1 + count]) * _MULT  # h[i] now covers cps[i:i+n]
            parts.append(_mix64(h ^ _U64(n)))
    return np.concatenate(parts) if parts else np.empty(0, dtype=_U64)


def _word_hashes(text: str) -> list[int]:
    words = _LATIN_WORD.findall(text)
    out = [zlib.crc32(w.encode(), 0x57) for w in words]  # distinct seed per feature kind
    out += [zlib.crc32(f"{a} {b}".encode(), 0xB1) | (1 << 32) for a, b in itertools.pairwise(words)]
    return out


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def featurize(text: str, ngram_max: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse L2-normalised count vector: (sorted bucket indices int64, values float64)."""
    norm = normalise(text)
    hashes = _char_ngram_hashes(norm, ngram_max)
    words = _word_hashes(norm)
    if words:
        with np.errstate(over="ignore"):
            wh = _mix64(np.array(words, dtype=_U64))
        hashes = np.concatenate((hashes, wh))
    if hashes.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    idx, counts = np.unique((hashes % _U64(buckets)).astype(np.int64), return_counts=True)
    val = counts.astype(np.float64)
    val /= math.sqrt(float(val @ val))
    return idx, val


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any z


# --------------------------------------------------------------------------- classifier


class HashedNgramClassifier:
    """Logistic regression on hashed n-gram features; `score` is P(good)."""

    def __init__(self, cfg: QualityConfig | None = None):
        self.cfg = cfg or QualityConfig()
        self.cfg.validate()
        self.weight = np.zeros(self.cfg.buckets, dtype=np.float32)
        self.bias = np.float32(0.0)
        self.trained_on = {"good": 0, "bad": 0}

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return featurize(text, self.cfg.ngram_max, self.cfg.buckets)

    def fit(self, good_texts: Sequence[str], bad_texts: Sequence[str]) -> HashedNgramClassifier:
        """Train from scratch: good = label 1, bad = label 0."""
        cfg = self.cfg
        good, bad = list(good_texts), list(bad_texts)
        if not good or not bad:
            raise DojoError(f"quality model needs good and bad examples, got {len(good)} good and {len(bad)} bad")
        feats = [self.features(t) for t in good + bad]
        labels = np.array([1.0] * len(good) + [0.0] * len(bad))
        n = len(feats)
        lengths = np.array([f[0].size for f in feats], dtype=np.int64)
        # balance the classes: each side's examples weigh n / (2 * side)
        cw = np.where(labels == 1.0, n / (2.0 * len(good)), n / (2.0 * len(bad)))

        w = np.zeros(cfg.buckets, dtype=np.float64)
        b = 0.0
        rng = np.random.default_rng(cfg.seed)
        total = cfg.epochs * math.ceil(n / BATCH)
        step = 0
        for _ in range(cfg.epochs):
            order = rng.permutation(n)
            for s in range(0, n, BATCH):
                rows = order[s : s + BATCH]
                lr = cfg.lr * max(1.0 - step / total, 1e-4)
                step += 1
                idx = np.concatenate([feats[r][0] for r in rows])
                val = np.concatenate([feats[r][1] for r in rows])
                row_of = np.repeat(np.arange(rows.size), lengths[rows])
                z = np.bincount(row_of, weights=w[idx] * val, minlength=rows.size) + b
                g = (_sigmoid(z) - labels[rows]) * cw[rows]  # d loss / d z per document
                uniq, inv = np.unique(idx, return_inverse=True)
                grad = np.bincount(inv, weights=g[row_of] * val, minlength=uniq.size)
                w[uniq] -= lr * (grad + cfg.l2 * w[uniq])
                b -= lr * float(g.sum())
        self.weight = w.astype(np.float32)
        self.bias = np.float32(b)
        self.trained_on = {"good": len(good), "bad": len(bad)}
        return self

    def score(self, text: str) -> float:
        idx, val = self.features(text)
        z = float(self.weight[idx].astype(np.float64) @ val) + float(self.bias)
        return float(_sigmoid(z))

    def score_many(self, texts: Iterable[str]) -> list[float]:
        return [self.score(t) for t in texts]

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(
            folder / WEIGHTS_FILE,
            st_save(
                {"weight": self.weight, "bias": np.array([self.bias], dtype=np.float32)}, metadata={"format": FORMAT}
            ),
        )
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "hash": "fnv1a64+splitmix64 / crc32",
            "config": asdict(self.cfg),
            "trained_on": self.trained_on,
        }
        atomic_write_text(folder / CONFIG_FILE, json.dumps(meta, indent=2) + "\n")

    @classmethod
    def load(cls, folder: str | Path) -> HashedNgramClassifier:
        folder = Path(folder)
        try:
            meta = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            tensors = st_load((folder / WEIGHTS_FILE).read_bytes())
        except FileNotFoundError as e:
            raise DojoError(f"quality model not found: {e.filename}") from None
        except (ValueError, OSError, SafetensorError) as e:
            raise DojoError(f"quality model in {folder} is damaged: {e}") from None
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise DojoError(f"{folder / CONFIG_FILE}: not a quality model of format {FORMAT} v{VERSION}")
        known = {f.name for f in fields(QualityConfig)}
        model = cls(QualityConfig(**{k: v for k, v in meta["config"].items() if k in known}))
        weight = tensors.get("weight")
        if weight is None or weight.shape != (model.cfg.buckets,) or "bias" not in tensors:
            raise DojoError(f"{folder / WEIGHTS_FILE}: weights do not match the config ({model.cfg.buckets} buckets)")
        model.weight = weight.astype(np.float32)
        model.bias = np.float32(tensors["bias"][0])
        model.trained_on = meta.get("trained_on", model.trained_on)
        return model


# --------------------------------------------------------------------------- training


def _reservoir(texts: Iterable[str], k: int, rng: random.Random) -> list[str]:
    """A uniform sample of k texts (all of them when there are fewer), in stream order."""
    sample: list[tuple[int, str]] = []
    for i, t in enumerate(_non_empty(texts)):
        if i < k:
            sample.append((i, t))
        else:
            j = rng.randrange(i + 1)
            if j < k:
                sample[j] = (i, t)
    return [t for _, t in sorted(sample)]


def _non_empty(texts: Iterable[str]) -> Iterator[str]:
    return (t for t in texts if t and t.strip())


def train_quality_model(
    good: Iterable[str], raw: Iterable[str], cfg: QualityConfig | None = None
) -> HashedNgramClassifier:
    """Reference texts (good) against a sample of the raw corpus (bad): each side is sampled down
    to at most `max_train_docs`, then the larger one to the size of the smaller (balanced)."""
    cfg = cfg or QualityConfig()
    cfg.validate()
    rng = random.Random(cfg.seed)
    good_s = _reservoir(good, cfg.max_train_docs, rng)
    raw_s = _reservoir(raw, cfg.max_train_docs, rng)
    n = min(len(good_s), len(raw_s))
    if n == 0:
        raise DojoError(
            f"quality model needs reference and raw texts, got {len(good_s)} reference and {len(raw_s)} raw"
        )
    if len(good_s) > n:
        good_s = [good_s[i] for i in sorted(rng.sample(range(len(good_s)), n))]
    if len(raw_s) > n:
        raw_s = [raw_s[i] for i in sorted(rng.sample(range(len(raw_s)), n))]
    return HashedNgramClassifier(cfg).fit(good_s, raw_s)


# --------------------------------------------------------------------------- step


class QualityFilter(Step):
    name = "quality"

    def __init__(self, classifier: HashedNgramClassifier, cfg: QualityConfig | None = None):
        self.classifier = classifier
        self.cfg = cfg or classifier.cfg
        self.cfg.validate()
        self.histogram = [0] * HIST_BINS
        self._sum = 0.0
        self._count = 0

    def apply(self, doc: Doc) -> str | None:
        s = self.classifier.score(doc.text)
        doc.metadata["quality"] = round(s, 4)
        self.histogram[min(int(s * HIST_BINS), HIST_BINS - 1)] += 1
        self._sum += s
        self._count += 1
        return "low_quality" if s < self.cfg.threshold else None

    def close(self) -> dict:
        mean = self._sum / self._count if self._count else 0.0
        return {"histogram": list(self.histogram), "threshold": self.cfg.threshold, "mean_score": round(mean, 4)}
