"""Two per-document cleaning steps: `Normalize` repairs text, `Rules` drops what is not prose.

Normalize: mojibake (ftfy, full-width CJK punctuation kept), Unicode NFC (never NFKC: it would
turn ，。 into ,.), control characters, HTML to text, whitespace.

Rules: the Gopher / C4 / FineWeb heuristics, with defaults that hold for English and Traditional
Chinese alike; each drops with its own reason (see `RULES`). Where words would be the measure,
Chinese is counted in characters, a word taken as two (see `engine.data.text_stats`). `Rules.explain` gives every
measured quantity, for previewing thresholds; `scrub_pii` rewrites e-mail addresses, phone
numbers and IP addresses, and never drops.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import ftfy

from engine.data.steps import Doc, Step
from engine.data.text_stats import TextStats, periodic_repeats


def knob(default, help: str, **kw):
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


# -- normalisation ---------------------------------------------------------------------------
@dataclass
class NormalizeConfig:
    enabled: bool = knob(True, "Repair the text of each document before the other steps.")
    fix_mojibake: bool = knob(True, "Repair text decoded with the wrong encoding (ftfy), such as Ã© for é.")
    strip_html: bool = knob(True, "Turn documents that look like HTML into plain text.")
    max_newlines: int = knob(2, "Most consecutive line breaks kept (one blank line between paragraphs).", min=1)


_TAG_NAMES = (
    "p|div|br|hr|span|a|li|ul|ol|table|tr|td|th|h[1-6]|html|head|body|script|style|section|article|"
    "header|footer|nav|main|title|meta|link|img|b|i|u|em|strong|pre|code|blockquote|form|input|iframe"
)
# a known tag whose attributes (if any) have values, so "if a<b and c>d" is not markup; or an entity
_MARKUP_RE = re.compile(
    rf"<(?:{_TAG_NAMES})(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>]+))*\s*/?>|</(?:{_TAG_NAMES})\s*>"
    r"|&(?:nbsp|amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});",
    re.IGNORECASE,
)
_PARAGRAPH_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "form",
    "figure",
    "hr",
}
_LINE_TAGS = {"br", "div", "li", "tr", "dt", "dd", "figcaption", "title", "body", "html"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head"}
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\ufeff]")
_SPACES_RE = re.compile("[^\\S\n\u3000]+")  # horizontal whitespace, the ideographic space kept
_HTML_SPACE_RE = re.compile(r"\s+")


class _HTMLText(HTMLParser):
    """Text of an HTML page: script and style dropped, block elements on lines of their own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = self.pre = 0

    def handle_starttag(self, tag, attrs):
        self._tag(tag, +1)

    def handle_startendtag(self, tag, attrs):
        self._break(tag)

    def handle_endtag(self, tag):
        self._tag(tag, -1)

    def _tag(self, tag, step):
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip + step)
        elif tag == "pre":
            self.pre = max(0, self.pre + step)
        self._break(tag)

    def _break(self, tag):
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        elif tag in _LINE_TAGS and not (self.parts and self.parts[-1].endswith("\n")):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data):
        if self.skip:
            return
        text = data if self.pre else _HTML_SPACE_RE.sub(" ", data)
        if text.strip() or not (self.parts and self.parts[-1].endswith("\n")):  # no blank between tags
            self.parts.append(text)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


class Normalize(Step):
    name = "normalize"

    def __init__(self, config: NormalizeConfig | None = None):
        self.config = config or NormalizeConfig()
        self.stats: Counter = Counter()
        self._newlines = re.compile(f"\n{{{self.config.max_newlines + 1},}}")

    def normalize(self, text: str) -> str:
        cfg = self.config
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        converted = cfg.strip_html and _MARKUP_RE.search(text) is not None
        if converted:
            text = html_to_text(text)
            self.stats["html"] += 1
        if cfg.fix_mojibake:
            fixed = ftfy.fix_text(
                text,
                normalization="NFC",
                uncurl_quotes=False,
                fix_character_width=False,
                unescape_html=False if converted else "auto",
            )
            if fixed != text:
                self.stats["text_fixed"] += 1
                text = fixed
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _CONTROL_RE.sub("", text.replace("\f", "\n").replace("\v", "\n"))
        text = "\n".join(_SPACES_RE.sub(" ", line).strip(" ").rstrip() for line in text.split("\n"))
        return self._newlines.sub("\n" * cfg.max_newlines, text).strip()

    def apply(self, doc: Doc) -> str | None:
        if not self.config.enabled:
            return None
        doc.text = self.normalize(doc.text)
        if not doc.text:
            self.stats["empty_after_normalize"] += 1
            return "empty_after_normalize"
        return None


