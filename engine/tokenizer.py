"""Byte-level BPE with the `tokenizers` library: train, load, special tokens, chat template.

Byte-level means any text (Chinese, emoji, code) round-trips exactly: unknown characters
fall back to their UTF-8 bytes, so a rare Chinese character may take two or three tokens.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from engine.errors import DojoError
from engine.io.fsutil import atomic_write_text

# Document boundary first: id 0 is the end-of-text token every shard uses.
EOT = "<|endoftext|>"
PAD = "<|pad|>"
SYSTEM, USER, ASSISTANT, END = "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"
SPECIAL_TOKENS = [EOT, PAD, SYSTEM, USER, ASSISTANT, END]
ROLE_TOKENS = {"system": SYSTEM, "user": USER, "assistant": ASSISTANT}

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:[\s'.,;:!?-]+[A-Za-z\u00c0-\u024f]+)*")


def new_tokenizer() -> Tokenizer:
    """Byte-level BPE whose merges never cross a space (GPT-2's pre-tokenizer) or a Chinese character.

    Chinese has no spaces, so without the second rule a small, repetitive corpus merges whole
    clauses into one token ("高靜宜週末常常游泳": a name and its fact, a token no question can reach,
    measured on the demo world). Each Han character is its own piece instead, as English words are:
    a name or a place is the same tokens in every sentence (most characters one token each)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(r"\p{Han}"), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok


def train_tokenizer(texts: Iterable[str], vocab_size: int, min_frequency: int = 2) -> Tokenizer:
    tok = new_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes: nothing is ever unknown
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.encode_special_tokens = True  # text is text: see load_tokenizer
    return tok


def save_tokenizer(tok: Tokenizer, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tok.to_str(pretty=True)
    atomic_write_text(path, text)
    return text_hash(text)


def load_tokenizer(path: Path) -> Tokenizer:
    if not path.is_file():
        raise DojoError(f"no tokenizer at {path}; train one with: lmdojo-cli tokenize WS")
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # tokenizers raises a bare Exception on a damaged file
        raise DojoError(f"{path}: damaged tokenizer file ({e})") from None
    # "<|end|>" typed by a person or found in a data file is those seven characters, never the control
    # token: a prompt could forge a turn, an answer could train <|user|> as a label. Only the chat
    # template (chat_ids, encode_template) puts control tokens in, by id.
    tok.encode_special_tokens = True
    return tok


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def tokenizer_hash(path: Path) -> str:
    """Identity of a tokenizer: a checkpoint trained with another one is refused."""
    return text_hash(path.read_text(encoding="utf-8"))


# Every tokenizer a workspace has had is kept by its hash (WS/tokenizer/by-hash/HASH.json), so runs
# trained before the tokenizer was retrained still answer with their own.
ARCHIVE = "by-hash"


def archived_tokenizer(tokenizer_path: Path, hash_: str) -> Path:
    return Path(tokenizer_path).parent / ARCHIVE / f"{hash_}.json"


def archive_text(tokenizer_path: Path, text: str) -> str:
    """Keep `text` (a tokenizer.json) in the archive beside `tokenizer_path`; returns its hash."""
    h = text_hash(text)
    dest = archived_tokenizer(tokenizer_path, h)
    if not dest.is_file():
        atomic_write_text(dest, text)
    return h


def tokenizer_for(tokenizer_path: Path, wanted_hash: str | None) -> tuple[Tokenizer, str]:
    """The tokenizer a checkpoint was trained with: the workspace's when it matches (or the
    checkpoint does not say), else the archived one with that hash; else the workspace's (and
    loading the checkpoint refuses it, saying why)."""
    current = tokenizer_hash(tokenizer_path) if Path(tokenizer_path).is_file() else ""
    if wanted_hash and wanted_hash != current and archived_tokenizer(tokenizer_path, wanted_hash).is_file():
        return load_tokenizer(archived_tokenizer(tokenizer_path, wanted_hash)), wanted_hash
    return load_tokenizer(tokenizer_path), current


def special_id(tok: Tokenizer, token: str) -> int:
    i = tok.token_to_id(token)
    if i is None:
        raise DojoError(f"tokenizer has no special token {token}")
    return i


def chat_ids(tok: Tokenizer, messages: list[dict], add_generation_prompt: bool = False) -> list[int]:
    """The chat template as token ids: each role's token and <|end|> by id, the contents as text
    (a "<|end|>" inside a message stays text). What render_chat writes, safely."""
    ids: list[int] = []
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ROLE_TOKENS:
            raise DojoError(f"message {i}: role must be system, user or assistant, got {role!r}")
        ids.append(special_id(tok, ROLE_TOKENS[role]))
        if m.get("content"):
            ids += tok.encode(m["content"], add_special_tokens=False).ids
        ids.append(special_id(tok, END))
    if add_generation_prompt:
        ids.append(special_id(tok, ASSISTANT))
    return ids


_SPECIAL_RE = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))


