"""What the heuristic rules measure in a text, for English and Chinese alike.

Chinese has no spaces, so "words" would be whole sentences: where a count of words is the
measure (Gopher's repetition rules), `units` splits Latin runs into words and CJK runs into
single characters, and an n-gram of Chinese is 2n characters long (a Chinese word is about two
characters; with n characters, a repeated five-character term would count as a repeated phrase).
Line lengths are in columns, a CJK character being two. Character classes come from one cached look-up per distinct character, so
a 1 MB document costs one pass of `collections.Counter` plus a few regex scans.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cached_property, lru_cache

import numpy as np

# Han ideographs (with extensions and compatibility forms), Bopomofo, 々 〇, and kana: written
# without spaces, so one character is one unit.
_CJK = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3100-\u312f\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
_CJK_RE = re.compile(f"[{_CJK}]")
_UNITS_RE = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
# CJK and full-width punctuation ，。！？「」、：；（） count as Han where scripts are shared out
_CJK_PUNCT_RE = re.compile(
    "[\u3000-\u303f\ufe10-\ufe1f\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
# punctuation by Unicode category, yet symbols on a web page (Gopher's "#", C4's "{")
_SYMBOL_PUNCT = set("#*@\\{}＃＊＠＼｛｝")
_SCRIPT_ALIASES = {
    "cjk": "han",
    "bopomofo": "han",
    "ideographic": "han",
    "hiragana": "kana",
    "katakana": "kana",
    "katakana-hiragana": "kana",
    "feminine": "latin",
    "masculine": "latin",
    "modifier": "latin",
}
BULLETS = tuple("•‣◦●▪-*·")
ELLIPSES = ("...", "…")


def units(text: str) -> list[str]:
    """Words for Latin (and other spaced) runs, single characters for Han and kana runs."""
    return _UNITS_RE.findall(text)


@lru_cache(maxsize=1 << 16)
def char_info(ch: str) -> tuple[str, str | None, bool]:
    """(kind, script, wide): kind is space, letter, digit, punct, symbol or mark; script is the
    lower-case Unicode script name for letters ("latin", "han", "kana", "hangul", "cyrillic"...)
    and "han" for CJK punctuation; wide is True for characters two columns wide (CJK)."""
    if ch.isspace():
        return "space", None, False
    cat = unicodedata.category(ch)
    wide = unicodedata.east_asian_width(ch) in "WF"
    if cat[0] == "L":
        words = unicodedata.name(ch, "UNKNOWN").split()
        first = words[1] if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1 else words[0]
        first = first.lower()
        return "letter", _SCRIPT_ALIASES.get(first, first), wide
    if cat[0] == "N":
        return "digit", None, wide
    if cat[0] == "P" and ch not in _SYMBOL_PUNCT:
        return "punct", "han" if _CJK_PUNCT_RE.match(ch) else None, wide
    if cat[0] == "M" or cat == "Cf":  # combining marks, joiners: parts of letters and emoji
        return "mark", None, wide
    return "symbol", None, wide  # S* (emoji, $, |, <, ~, ^, `), controls, private use


def longest_char_run(text: str) -> int:
    """Length of the longest run of one repeated non-whitespace character."""
    best = max((m.end() - m.start() for m in re.finditer(r"(\S)\1+", text)), default=0)
    return best or int(bool(text.strip()))


@lru_cache(maxsize=64)
def _periodic_re(max_period: int) -> re.Pattern:
    return re.compile(f"(.{{1,{max_period}}}?)\\1{{3,}}", re.DOTALL)


def periodic_repeats(text: str, max_period: int = 13) -> int:
    """Most consecutive repetitions of one unit of 1..max_period characters (OLMo's repetition
    rule: "g4OD" * 1000 gives 1000). Units with no letter or digit (a rule of "-----", a row of
    spaces) do not count. Runs shorter than 4 repetitions report 1."""
    if max_period < 1:
        return 1
    best = 1
    for m in _periodic_re(max_period).finditer(text):
        unit = m.group(1)
        if any(c.isalnum() for c in unit):
            best = max(best, (m.end() - m.start()) // len(unit))
    return best


def may_repeat(text: str, max_period: int, count: int, char_counts: Counter | None = None) -> bool:
    """False only where `periodic_repeats(text, max_period) < count` for sure: a unit with a letter or
    digit repeated `count` times needs that character `count` times, and text[i] == text[i + p] over
    (count - 1) * p positions in a row for its period p. True means: measure it."""
    if count <= 4 or max_period < 1:
        return True
    counts = char_counts if char_counts is not None else Counter(text)
    if not any(n >= count and ch.isalnum() for ch, n in counts.items()):
        return False
    n = len(text)
    data = text.encode("utf-32-le")
    for p in range(1, max_period + 1):
        if n < count * p:
            break
        x = int.from_bytes(data[: 4 * (n - p)], "little") ^ int.from_bytes(data[4 * p :], "little")
        if bytes(4 * (count - 1) * p) in x.to_bytes(4 * (n - p), "little"):
            return True
    return False


_MULT = np.uint64(0x9E3779B97F4A7C15)
_PY_MULT = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_SALTS: list[int] = []
_PY_NGRAM_MAX_TOKENS = 50_000  # above this, the numpy path


def _salts(n: int) -> list[int]:
    """The first n salts of `ngram_fractions`'s numpy path (the generator's output is prefix-stable)."""
    global _SALTS
    if len(_SALTS) < n:
        size = max(n, 2 * len(_SALTS), 1024)
        _SALTS = [int(x) for x in np.random.default_rng(0).integers(1, 1 << 63, size=size, dtype=np.uint64)]
    return _SALTS


@lru_cache(maxsize=1 << 16)
def _is_latin_char(ch: str) -> bool:
    return not _CJK_RE.match(ch)


def _is_latin(tok: str) -> bool:
    """Not a CJK unit."""
    return _is_latin_char(tok) if len(tok) == 1 else not _CJK_RE.match(tok)


def _ngram_fractions_py(toks: list[str], text_len: int, out: dict, length: dict, top_ns, dup_ns) -> dict:
    """Pure-Python `ngram_fractions` for short texts (numpy's per-call cost dominates there): the same
    n-grams, counts and tie-breaking (the smallest rolling hash among equally frequent n-grams)."""
    ntok = len(toks)
    by_k: dict[int, list] = {}
    for n in top_ns:
        by_k.setdefault(length[n], []).append(("top", n))
    for n in dup_ns:
        by_k.setdefault(length[n], []).append(("dup", n))
    for k in sorted(by_k):
        if k > ntok:
            break
        grams = list(zip(*[toks[j:] for j in range(k)]))
        if len(set(grams)) == len(grams):
            break  # no k-gram repeats, hence no longer one either
        counts = None
        for kind, n in by_k[k]:
            if kind == "top":
                if counts is None:
                    counts = Counter(grams)
                best = max(counts.values())
                if best > 1:
                    cands = [g for g, c in counts.items() if c == best]
                    chars_of = [
                        sum(map(len, g)) + sum(_is_latin(a) and _is_latin(b) for a, b in zip(g, g[1:])) for g in cands
                    ]
                    chars = chars_of[0]
                    if len(cands) > 1 and len(set(chars_of)) > 1:
                        index: dict[str, int] = {}
                        for t in toks:
                            index.setdefault(t, len(index))
                        salt = _salts(len(index))

                        def rolling(g):
                            h = salt[index[g[0]]]
                            for t in g[1:]:
                                h = (h * _PY_MULT + salt[index[t]]) & _MASK
                            return h

                        chars = min(zip(map(rolling, cands), chars_of))[1]
                    out[f"top_{n}gram_char_fraction"] = min(1.0, float(best * chars) / text_len)
            else:
                seen: set = set()
                covered = bytearray(ntok)
                ones = b"\x01" * k
                found = False
                for i, g in enumerate(grams):
                    if g in seen:
                        covered[i : i + k] = ones
                        found = True
                    else:
                        seen.add(g)
                if found:
                    latin = [_is_latin(t) for t in toks]
                    chars = sum(len(t) for t, c in zip(toks, covered) if c)
                    chars += sum(
                        1 for i in range(ntok - 1) if covered[i] and covered[i + 1] and latin[i] and latin[i + 1]
                    )
                    out[f"dup_{n}gram_char_fraction"] = min(1.0, float(chars) / text_len)
    return out


def ngram_fractions(
    toks: list[str], text_len: int, scale: float = 1.0, top_ns=range(2, 5), dup_ns=range(5, 11)
) -> dict[str, float]:
    """Gopher's repetition measures, as datatrove computes them, over units: for each n in `top_ns`,
    the length of the most frequent n-gram (words joined by a space, CJK characters by nothing)
    times its count, over the length of the text; for each n in `dup_ns`, the share of the text
    covered by n-grams that repeat an earlier n-gram. An n-gram is round(n * scale) units long: a
    Chinese word is about two characters, so Chinese is measured with scale 2 (a repeated
    5-character term is one word, not a repeated 5-word phrase). Hashes n-grams with numpy."""
    out = {f"top_{n}gram_char_fraction": 0.0 for n in top_ns} | {f"dup_{n}gram_char_fraction": 0.0 for n in dup_ns}
    length = {n: max(2, round(n * scale)) for n in [*top_ns, *dup_ns]}
    if len(toks) < 2 or text_len < 1:
        return out
    if len(toks) <= _PY_NGRAM_MAX_TOKENS:
        return _ngram_fractions_py(toks, text_len, out, length, top_ns, dup_ns)
    index: dict[str, int] = {}
    ids = np.fromiter((index.setdefault(t, len(index)) for t in toks), dtype=np.int64, count=len(toks))
    lens = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    latin = np.array([not _CJK_RE.match(t) for t in index], dtype=bool)[ids]
    gaps = latin[:-1] & latin[1:]  # a space between two words, none after a CJK character
    cum = np.concatenate([[0], np.cumsum(lens)])
    cum_gaps = np.concatenate([[0], np.cumsum(gaps)])
    salt = np.random.default_rng(0).integers(1, 1 << 63, size=len(index), dtype=np.uint64)[ids]
    h = salt
    for k in range(2, min(max(length.values()), len(toks)) + 1):
        h = h[:-1] * _MULT + salt[k - 1 :]  # wraps modulo 2**64: a rolling hash of the k-gram
        for n in (n for n in top_ns if length[n] == k):
            _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
            top = int(counts.argmax())
            if counts[top] > 1:
                i = int(np.argmax(inverse == top))
                chars = cum[i + k] - cum[i] + cum_gaps[i + k - 1] - cum_gaps[i]
                out[f"top_{n}gram_char_fraction"] = min(1.0, float(counts[top] * chars) / text_len)
        for n in (n for n in dup_ns if length[n] == k):
            first = np.zeros(len(h), dtype=bool)
            first[np.unique(h, return_index=True)[1]] = True
            starts = np.nonzero(~first)[0]
            if len(starts):
                edge = np.zeros(len(toks) + 1, dtype=np.int64)
                edge[starts] += 1
                edge[starts + k] -= 1
                covered = np.cumsum(edge[:-1]) > 0
                chars = lens[covered].sum() + np.count_nonzero(gaps & covered[:-1] & covered[1:])
                out[f"dup_{n}gram_char_fraction"] = min(1.0, float(chars) / text_len)
    return out


class TextStats:
    """Every measured quantity of one text, each computed on first use."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def _chars(self) -> dict:
        nonspace = wide = symbols = 0
        scripts: Counter = Counter()
        self._char_counts = counts = Counter(self.text)
        for ch, n in counts.items():
            kind, script, is_wide = char_info(ch)
            if kind == "space":
                continue
            nonspace += n
            wide += n * is_wide
            symbols += n * (kind == "symbol")
            if script:
                scripts[script] += n
        return {"nonspace": nonspace, "wide": wide, "symbols": symbols, "scripts": scripts}

    def may_repeat(self, max_period: int, count: int) -> bool:
        """See `may_repeat`: False only where `periodic_repeats` is below `count` for sure."""
        self._chars
        return may_repeat(self.text, max_period, count, self._char_counts)

    @cached_property
    def lines(self) -> list[str]:
        return [s for s in (line.strip() for line in self.text.split("\n")) if s]

    @property
    def chars(self) -> int:
        """Characters other than whitespace."""
        return self._chars["nonspace"]

    @property
    def mean_line_chars(self) -> float:
        """Mean width of the non-empty lines in columns, whitespace left out: a CJK character is two
        columns wide, as on screen, so a line of Chinese is judged like a line of English."""
        return (self.chars + self._chars["wide"]) / max(1, len(self.lines))

    @property
    def symbol_ratio(self) -> float:
        return self._chars["symbols"] / max(1, self.chars)

    def script_fraction(self, scripts) -> float:
        """Share of letters (and CJK punctuation, counted as Han) in the given scripts; 0 without letters."""
        counts = self._chars["scripts"]
        total = sum(counts.values())
        return sum(counts[s.lower()] for s in set(scripts)) / total if total else 0.0

    @cached_property
    def _line_fractions(self) -> dict[str, float]:
        seen: set[str] = set()
        dup = dup_chars = total_chars = bullets = ellipses = 0
        for line in self.lines:
            total_chars += len(line)
            if line in seen:
                dup += 1
                dup_chars += len(line)
            else:
                seen.add(line)
            bullets += line.startswith(BULLETS)
            ellipses += line.endswith(ELLIPSES)
        n = max(1, len(self.lines))
        return {
            "duplicate_line_fraction": dup / n,
            "duplicate_line_char_fraction": dup_chars / max(1, total_chars),
            "bullet_line_fraction": bullets / n,
            "ellipsis_line_fraction": ellipses / n,
        }

    duplicate_line_fraction = property(lambda self: self._line_fractions["duplicate_line_fraction"])
    duplicate_line_char_fraction = property(lambda self: self._line_fractions["duplicate_line_char_fraction"])
    bullet_line_fraction = property(lambda self: self._line_fractions["bullet_line_fraction"])
    ellipsis_line_fraction = property(lambda self: self._line_fractions["ellipsis_line_fraction"])

    @property
    def char_run_fraction(self) -> float:
        return longest_char_run(self.text) / max(1, self.chars)

    @cached_property
    def ngrams(self) -> dict[str, float]:
        """Gopher's repetition measures per n, and their maxima (what the rules compare)."""
        toks = units(self.text)
        cjk = len(self.text) - len(_CJK_RE.sub("", self.text))
        out = ngram_fractions(toks, len(self.text.strip()), scale=1 + cjk / max(1, len(toks)))
        out["top_ngram_char_fraction"] = max(out[f"top_{n}gram_char_fraction"] for n in range(2, 5))
        out["dup_ngram_char_fraction"] = max(out[f"dup_{n}gram_char_fraction"] for n in range(5, 11))
        return out

    top_ngram_char_fraction = property(lambda self: self.ngrams["top_ngram_char_fraction"])
    dup_ngram_char_fraction = property(lambda self: self.ngrams["dup_ngram_char_fraction"])
