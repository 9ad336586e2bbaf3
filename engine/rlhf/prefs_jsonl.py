"""A preference JSONL file: read line by line, each line parsed (the formats are listed in engine/rlhf/prefs.py)."""

from __future__ import annotations

import json
from pathlib import Path

from engine.errors import DojoError

ROLES = ("system", "user", "assistant")


class BadLine(Exception):
    """One import line is malformed (the message is the reason, without file:line)."""


def parse_line(raw: bytes, first: bool) -> tuple[str, list | None, str, str, str | None, object]:
    """(prompt text, prompt messages or None, chosen, rejected, judge or None, id or None); BadLine if malformed."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadLine("not UTF-8 text") from None
    try:
        obj = json.loads(s.removeprefix("\ufeff") if first else s)
    except json.JSONDecodeError as e:
        raise BadLine(f"invalid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise BadLine(f"expected a JSON object, got {type(obj).__name__}")
    for key in ("chosen", "rejected"):
        if key not in obj:
            raise BadLine(f"missing field '{key}'")
    prompt, chosen, rejected = obj.get("prompt"), obj["chosen"], obj["rejected"]
    if prompt is None and isinstance(chosen, list) and isinstance(rejected, list):
        conv, chosen = _split(chosen, "chosen")
        other, rejected = _split(rejected, "rejected")
        if conv != other:
            raise BadLine("'chosen' and 'rejected' differ before their last assistant turn (not the same prompt)")
        text, msgs = _conversation_text(conv), conv
    elif prompt is None:
        raise BadLine("missing field 'prompt' (or give 'chosen' and 'rejected' as lists of messages)")
    else:
        if isinstance(prompt, list):
            msgs = conversation(prompt, "prompt")
            text = _conversation_text(msgs)
        elif isinstance(prompt, str):
            text = prompt
            msgs = conversation(obj["messages"], "messages") if obj.get("messages") is not None else None
        else:
            raise BadLine(f"'prompt' must be a string or a list of messages, got {type(prompt).__name__}")
        chosen, rejected = _answer(chosen, "chosen"), _answer(rejected, "rejected")
    if not text.strip():
        raise BadLine("'prompt' is empty")
    if chosen == rejected:
        raise BadLine("'chosen' and 'rejected' are the same text")
    judge = obj.get("judge")
    if judge is not None and (not isinstance(judge, str) or not judge.strip()):
        raise BadLine(f"'judge' must be a non-empty string, got {judge!r}")
    return text, msgs, chosen, rejected, judge, obj.get("id")


def _messages(msgs, key: str) -> list[dict]:
    if not isinstance(msgs, list) or not msgs:
        raise BadLine(f"'{key}' must be a non-empty list of messages, got {type(msgs).__name__}")
    out = []
    for i, m in enumerate(msgs, 1):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise BadLine(f'\'{key}\' message {i} must be {{"role": system|user|assistant, "content": text}}')
        out.append({"role": m["role"], "content": m["content"]})
    return out


def conversation(msgs, key: str) -> list[dict]:
    """A prompt conversation: messages ending with the user's turn."""
    out = _messages(msgs, key)
    if out[-1]["role"] != "user":
        raise BadLine(f"'{key}' must end with a user message (the prompt), not {out[-1]['role']}")
    return out


def _split(msgs, key: str) -> tuple[list[dict], str]:
    """A whole conversation -> (the prompt before its last assistant turn, that turn's text)."""
    out = _messages(msgs, key)
    if out[-1]["role"] != "assistant":
        raise BadLine(f"'{key}' must end with an assistant message (the answer)")
    if not out[-1]["content"].strip():
        raise BadLine(f"'{key}' answer is empty")
    if len(out) < 2:
        raise BadLine(f"'{key}' has no prompt before its answer")
    return conversation(out[:-1], key), out[-1]["content"]


def _answer(x, key: str) -> str:
    if isinstance(x, list) and len(x) == 1 and isinstance(x[0], dict) and x[0].get("role") == "assistant":
        x = x[0].get("content")  # TRL conversational: [{"role": "assistant", "content": ...}]
    if not isinstance(x, str):
        raise BadLine(f"'{key}' must be a string (or one assistant message), got {type(x).__name__}")
    if not x.strip():
        raise BadLine(f"'{key}' is empty")
    return x


def _conversation_text(msgs: list[dict]) -> str:
    """A prompt's text (its identity in the store): the question of a single user turn, else a
    transcript, so two conversations ending in the same question stay two prompts."""
    if len(msgs) == 1:
        return msgs[0]["content"]
    return "\n".join(f"{m['role']}: {m['content']}" for m in msgs)


def short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- reading a file of them -----------------------------------------------------------------------
MAX_LINE_BYTES = 16 * 2**20  # a longer import line is skipped as a bad line (memory stays bounded)


def regular_file(path: Path) -> None:
    """Refuse what is not a regular file: a pipe would wait forever, a device never ends."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise DojoError(f"cannot read {path}: {e.strerror}") from None
    if not stat.S_ISREG(mode):
        raise DojoError(f"{path} is not a regular file (a folder, pipe or device); give a JSONL file")


def read_lines(path: Path):
    """(line number, bytes without the line break) of each line, read as a stream; a line longer
    than MAX_LINE_BYTES comes as (n, None), its bytes never held whole."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as e:
        raise DojoError(f"cannot read {path}: {e.strerror}") from None
    with fh:
        n = 0
        while True:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            n += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip to the end of the line
                    raw = fh.readline(MAX_LINE_BYTES)
                yield n, None
            else:
                yield n, raw.rstrip(b"\r\n")
