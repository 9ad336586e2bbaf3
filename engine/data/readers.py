"""Reading raw sources (files and folders) as a stream of `Doc`s, bounded in memory.

Formats, by extension (case-insensitive):

* ``.txt`` ``.md`` -- `ReaderConfig.txt_mode`: ``"file"`` one document per file, ``"block"``
  documents separated by blank lines, ``"line"`` one document per line;
* ``.jsonl`` ``.ndjson`` ``.json`` -- JSON lines, one object per line, text in `text_field`;
* ``.csv`` ``.tsv`` -- header row required, text in column `text_field`;
* ``.parquet`` -- column `text_field`, read in record batches (needs pyarrow).

Anything else is reported in `SourceReader.skipped` ("unsupported file type .xyz"); hidden
files and folders (name starting with ".") found while walking a folder are ignored.

Text files are never read whole: lines come from a bounded ``readline(max_line_chars)``, so a
line longer than `max_line_chars` is produced as consecutive pieces (each counted in
``cut_lines``), and a document made of many lines ("file"/"block" mode, or a huge CSV cell or
Parquet value) is capped at `max_doc_chars` (default 10 x `max_line_chars`); the rest becomes
further documents (each extra one counted in ``cut_docs``).

Encoding: a UTF-8 / UTF-16 / UTF-32 BOM decides; else UTF-8, unless the first 64 KB are not
UTF-8 and look like single-byte Western text, which is read as cp1252 (when it uses the
0x80-0x9F range the way cp1252 does) or latin-1. Invalid bytes in a UTF-8 file become U+FFFD
and the lines holding them are counted (``replaced_lines``); one bad line never stops a file.

Binary files (NUL bytes in the first 8 KB, or more than 30% control characters) and empty files
(no bytes, or only whitespace) are skipped and reported.

Ids are stable: ``"<path>:<line>"`` (1-based line where the document starts; ``"<path>"`` for a
whole-file document), with ``"#<k>"`` appended for the k-th (k >= 2) piece of a document that
had to be cut. ``<path>`` is the file's path as found from the source as given (relative
sources give relative paths). `Doc.metadata` holds ``source`` ("path:line", just "path" for a
whole-file document) and ``format``; JSONL adds the record's own ``id`` as ``orig_id`` and the
keys of its ``metadata`` object (a key clashing with ours is kept as ``orig_<key>``); CSV and
Parquet add an ``id`` column as ``orig_id``.

Per-file counts (`SourceReader.stats[path]`): ``read`` units seen (a record, line, block or
document piece; a cut line counts once per piece, except in JSONL where a cut line is one bad
record), ``docs`` yielded, ``bad`` malformed records, ``empty`` units with fewer than
`min_chars` non-space characters; always ``read == docs + bad + empty``. Blank lines between
records are not units.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from engine.data.encoding import INVALID_MARK, MARK_INVALID, sniff
from engine.data.steps import Doc
from engine.errors import ConfigError, DojoError

TXT_MODES = ("file", "block", "line")
TEXT_EXTS = {".txt": "txt", ".md": "md"}
JSONL_EXTS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
CSV_EXTS = {".csv": ",", ".tsv": "\t"}
PARQUET_EXT = ".parquet"

MAX_BAD_KEPT = 1000  # BadRecords kept in memory (all are counted and written to rejects)
RAW_CHARS = 500  # how much of a bad line goes into a BadRecord / the rejects file
PARQUET_BATCH_ROWS = 256


@dataclass
class ReaderConfig:
    text_field: str = "text"  # JSONL field / CSV or Parquet column holding the text
    txt_mode: str = "file"  # .txt/.md: "file" (one doc per file) | "block" (blank-line separated) | "line"
    max_line_chars: int = (
        1_000_000  # a longer line is cut into pieces of this size (counted), never read whole into memory
    )
    min_chars: int = 1  # docs with fewer non-space chars are skipped silently (counted as empty)
    max_doc_chars: int = 0  # cap on one document; 0 -> 10 * max_line_chars; the rest becomes more docs

    def __post_init__(self):
        if self.txt_mode not in TXT_MODES:
            raise ConfigError(f"txt_mode must be one of {', '.join(TXT_MODES)}, not {self.txt_mode!r}")
        if not isinstance(self.max_line_chars, int) or self.max_line_chars < 1:
            raise ConfigError(f"max_line_chars must be a positive integer, not {self.max_line_chars!r}")
        if not isinstance(self.max_doc_chars, int) or self.max_doc_chars < 0:
            raise ConfigError(f"max_doc_chars must be 0 or a positive integer, not {self.max_doc_chars!r}")
        if not self.text_field:
            raise ConfigError("text_field must not be empty")

    @property
    def doc_cap(self) -> int:
        return max(self.max_doc_chars or 10 * self.max_line_chars, self.max_line_chars)


@dataclass
class Skipped:
    path: str
    reason: str  # a whole input skipped (binary, undecodable, empty, unsupported, unreadable)


@dataclass
class BadRecord:
    path: str
    line: int  # 1-based line in the file (row number for Parquet)
    reason: str
    raw: str  # the offending line, at most RAW_CHARS characters


@dataclass
class _FileStats:
    format: str
    encoding: str = "utf-8"
    read: int = 0
    docs: int = 0
    bad: int = 0
    empty: int = 0
    cut_lines: int = 0
    cut_docs: int = 0
    replaced_lines: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class SourceReader:
    """Stream `Doc`s from files and folders; see the module docstring for formats and counts.

    Iterating again starts over (and resets `skipped`, `bad_records`, `stats`, `n_bad`).
    """

    def __init__(self, sources: list[Path], cfg: ReaderConfig | None = None, rejects_path: Path | None = None):
        self.sources = [Path(s) for s in sources]
        self.cfg = cfg or ReaderConfig()
        self.rejects_path = Path(rejects_path) if rejects_path is not None else None
        for src in self.sources:
            if not src.exists():
                raise DojoError(f"source not found: {src}")
        self.skipped: list[Skipped] = []
        self.bad_records: list[BadRecord] = []
        self.n_bad = 0  # all bad records, including those beyond MAX_BAD_KEPT
        self._stats: dict[str, _FileStats] = {}
        self._rejects: TextIO | None = None

    @property
    def stats(self) -> dict[str, dict]:
        """Per file read so far: {path: {"read", "docs", "bad", "empty", "cut_lines", "cut_docs",
        "replaced_lines", "encoding", "format"}}."""
        return {k: v.as_dict() for k, v in self._stats.items()}

    # ---------------------------------------------------------------- file list

    def files(self) -> list[tuple[str, Path]]:
        """(display path, path) of every file to look at, sorted by display path, without repeats."""
        found: dict[str, Path] = {}
        seen: set[Path] = set()
        skip_self = self.rejects_path.resolve() if self.rejects_path is not None else None

        def add(p: Path):
            real = p.resolve()
            if real in seen or real == skip_self:
                return
            seen.add(real)
            found[p.as_posix()] = p

        for src in self.sources:
            if not src.exists():
                raise DojoError(f"source not found: {src}")
            if src.is_dir():
                for root, dirs, names in os.walk(src):
                    dirs[:] = [d for d in dirs if not d.startswith(".")]
                    for name in names:
                        p = Path(root) / name
                        if not name.startswith(".") and p.is_file():
                            add(p)
            elif not src.is_file():  # a pipe would wait for a writer forever, a device never ends
                raise DojoError(f"source {src} is not a regular file (a pipe or device); give a file or a folder")
            else:
                add(src)
        return [(k, found[k]) for k in sorted(found)]

    # ---------------------------------------------------------------- iteration

    def __iter__(self) -> Iterator[Doc]:
        self.skipped, self.bad_records, self.n_bad, self._stats = [], [], 0, {}
        files = self.files()
        if self.rejects_path is not None:
            try:
                self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
                self._rejects = open(self.rejects_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed below)
            except OSError as e:
                raise DojoError(f"cannot write rejects file {self.rejects_path}: {e.strerror or e}") from None
        try:
            for shown, path in files:
                yield from self._read_file(shown, path)
        finally:
            if self._rejects is not None:
                self._rejects.close()
                self._rejects = None

    def _read_file(self, shown: str, path: Path) -> Iterator[Doc]:
        ext = path.suffix.lower()
        if ext in TEXT_EXTS:
            fmt = TEXT_EXTS[ext]
        elif ext in JSONL_EXTS:
            fmt = "jsonl"
        elif ext in CSV_EXTS:
            fmt = "csv"
        elif ext == PARQUET_EXT:
            fmt = "parquet"
        else:
            self._skip(shown, f"unsupported file type {ext}" if ext else "unsupported file type (no extension)")
            return
        if fmt == "parquet":
            yield from self._read_parquet(shown, path)
            return
        try:
            found = sniff(path)
        except OSError as e:
            self._skip(shown, f"unreadable: {e.strerror or e}")
            return
        if found.skip:
            self._skip(shown, found.skip)
            return
        st = _FileStats(format=fmt, encoding=found.label)
        newline = "" if fmt == "csv" else None
        try:
            with open(path, encoding=found.encoding, errors=MARK_INVALID, newline=newline) as fh:
                first = _first_nonspace(fh)
                if first is None:
                    self._skip(shown, "empty file")
                    return
                if fmt == "jsonl" and ext == ".json" and first == "[":
                    self._skip(shown, "a JSON array, not JSON lines (one object per line); convert it to .jsonl")
                    return
                fh.seek(0)
                self._stats[shown] = st
                if fmt in ("txt", "md"):
                    gen = self._text_docs(shown, fh, st)
                elif fmt == "jsonl":
                    gen = self._jsonl_docs(shown, fh, st)
                else:
                    gen = self._csv_docs(shown, fh, st, CSV_EXTS[ext])
                yield from gen
        except OSError as e:
            self._skip(shown, f"read error after {st.read} records: {e.strerror or e}")

    # ---------------------------------------------------------------- helpers

    def _skip(self, shown: str, reason: str):
        self.skipped.append(Skipped(shown, reason))

    def _bad(self, st: _FileStats, shown: str, line: int, reason: str, raw: str):
        st.read += 1
        st.bad += 1
        self.n_bad += 1
        rec = BadRecord(shown, line, reason, raw[:RAW_CHARS])
        if len(self.bad_records) < MAX_BAD_KEPT:
            self.bad_records.append(rec)
        if self._rejects is not None:
            self._rejects.write(json.dumps(rec.__dict__, ensure_ascii=False) + "\n")

    def _emit(self, st: _FileStats, doc_id: str, text: str, metadata: dict) -> Doc | None:
        """Count one unit; return the Doc, or None when it is too short (counted as empty)."""
        st.read += 1
        if _too_short(text, self.cfg.min_chars):
            st.empty += 1
            return None
        st.docs += 1
        return Doc(doc_id, text, metadata)

    def _emit_capped(self, st, doc_id, source_line, shown, text, meta) -> Iterator[Doc]:
        """A record's text, cut into pieces of at most doc_cap characters (CSV, Parquet)."""
        cap = self.cfg.doc_cap
        if len(text) <= cap:
            doc = self._emit(st, doc_id, text, {"source": f"{shown}:{source_line}", **meta})
            if doc:
                yield doc
            return
        for k, start in enumerate(range(0, len(text), cap), 1):
            if k > 1:
                st.cut_docs += 1
            doc = self._emit(
                st,
                doc_id if k == 1 else f"{doc_id}#{k}",
                text[start : start + cap],
                {"source": f"{shown}:{source_line}", **meta},
            )
            if doc:
                yield doc

    # ---------------------------------------------------------------- .txt / .md

    def _text_docs(self, shown: str, fh: TextIO, st: _FileStats) -> Iterator[Doc]:
        mode, cap = self.cfg.txt_mode, self.cfg.doc_cap
        base = {"format": st.format}
        if mode == "line":
            for lineno, part, text, _ends in self._lines(fh, st):
                if part == 0 and not text.strip():
                    continue
                doc_id = f"{shown}:{lineno}" if part <= 1 else f"{shown}:{lineno}#{part}"
                doc = self._emit(st, doc_id, text, {"source": f"{shown}:{lineno}", **base})
                if doc:
                    yield doc
            return

        # "file" and "block": gather lines into a document of at most `cap` characters
        chunks: list[str] = []
        size = 0
        unit_line = 0  # line where the current document (block or file) starts
        piece = 1  # 1 for the document's first piece, 2, 3, ... after cuts
        piece_line = 0  # line where the current piece starts

        def flush() -> Doc | None:
            text = "".join(chunks).rstrip("\n")
            if mode == "file":
                doc_id = shown if piece == 1 else f"{shown}#{piece}"
                source = shown if piece == 1 else f"{shown}:{piece_line}"
            else:
                doc_id = f"{shown}:{unit_line}" if piece == 1 else f"{shown}:{unit_line}#{piece}"
                source = f"{shown}:{piece_line}"
            return self._emit(st, doc_id, text, {"source": source, **base})

        for lineno, part, text, ends in self._lines(fh, st):
            if mode == "block" and part == 0 and not text.strip():
                if chunks:
                    doc = flush()
                    if doc:
                        yield doc
                chunks, size, piece = [], 0, 1
                continue
            add = text + "\n" if ends else text
            if chunks and size + len(add) > cap:
                doc = flush()
                if doc:
                    yield doc
                chunks, size = [], 0
                piece += 1
                st.cut_docs += 1
            if not chunks:
                piece_line = lineno
                if piece == 1:
                    unit_line = lineno
            chunks.append(add)
            size += len(add)
        if chunks:
            doc = flush()
            if doc:
                yield doc

    def _lines(self, fh: TextIO, st: _FileStats) -> Iterator[tuple[int, int, str, bool]]:
        """Yield (lineno, part, text, ends_line) from a universal-newline text stream, reading at
        most max_line_chars characters at a time. part 0: a whole line; 1, 2, ...: consecutive
        pieces of a longer line (counted in cut_lines). `text` has no line terminator and no
        invalid-byte markers (those become U+FFFD; each such line is counted once)."""
        limit = self.cfg.max_line_chars
        lineno, part, replaced_here = 0, 0, False
        pending = fh.readline(limit)
        while pending:
            nxt = fh.readline(limit)
            if pending.endswith("\n"):
                text, ends = pending[:-1], True
            elif nxt in ("\n", ""):  # exactly `limit` characters then a newline, or the last line
                text, ends = pending, True
                if nxt:
                    nxt = fh.readline(limit)
            else:
                text, ends = pending, False
            if part == 0:
                lineno += 1
                replaced_here = False
            if INVALID_MARK in text:
                text = text.replace(INVALID_MARK, "\ufffd")
                if not replaced_here:
                    st.replaced_lines += 1
                    replaced_here = True
            if ends:
                if part:
                    st.cut_lines += 1
                yield lineno, (part + 1 if part else 0), text, True
                part = 0
            else:
                part += 1
                st.cut_lines += 1
                yield lineno, part, text, False
            pending = nxt

    # ---------------------------------------------------------------- JSON lines

    def _jsonl_docs(self, shown: str, fh: TextIO, st: _FileStats) -> Iterator[Doc]:
        tf = self.cfg.text_field
        long_start, long_len = "", 0
        for lineno, part, line, ends in self._lines(fh, st):
            if part:  # a line longer than max_line_chars cannot be parsed: one bad record
                if part == 1:
                    long_start, long_len = line[:RAW_CHARS], 0
                long_len += len(line)
                if ends:
                    self._bad(
                        st,
                        shown,
                        lineno,
                        f"line longer than max_line_chars ({long_len} > {self.cfg.max_line_chars} characters)",
                        long_start,
                    )
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                self._bad(st, shown, lineno, f"invalid JSON: {e.msg} (column {e.colno})", line)
                continue
            except RecursionError:
                self._bad(st, shown, lineno, "invalid JSON: nested too deeply", line)
                continue
            if not isinstance(obj, dict):
                self._bad(st, shown, lineno, "not an object", line)
                continue
            if tf not in obj or obj[tf] is None:
                self._bad(st, shown, lineno, f"no '{tf}' field", line)
                continue
            text = obj[tf]
            if not isinstance(text, str):
                self._bad(st, shown, lineno, f"'{tf}' is not a string", line)
                continue
            if text == "":
                self._bad(st, shown, lineno, f"'{tf}' is empty", line)
                continue
            meta = {"source": f"{shown}:{lineno}", "format": "jsonl"}
            if "id" in obj:
                meta["orig_id"] = obj["id"]
            extra = obj.get("metadata")
            if isinstance(extra, dict):
                for k, v in extra.items():
                    meta[f"orig_{k}" if k in meta or k == "orig_id" else k] = v
            elif extra is not None:
                meta["orig_metadata"] = extra
            doc = self._emit(st, f"{shown}:{lineno}", text, meta)
            if doc:
                yield doc

    # ---------------------------------------------------------------- CSV / TSV

    def _csv_docs(self, shown: str, fh: TextIO, st: _FileStats, delimiter: str) -> Iterator[Doc]:
        tf, cap = self.cfg.text_field, self.cfg.doc_cap
        if csv.field_size_limit() < cap:
            csv.field_size_limit(cap)  # process-wide, only ever raised: a cell may hold a whole document
        src = _CsvLines(fh, self.cfg.max_line_chars, st)
        reader = csv.reader(src, delimiter=delimiter)
        try:
            header = next(reader)
            while not header:  # blank lines before the header
                header = next(reader)
        except StopIteration:
            self._skip(shown, "empty file")
            self._stats.pop(shown, None)
            return
        except csv.Error as e:
            self._skip(shown, f"unreadable CSV header: {e}")
            self._stats.pop(shown, None)
            return
        names = [h.replace(INVALID_MARK, "\ufffd").strip() for h in header]
        if tf not in names:
            self._skip(shown, f"no column '{tf}' in the CSV header (columns: {', '.join(names)[:200]})")
            self._stats.pop(shown, None)
            return
        col = names.index(tf)
        id_col = names.index("id") if "id" in names and tf != "id" else None
        while True:
            start, part = src.lines_done + 1, src.part
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                self._bad(st, shown, start, f"invalid CSV: {e}", "")
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            row = [c.replace(INVALID_MARK, "\ufffd") if INVALID_MARK in c else c for c in row]
            if col >= len(row):
                self._bad(st, shown, start, f"row has {len(row)} fields, no '{tf}' value", delimiter.join(row))
                continue
            meta = {"format": "csv"}
            if id_col is not None and id_col < len(row):
                meta["orig_id"] = row[id_col]
            doc_id = f"{shown}:{start}" if part == 1 else f"{shown}:{start}#{part}"  # a row out of a cut line
            yield from self._emit_capped(st, doc_id, start, shown, row[col], meta)

    # ---------------------------------------------------------------- Parquet

    def _read_parquet(self, shown: str, path: Path) -> Iterator[Doc]:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            self._skip(shown, "parquet needs pyarrow")
            return
        tf = self.cfg.text_field
        try:
            pf = pq.ParquetFile(path)
            schema = pf.schema_arrow
        except (pa.ArrowException, OSError, ValueError) as e:  # damaged or not parquet at all
            self._skip(shown, f"unreadable parquet: {type(e).__name__}: {e}")
            return
        if tf not in schema.names:
            self._skip(shown, f"no column '{tf}' in the parquet file (columns: {', '.join(schema.names)[:200]})")
            return
        ftype = schema.field(tf).type
        string_types = [pa.types.is_string(ftype), pa.types.is_large_string(ftype)]
        if hasattr(pa.types, "is_string_view"):
            string_types.append(pa.types.is_string_view(ftype))
        if not any(string_types):
            self._skip(shown, f"column '{tf}' is not a string column ({ftype})")
            return
        cols = [tf] + (["id"] if "id" in schema.names and tf != "id" else [])
        st = _FileStats(format="parquet", encoding="utf-8")
        self._stats[shown] = st
        row = 0
        try:
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=cols):
                texts = batch.column(0).to_pylist()
                ids = batch.column(1).to_pylist() if len(cols) > 1 else None
                for i, text in enumerate(texts):
                    row += 1
                    if text is None:
                        self._bad(st, shown, row, f"'{tf}' is null", "")
                        continue
                    meta = {"format": "parquet"}
                    if ids is not None and ids[i] is not None:
                        meta["orig_id"] = ids[i]
                    yield from self._emit_capped(st, f"{shown}:{row}", row, shown, text, meta)
        except (pa.ArrowException, OSError, ValueError) as e:  # a damaged page: keep what was read
            self._skip(shown, f"read error after row {row}: {type(e).__name__}: {e}")