def encode_template(tok: Tokenizer, template: str) -> list[int]:
    """A template written by the app or a person as a template (a generation format, a few-shot
    prefix): its control-token strings become the control tokens; everything else is text."""
    ids, pos = [], 0
    for m in _SPECIAL_RE.finditer(template):
        if m.start() > pos:
            ids += tok.encode(template[pos : m.start()], add_special_tokens=False).ids
        ids.append(special_id(tok, m.group()))
        pos = m.end()
    if pos < len(template):
        ids += tok.encode(template[pos:], add_special_tokens=False).ids
    return ids


def render_chat(messages: list[dict], add_generation_prompt: bool = False) -> str:
    """The chat template: <|system|>…<|end|><|user|>…<|end|><|assistant|>…<|end|>.

    With add_generation_prompt the text ends with <|assistant|>, ready for the model's answer.
    """
    parts = []
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ROLE_TOKENS:
            raise DojoError(f"message {i}: role must be system, user or assistant, got {role!r}")
        parts.append(f"{ROLE_TOKENS[role]}{m.get('content', '')}{END}")
    if add_generation_prompt:
        parts.append(ASSISTANT)
    return "".join(parts)


def chars_per_token(tok: Tokenizer, texts: Iterable[str]) -> dict[str, float]:
    """How many characters one token covers, separately for CJK runs and Latin runs.

    Chinese text is usually far denser per character than English, so the two are not mixed.
    """
    chars = {"cjk": 0, "latin": 0}
    tokens = {"cjk": 0, "latin": 0}
    for text in texts:
        for script, pattern in (("cjk", _CJK), ("latin", _LATIN)):
            runs = pattern.findall(text)
            if runs:
                chars[script] += sum(len(r) for r in runs)
                tokens[script] += sum(len(e.ids) for e in tok.encode_batch(runs, add_special_tokens=False))
    return {s: round(chars[s] / tokens[s], 3) for s in chars if tokens[s]}


def token_bytes_hex(tok: Tokenizer, token_id: int) -> str:
    """A byte-level token's bytes in hex ('e5 b7'): how to show a token that holds part of a character."""
    raw = bytes(_BYTE_DECODER[c] for c in tok.id_to_token(token_id) if c in _BYTE_DECODER)
    return " ".join(f"{b:02x}" for b in raw)


def without_cut_character(tok: Tokenizer, ids: list[int], text: str) -> str:
    """`text` (the decoding of `ids`) less a last character whose bytes were cut off — an answer that
    stopped at its token budget inside a Chinese character ends in one U+FFFD for that part. Bytes
    that are broken anywhere else stay shown as they are."""
    if not text.endswith("\ufffd") or not ids:
        return text
    tail = b""
    for i in reversed(ids[-4:]):  # a character's bytes lie in at most its last four tokens
        piece = tok.id_to_token(i) or ""
        if not piece or any(c not in _BYTE_DECODER for c in piece):
            break  # a special token: no bytes to look at
        tail = bytes(_BYTE_DECODER[c] for c in piece) + tail
    for k in range(1, min(3, len(tail)) + 1):  # the last lead byte, and how many bytes it needs
        b = tail[-k]
        if b & 0xC0 == 0x80:
            continue
        need = 2 if b & 0xE0 == 0xC0 else 3 if b & 0xF0 == 0xE0 else 4 if b & 0xF8 == 0xF0 else 1
        return text[:-1] if need > k else text
    return text


def token_display(tok: Tokenizer, token_id: int) -> str:
    """A token shown on its own: its text, or <e5 b7> when it holds only part of a character."""
    text = tok.decode([token_id], skip_special_tokens=False)
    return text if "\ufffd" not in text else f"<{token_bytes_hex(tok, token_id)}>"


class TextStream:
    """Turns token ids into text as they come: byte-level tokens may split a character, so text is
    released only once its bytes are complete."""

    def __init__(self, tok):
        self.tok, self.pending = tok, []

    def add(self, token_id: int) -> str:
        # only the tokens not shown yet are decoded (a byte-level token decodes to exactly its bytes),
        # so each token costs the same however long the answer grows
        self.pending.append(token_id)
        text = self.tok.decode(self.pending, skip_special_tokens=False)
        if text.endswith("\ufffd"):
            return ""  # an incomplete character: wait for its other bytes
        self.pending = []
        return text


def token_pieces(tok: Tokenizer, text: str) -> list[dict]:
    """How `text` splits into tokens, for showing it: id, the text piece, its character span.

    A byte-level token can hold part of a character (a Chinese character is 3 UTF-8 bytes and
    may take several tokens): such pieces have `partial` set and show their bytes as hex.
    """
    enc = tok.encode(text, add_special_tokens=False)
    out = []
    for tid, (start, end) in zip(enc.ids, enc.offsets):
        piece = tok.decode([tid], skip_special_tokens=False)
        partial = "\ufffd" in piece and "\ufffd" not in text[start:end]
        if partial:
            piece = token_bytes_hex(tok, tid)
        out.append({"id": tid, "text": piece, "start": start, "end": end, "partial": partial})
    return out


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte → printable character table that byte-level BPE spells its tokens with."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


_BYTE_DECODER = {c: b for b, c in _bytes_to_unicode().items()}