# -- heuristic rules -------------------------------------------------------------------------
@dataclass
class RulesConfig:
    enabled: bool = knob(True, "Drop documents that fail the heuristic rules below (0 turns a rule off).")
    min_chars: int = knob(50, "Drop documents with fewer characters than this, whitespace not counted.", min=0)
    max_chars: int = knob(200_000, "Drop documents with more characters than this, whitespace not counted.", min=0)
    min_mean_line_chars: float = knob(
        10.0,
        "Drop documents whose lines are shorter than this on average, in columns "
        "(a CJK character is 2): menus, lists of links; a one-line document is "
        "judged by min_chars instead.",
        min=0.0,
    )
    max_mean_line_chars: float = knob(
        10_000.0,
        "Drop documents whose lines are longer than this on average, in "
        "columns (a CJK character is 2): minified code, dumps.",
        min=0.0,
    )
    max_symbol_ratio: float = knob(
        0.25,
        "Drop documents where more than this share of the characters are symbols "
        "(# { } | < > @ $ ~ ^ ` \\ * emoji), not letters, digits or punctuation.",
        min=0.0,
        max=1.0,
    )
    max_duplicate_line_fraction: float = knob(
        0.3, "Drop documents where more than this share of the lines repeat an earlier line.", min=0.0, max=1.0
    )
    max_duplicate_line_char_fraction: float = knob(
        0.2,
        "Drop documents where lines that repeat an earlier line hold more than this share of the characters.",
        min=0.0,
        max=1.0,
    )
    max_top_ngram_char_fraction: float = knob(
        0.4,
        "Drop documents where the most frequent 2-, 3- or 4-gram of words "
        "(in Chinese, of twice as many characters) covers more than this "
        "share of the text (Gopher's 0.2 drops short texts that name "
        "their subject in every sentence).",
        min=0.0,
        max=1.0,
    )
    max_dup_ngram_char_fraction: float = knob(
        0.15,
        "Drop documents where repeated 5- to 10-grams of words "
        "(in Chinese, of twice as many characters) cover more than this "
        "share of the text.",
        min=0.0,
        max=1.0,
    )
    max_char_run_fraction: float = knob(
        0.1,
        "Drop documents where the longest run of one repeated character is more "
        "than this share of the text (MMMMMMMM… pages).",
        min=0.0,
        max=1.0,
    )
    repeat_max_period: int = knob(
        13, "Longest unit, in characters, that the periodic-repetition rule looks for.", min=0, max=100
    )
    repeat_min_count: int = knob(
        32,
        "Drop documents where one unit of up to repeat_max_period characters repeats "
        "this many times in a row (g4ODg4ODg4OD…).",
        min=0,
    )
    max_bullet_line_fraction: float = knob(
        0.9,
        "Drop documents where more than this share of the lines start with a bullet (•, -, *, ·).",
        min=0.0,
        max=1.0,
    )
    max_ellipsis_line_fraction: float = knob(
        0.3,
        "Drop documents where more than this share of the lines end with an ellipsis (... or …): truncated snippets.",
        min=0.0,
        max=1.0,
    )
    scripts: list[str] = knob(
        ["latin", "han"],
        "Scripts the corpus is written in (latin, han, kana, hangul, "
        "cyrillic, greek, arabic…); Han includes Bopomofo and CJK punctuation.",
    )
    min_script_fraction: float = knob(
        0.65, "Drop documents where less than this share of the letters are in the allowed scripts.", min=0.0, max=1.0
    )
    bad_words: list[str] = knob(
        [],
        "Words or phrases to count (matched whole-word in Latin text, anywhere in Chinese); empty turns the rule off.",
    )
    max_bad_words: int = knob(0, "Drop documents with more than this many occurrences of bad_words.", min=0)
    scrub_pii: bool = knob(
        False,
        "Replace e-mail addresses, phone numbers and IP addresses in kept documents with <EMAIL>, <PHONE> and <IP>.",
    )


# (drop reason, config knob, measured quantity, how it fails): "min" drops below the knob, "max"
# above it, "at_least" at or above it. Cheap measures first, so `check` stops early.
RULES: list[tuple[str, str, str, str]] = [
    ("too_short", "min_chars", "chars", "min"),
    ("too_long", "max_chars", "chars", "max"),
    ("short_lines", "min_mean_line_chars", "mean_line_chars", "min"),
    ("long_lines", "max_mean_line_chars", "mean_line_chars", "max"),
    ("symbols", "max_symbol_ratio", "symbol_ratio", "max"),
    ("other_script", "min_script_fraction", "script_fraction", "min"),
    ("bullet_lines", "max_bullet_line_fraction", "bullet_line_fraction", "max"),
    ("ellipsis_lines", "max_ellipsis_line_fraction", "ellipsis_line_fraction", "max"),
    ("duplicate_lines", "max_duplicate_line_fraction", "duplicate_line_fraction", "max"),
    ("duplicate_line_chars", "max_duplicate_line_char_fraction", "duplicate_line_char_fraction", "max"),
    ("char_run", "max_char_run_fraction", "char_run_fraction", "max"),
    ("bad_words", "max_bad_words", "bad_words", "max"),
    ("periodic_repeat", "repeat_min_count", "periodic_repeats", "at_least"),
    ("top_ngram", "max_top_ngram_char_fraction", "top_ngram_char_fraction", "max"),
    ("duplicate_ngrams", "max_dup_ngram_char_fraction", "dup_ngram_char_fraction", "max"),
]