class _CsvLines:
    """Raw lines (terminators kept, newline="" stream) for csv.reader, at most max_line_chars
    characters at a time; counts finished physical lines so rows get their starting line."""

    def __init__(self, fh: TextIO, limit: int, st: _FileStats):
        self.fh, self.limit, self.st = fh, limit, st
        self.lines_done = 0
        self.part = 1  # which piece of the current physical line comes next
        self._in_cut = False
        self._pending = fh.readline(limit)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        cur = self._pending
        if not cur:
            raise StopIteration
        nxt = self.fh.readline(self.limit)
        if cur[-1] not in "\r\n" and nxt in ("\n", "\r\n", "\r"):
            cur, nxt = cur + nxt, self.fh.readline(self.limit)  # exactly `limit` chars, then the terminator
        self._pending = nxt
        ends = cur[-1] in "\r\n" or not nxt
        if not ends:
            self.st.cut_lines += 1
            self._in_cut = True
        elif self._in_cut:
            self.st.cut_lines += 1
            self._in_cut = False
        if ends:
            self.lines_done += 1
            self.part = 1
        else:
            self.part += 1
        if INVALID_MARK in cur:
            self.st.replaced_lines += 1
        return cur


# -------------------------------------------------------------------- sniffing


def _first_nonspace(fh: TextIO) -> str | None:
    """The first non-whitespace character of the stream (read in bounded chunks), or None."""
    while True:
        chunk = fh.read(64 * 1024)
        if not chunk:
            return None
        stripped = chunk.lstrip()
        if stripped:
            return stripped[0]


def _too_short(text: str, min_chars: int) -> bool:
    if len(text) < min_chars or text.isspace() or not text:
        return True
    if min_chars <= 1:
        return False
    # count non-space characters, stopping early once there are enough
    n = 0
    step = max(4 * min_chars, 1024)
    for start in range(0, len(text), step):
        n += len("".join(text[start : start + step].split()))
        if n >= min_chars:
            return False
    return True
