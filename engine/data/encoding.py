"""Choosing how to decode a file, and telling text from binary (for the raw-source readers).

A UTF-8 / UTF-16 / UTF-32 BOM decides; else UTF-8, unless the first 64 KB are not UTF-8 and look
like single-byte Western text (cp1252 or latin-1). Many NUL bytes or control characters: binary (a
stray NUL in a text file damages its line, which the reader reports, not the whole file).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 64 * 1024  # bytes looked at to choose the encoding
BINARY_BYTES = 8 * 1024  # bytes looked at to decide "binary"
CONTROL_RATIO = 0.30
NUL_RATIO = 0.01  # more NUL bytes than this: binary; fewer: text with a damaged line or two
HIGH_BYTE_RATIO = 0.30  # more non-ASCII bytes than this in non-UTF-8 text: not a Western 8-bit text


# Invalid input bytes decode to this marker (a Unicode noncharacter, never seen in real text), so
# that a line holding a replacement can be told from a line holding a genuine U+FFFD; the marker
# is turned into U+FFFD before any text leaves this module.
INVALID_MARK = "\ufdd0"
MARK_INVALID = "lmdojo.readers.mark"


def _mark_invalid(exc: UnicodeError):
    if isinstance(exc, UnicodeDecodeError):
        return INVALID_MARK, exc.end
    raise exc


codecs.register_error(MARK_INVALID, _mark_invalid)

# bytes counted as control characters when deciding "binary": C0 controls except the usual
# text ones (backspace, tab, newline, vertical tab, form feed, carriage return, escape), and DEL
_TEXT_CONTROLS = {8, 9, 10, 11, 12, 13, 27}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
_CONTROL_CHARS = {chr(b) for b in _CONTROL_BYTES}


@dataclass
class Sniff:
    encoding: str | None = None  # codec to open with
    label: str = "utf-8"  # what stats report
    skip: str | None = None  # reason to skip the whole file


def sniff(path: Path) -> Sniff:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        at_eof = len(head) < SNIFF_BYTES or not fh.read(1)
    if not head:
        return Sniff(skip="empty file")
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            body = head[len(bom) :]
            if enc == "utf-8-sig":
                return _sniff_utf8(body, at_eof, enc)
            bare = {
                "utf-32": "utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be",
                "utf-16": "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be",
            }[enc]
            return _sniff_wide(body, enc, bare, enc)
    wide = _bomless_utf16(head[:BINARY_BYTES])
    if wide:
        return _sniff_wide(head, wide, wide, wide)
    return _sniff_utf8(head, at_eof, "utf-8")


def _sniff_wide(body: bytes, enc: str, bare: str, label: str) -> Sniff:
    text = codecs.getincrementaldecoder(bare)(MARK_INVALID).decode(body[:BINARY_BYTES], final=False)
    if text.count("\x00") > NUL_RATIO * max(1, len(text)) or _control_ratio_text(text) > CONTROL_RATIO:
        return Sniff(skip="binary file")
    return Sniff(encoding=enc, label=label)


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text shows as NULs in every other byte."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nul = head[0 : pairs * 2 : 2].count(0)
    odd_nul = head[1 : pairs * 2 : 2].count(0)
    if odd_nul >= 0.4 * pairs and even_nul <= 0.02 * pairs:
        return "utf-16-le"
    if even_nul >= 0.4 * pairs and odd_nul <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _sniff_utf8(head: bytes, at_eof: bool, enc: str) -> Sniff:
    probe = head[:BINARY_BYTES]
    if probe.count(0) > NUL_RATIO * max(1, len(probe)) or (probe and _control_ratio_bytes(probe) > CONTROL_RATIO):
        return Sniff(skip="binary file")
    if b"\x00" in probe and not _valid_utf8(probe):  # a NUL in something that is not text either
        return Sniff(skip="binary file")
    text = codecs.getincrementaldecoder("utf-8")(MARK_INVALID).decode(head, final=at_eof)
    invalid = text.count(INVALID_MARK)
    if not invalid:
        return Sniff(encoding=enc, label=enc)
    # valid multi-byte sequences outnumber the invalid ones: a UTF-8 file with some damage
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if non_ascii >= invalid:
        return Sniff(encoding=enc, label=enc)
    high = len(head.translate(None, bytes(range(128))))
    if high > HIGH_BYTE_RATIO * len(head):
        return Sniff(skip="undecodable text: not UTF-8, and too many non-ASCII bytes for latin-1/cp1252")
    try:  # cp1252 when it decodes and uses the 0x80-0x9F range (curly quotes, dashes, euro sign)
        head.decode("cp1252")
        if any(0x80 <= b <= 0x9F for b in head):
            return Sniff(encoding="cp1252", label="cp1252")
    except UnicodeDecodeError:
        pass
    return Sniff(encoding="latin-1", label="latin-1")


def _valid_utf8(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)  # a cut last character is fine
        return True
    except UnicodeDecodeError:
        return False


def _control_ratio_bytes(data: bytes) -> float:
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _control_ratio_text(text: str) -> float:
    if not text:
        return 0.0
    return sum(1 for c in text if c in _CONTROL_CHARS) / len(text)