# -- personal data ---------------------------------------------------------------------------
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_RE = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")
_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+\-.])(?:"
    r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}"  # international: +886 2 2345 6789, +1 (555) 123-4567
    r"|\(0\d{1,3}\)[ -]?\d{3,4}[ -]?\d{4}"  # Taiwan landline: (02) 2345-6789
    r"|0\d{1,3}-\d{3,4}-\d{4}"  # Taiwan landline: 02-2345-6789, 07-123-4567
    r"|09\d{2}[ -]?\d{3}[ -]?\d{3}"  # Taiwan mobile: 0912-345-678, 0912345678
    r"|(?:\(\d{3}\) ?|\d{3}[-.])\d{3}[-.]\d{4}"  # US: 555-123-4567, (555) 123-4567
    r")(?![0-9A-Za-z])"
)


class Rules(Step):
    name = "rules"

    def __init__(self, config: RulesConfig | None = None):
        self.config = config or RulesConfig()
        self.stats: Counter = Counter()
        words = [w for w in self.config.bad_words if w.strip()]
        self._bad_re = (
            re.compile(
                "|".join(
                    rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])" if re.search(r"[A-Za-z0-9]", w) else re.escape(w)
                    for w in sorted(words, key=len, reverse=True)
                ),
                re.IGNORECASE,
            )
            if words
            else None
        )

    def _measure(self, stats: TextStats, quantity: str) -> float:
        cfg = self.config
        if quantity == "script_fraction":
            return stats.script_fraction(cfg.scripts)
        if quantity == "periodic_repeats":
            return periodic_repeats(stats.text, cfg.repeat_max_period)
        if quantity == "bad_words":
            return len(self._bad_re.findall(stats.text)) if self._bad_re else 0
        return getattr(stats, quantity)

    def _active(self, reason: str, knob_name: str, stats: TextStats) -> bool:
        cfg = self.config
        if reason == "bad_words":
            return self._bad_re is not None
        if reason == "periodic_repeat":
            return cfg.repeat_min_count > 0 and cfg.repeat_max_period > 0
        if reason == "short_lines" and len(stats.lines) <= 1:
            return False  # a one-line document is judged by min_chars
        if reason == "other_script" and not cfg.scripts:
            return False
        return bool(getattr(cfg, knob_name))

    def check(self, text: str) -> str | None:
        """The first rule `text` fails, or None."""
        stats = TextStats(text)
        for reason, knob_name, quantity, how in RULES:
            if not self._active(reason, knob_name, stats):
                continue
            if reason == "periodic_repeat" and not stats.may_repeat(
                self.config.repeat_max_period, self.config.repeat_min_count
            ):
                continue  # cannot reach repeat_min_count: skip the regex scan
            value, limit = self._measure(stats, quantity), getattr(self.config, knob_name)
            if value < limit if how == "min" else value > limit if how == "max" else value >= limit:
                return reason
        return None

    def explain(self, text: str) -> dict[str, float]:
        """Every measured quantity of `text` (each rule's, and the per-n n-gram fractions)."""
        stats = TextStats(text)
        out = {"lines": float(len(stats.lines))}
        for _, _, quantity, _ in RULES:
            out[quantity] = float(self._measure(stats, quantity))
        out.update(stats.ngrams)
        return out

    def scrub(self, text: str) -> str:
        """`text` with e-mail addresses, IP addresses and phone numbers replaced (counted in stats)."""

        def phone(m: re.Match) -> str:
            digits = sum(c.isdigit() for c in m.group())
            if not 8 <= digits <= 15:
                return m.group()
            self.stats["pii_phone"] += 1
            return "<PHONE>"

        for key, pattern, token in (("pii_email", _EMAIL_RE, "<EMAIL>"), ("pii_ip", _IP_RE, "<IP>")):
            text, n = pattern.subn(token, text)
            if n:
                self.stats[key] += n
        return _PHONE_RE.sub(phone, text)

    def apply(self, doc: Doc) -> str | None:
        if not self.config.enabled:
            return None
        reason = self.check(doc.text)
        if reason:
            self.stats[reason] += 1
            return reason
        if self.config.scrub_pii:
            doc.text = self.scrub(doc.text)
        return None
