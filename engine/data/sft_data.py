"""Supervised fine-tuning data: load chat examples in common formats, encode them with a loss mask.

`load_sft_records(path)` reads a .jsonl file (one object a line), a .json file (an array of
objects), a .parquet file (same columns, needs pyarrow) or a folder of such files, sorted. Each
record's format is detected on its own:

* Alpaca:    {"instruction", "input"?, "output"}  (a non-empty input follows the instruction
             after a blank line)
* chat:      {"messages": [{"role": "system"|"user"|"assistant", "content"}...]}
* ShareGPT:  {"conversations": [{"from": "human"|"user"|"gpt"|"assistant"|"system", "value"}...]}
* plain:     {"prompt", "response"} or {"prompt", "completion"}

Every record becomes {"id", "messages", "source": "file:line"}; a bad record stops the load with a
DojoError naming the file and line (1-based line for JSONL, 1-based index for JSON arrays and
parquet rows) and, where it applies, the message (1-based).

`encode_example` renders with the chat template of engine.tokenizer (role token, content, END per
message) and appends EOT; with loss_on="assistant" only the assistant contents and their END
tokens are trained, so the model learns what to answer and when to stop.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from engine.errors import DojoError
from engine.losses import IGNORE_INDEX
from engine.tokenizer import END, EOT, ROLE_TOKENS, special_id

SFT_EXTENSIONS = (".jsonl", ".json", ".parquet")
ROLES = ("system", "user", "assistant")
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
FORMATS_HINT = "expected one of: instruction/output, messages, conversations, prompt/response"
DUPLICATE_JACCARD = 0.7


class RecordError(Exception):
    """A problem with one record; the loader adds the file and line."""


# ---------------------------------------------------------------------------------------------
# loading


def load_sft_records(path: Path) -> list[dict]:
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SFT_EXTENSIONS)
    elif path.is_file():
        if path.suffix.lower() not in SFT_EXTENSIONS:
            raise DojoError(f"{path}: unsupported file type (expected .jsonl, .json or .parquet)")
        files = [path]
    else:
        raise DojoError(f"no such file or folder: {path}")
    records: list[dict] = []
    for f in files:
        for line, obj in _read_file(f):
            source = f"{f}:{line}"
            try:
                messages = normalise_record(obj)
            except RecordError as e:
                raise DojoError(f"{source}: {e}") from None
            records.append(
                {"id": _record_id(obj, f, line), "messages": messages, "source": source, "weight": _weight(obj, source)}
            )
    if not records:
        raise DojoError(f"dataset is empty: {path}")
    return records


def load_prompts(path: Path) -> list[dict]:
    """[{"id", "messages" (ending with a user turn), "source"}] from a prompt list or a dataset."""
    path = Path(path)
    if not path.is_file():
        raise DojoError(f"no such prompts file: {path}")
    out = []
    if path.suffix.lower() == ".txt":
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(
                    {
                        "id": f"{path.stem}-{n}",
                        "messages": [{"role": "user", "content": line.strip()}],
                        "source": f"{path}:{n}",
                    }
                )
    else:
        for n, obj in _read_file(path):
            source = f"{path}:{n}"
            if "prompt" in obj and "response" not in obj and "completion" not in obj:
                obj = {**obj, "response": "…"}  # a prompt-only line: a stand-in answer, dropped below
            try:
                messages = normalise_record(obj)
            except RecordError as e:
                raise DojoError(f"{source}: {e}") from None
            while messages[-1]["role"] == "assistant":
                messages = messages[:-1]
            out.append({"id": str(obj.get("id", f"{path.stem}-{n}")), "messages": messages, "source": source})
    if not out:
        raise DojoError(f"no prompts in {path}")
    return out


MAX_WEIGHT = 100


def _weight(obj: dict, source: str) -> int:
    """How many times an example is seen per epoch (optional "weight", default 1): a small set of
    manners among many facts can count for more, as real instruction mixtures upweight them."""
    w = obj.get("weight", 1)
    if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= MAX_WEIGHT:
        raise DojoError(f"{source}: weight must be a whole number from 1 to {MAX_WEIGHT}, not {w!r}")
    return w


def _record_id(obj: dict, f: Path, line: int) -> str:
    rid = obj.get("id")
    if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid) != "":
        return str(rid)
    return f"{f.stem}-{line}"


def _read_text(f: Path) -> str:
    try:
        return f.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DojoError(f"{f}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise DojoError(f"{f}: cannot read ({e.strerror or e})") from None


def _read_file(f: Path):
    """Yield (line or index, record object) pairs; parse errors raise DojoError with the location."""
    suffix = f.suffix.lower()
    if suffix == ".jsonl":
        text = _read_text(f)
        for i, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                raise DojoError(f"{f}:{i}: invalid JSON ({e.msg}, column {e.colno})") from None
            yield i, _check_object(obj, f, i)
    elif suffix == ".json":
        text = _read_text(f)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DojoError(f"{f}:{e.lineno}: invalid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(data, list):
            raise DojoError(f"{f}: expected a JSON array of records, got {type(data).__name__}")
        for i, obj in enumerate(data, 1):
            yield i, _check_object(obj, f, i)
    else:
        for i, row in enumerate(_parquet_rows(f), 1):
            # parquet fills columns a row lacks with null: treat them as absent
            yield i, {k: v for k, v in row.items() if v is not None}


def _check_object(obj, f: Path, i: int) -> dict:
    if not isinstance(obj, dict):
        raise DojoError(f"{f}:{i}: record is not an object (got {type(obj).__name__})")
    return obj


def _parquet_rows(f: Path) -> list[dict]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DojoError(f"{f}: reading parquet needs pyarrow (pip install pyarrow)") from None
    try:
        return pq.read_table(f).to_pylist()
    except (pa.ArrowException, OSError, ValueError) as e:
        raise DojoError(f"{f}: unreadable parquet ({type(e).__name__}: {e})") from None


# ---------------------------------------------------------------------------------------------
# formats


def normalise_record(obj: dict) -> list[dict]:
    """The messages of one record in any supported format; raises RecordError when invalid."""
    if "messages" in obj:
        messages = _chat(obj, "messages", "role", "content", None)
    elif "conversations" in obj:
        messages = _chat(obj, "conversations", "from", "value", SHAREGPT_ROLES)
    elif "instruction" in obj:
        instruction = _field(obj, "instruction")
        output = _field(obj, "output")
        extra = obj.get("input")
        if extra is not None and not isinstance(extra, str):
            raise RecordError(f"field 'input' must be a string, got {type(extra).__name__}")
        user = f"{instruction}\n\n{extra}" if extra and extra.strip() else instruction
        messages = [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    elif "prompt" in obj:
        prompt = _field(obj, "prompt")
        if "response" in obj:
            answer = _field(obj, "response")
        elif "completion" in obj:
            answer = _field(obj, "completion")
        else:
            raise RecordError("missing field 'response' (or 'completion')")
        messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    else:
        keys = ", ".join(sorted(map(str, obj)))[:120] or "none"
        raise RecordError(f"unknown format ({FORMATS_HINT}; fields: {keys})")
    _validate_conversation(messages)
    return messages


def _field(obj: dict, name: str) -> str:
    if name not in obj:
        raise RecordError(f"missing field '{name}'")
    value = obj[name]
    if not isinstance(value, str):
        raise RecordError(f"field '{name}' must be a string, got {type(value).__name__}")
    return value


def _chat(obj: dict, key: str, role_key: str, content_key: str, role_map: dict | None) -> list[dict]:
    turns = obj[key]
    if not isinstance(turns, list):
        raise RecordError(f"field '{key}' must be a list, got {type(turns).__name__}")
    out = []
    for n, m in enumerate(turns, 1):
        if not isinstance(m, dict):
            raise RecordError(f"message is not an object (message {n})")
        for k in (role_key, content_key):
            if k not in m or m[k] is None:
                raise RecordError(f"missing field '{k}' (message {n})")
        role, content = m[role_key], m[content_key]
        if not isinstance(role, str):
            raise RecordError(f"'{role_key}' must be a string, got {type(role).__name__} (message {n})")
        if not isinstance(content, str):
            raise RecordError(f"'{content_key}' must be a string, got {type(content).__name__} (message {n})")
        if role_map is not None:
            if role.lower() not in role_map:
                raise RecordError(f"unknown role {role!r} (message {n}; expected one of: {', '.join(role_map)})")
            role = role_map[role.lower()]
        elif role not in ROLES:
            raise RecordError(f"unknown role {role!r} (message {n}; expected system, user or assistant)")
        out.append({"role": role, "content": content})
    return out


def _validate_conversation(messages: list[dict]) -> None:
    """The rule: an optional system message first, then turns that alternate user → assistant,
    starting with the user and ending with the assistant (an answer with no question, or two in a
    row, would teach the model to answer nothing or itself)."""
    for n, m in enumerate(messages, 1):
        if m["role"] == "assistant" and not m["content"].strip():
            raise RecordError(f"empty assistant turn (message {n})")
    if not any(m["role"] == "assistant" for m in messages):
        raise RecordError("no assistant turn")
    turns = messages[1:] if messages[0]["role"] == "system" else messages
    first = len(messages) - len(turns) + 1
    for n, m in enumerate(turns, first):
        want = "user" if (n - first) % 2 == 0 else "assistant"
        if m["role"] != want:
            what = (
                "a system message only comes first"
                if m["role"] == "system"
                else "the conversation must start with a user turn"
                if n == first
                else f"two {m['role']} turns in a row"
            )
            raise RecordError(f"{what} (message {n} is {m['role']}; turns alternate user, assistant)")
    if messages[-1]["role"] != "assistant":
        raise RecordError(
            f"conversation must end with an assistant turn (message {len(messages)} is {messages[-1]['role']})"
        )


# ---------------------------------------------------------------------------------------------
# encoding


@dataclass
class Encoded:
    ids: list[int]
    labels: list[int]  # = ids where trained, IGNORE_INDEX elsewhere; aligned with ids (not shifted)


def encode_example(tok, messages: list[dict], loss_on: str = "assistant", max_len: int | None = None) -> Encoded | None:
    """Token ids and labels of one conversation, or None when no trained token survives truncation.

    The ids are exactly chat_ids(tok, messages) followed by EOT (engine/tokenizer.py): the template's
    control tokens by id, each content encoded as text (a "<|end|>" typed in it stays text).
    """
    if loss_on not in ("assistant", "all"):
        raise DojoError(f"loss_on must be 'assistant' or 'all', got {loss_on!r}")
    end_id, eot_id = special_id(tok, END), special_id(tok, EOT)
    role_ids = {role: special_id(tok, token) for role, token in ROLE_TOKENS.items()}
    train_all = loss_on == "all"
    ids: list[int] = []
    labels: list[int] = []

    def add(tokens: list[int], trained: bool) -> None:
        ids.extend(tokens)
        labels.extend(tokens if trained or train_all else [IGNORE_INDEX] * len(tokens))

    for n, m in enumerate(messages, 1):
        role = m.get("role")
        if role not in role_ids:
            raise DojoError(f"message {n}: role must be system, user or assistant, got {role!r}")
        content = m.get("content", "")
        is_assistant = role == "assistant"
        add([role_ids[role]], False)
        add(tok.encode(content, add_special_tokens=False).ids if content else [], is_assistant)
        add([end_id], is_assistant)
    add([eot_id], False)
    if max_len is not None:
        if max_len < 1:
            raise DojoError(f"max_len must be at least 1, got {max_len}")
        ids, labels = ids[:max_len], labels[:max_len]
    if all(x == IGNORE_INDEX for x in labels):
        return None
    return Encoded(ids=ids, labels=labels)


# ---------------------------------------------------------------------------------------------
# selection


def _assistant_chars(rec: dict) -> int:
    return sum(len(m["content"]) for m in rec["messages"] if m["role"] == "assistant")


def _prompt(rec: dict) -> str:
    return "\n".join(m["content"] for m in rec["messages"] if m["role"] == "user")


def _trigrams(text: str) -> frozenset:
    if len(text) < 3:
        return frozenset([text])
    return frozenset(text[i : i + 3] for i in range(len(text) - 2))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def select_examples(records: list[dict], how: str = "all", n: int = 0, seed: int = 0) -> list[dict]:
    """A subset of records, in their original order.

    all:     every record.
    longest: the n with the longest assistant responses in characters (ties: earlier first).
    diverse: up to n records visited in a seeded shuffle, each kept only if its user prompt is not a
             near-duplicate (character 3-gram Jaccard >= 0.7) of a prompt already kept.
    """
    if how == "all":
        return list(records)
    if how not in ("longest", "diverse"):
        raise DojoError(f"unknown selection {how!r}: expected all, longest or diverse")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DojoError(f"selection '{how}' needs n >= 1, got {n!r}")
    if how == "longest":
        order = sorted(range(len(records)), key=lambda i: (-_assistant_chars(records[i]), i))
        chosen = order[:n]
    else:
        order = list(range(len(records)))
        random.Random(seed).shuffle(order)
        chosen, kept = [], []
        for i in order:
            if len(chosen) >= n:
                break
            grams = _trigrams(_prompt(records[i]))
            size = len(grams)
            # Jaccard >= t needs min/max size >= t: skip the set arithmetic when sizes are far apart
            if any(
                min(size, len(g)) >= DUPLICATE_JACCARD * max(size, len(g)) and jaccard(grams, g) >= DUPLICATE_JACCARD
                for g in kept
            ):
                continue
            chosen.append(i)
            kept.append(grams)
    return [records[i] for i in sorted(chosen)]


def response_only(records: list[dict]) -> list[dict]:
    """The same examples with every prompt emptied: each assistant turn follows an empty user turn."""
    out = []
    for rec in records:
        messages = []
        for m in rec["messages"]:
            if m["role"] == "assistant":
                messages += [{"role": "user", "content": ""}, {"role": "assistant", "content": m["content"]}]
        out.append({**rec, "messages": messages})
    return out
