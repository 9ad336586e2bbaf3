"""Reading a corpus folder as a stream of documents (id, text), never all at once.

Formats: `*.jsonl` with a `text` field per line (the datatrove / HF datasets convention,
`id` optional) and `*.txt`, one document per file. A bad JSONL line is an error that names
the file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engine.errors import DojoError


@dataclass
class Document:
    id: str
    text: str


def corpus_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DojoError(f"corpus folder not found: {folder}")
    # names starting with "_" or "." are the folder's own bookkeeping (reports, rejects), not text
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix in (".jsonl", ".txt")
        and not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts)
    )
    if not files:
        raise DojoError(f"no .jsonl or .txt files in {folder}")
    return files


def iter_documents(folder: Path) -> Iterator[Document]:
    for path in corpus_files(folder):
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".txt":
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            if text.strip():
                yield Document(rel, text)
            continue
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DojoError(f"{path}:{lineno}: invalid JSON ({e.msg})") from None
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise DojoError(f"{path}:{lineno}: expected an object with a string field 'text'")
                if obj["text"].strip():
                    yield Document(str(obj.get("id", f"{rel}:{lineno}")), obj["text"])
