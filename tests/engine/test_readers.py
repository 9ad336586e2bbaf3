"""SourceReader: formats, encodings, binary/empty detection, bad records, counts, bounded memory."""

import json
import tracemalloc

import pytest

from engine.data.readers import ReaderConfig, SourceReader
from engine.errors import ConfigError, DojoError


def read(sources, rejects=None, **cfg):
    r = SourceReader([*sources] if isinstance(sources, (list, tuple)) else [sources], ReaderConfig(**cfg), rejects)
    return r, list(r)


def check_counts(r):
    for path, s in r.stats.items():
        assert s["read"] == s["docs"] + s["bad"] + s["empty"], (path, s)


# ---------------------------------------------------------------- formats


def test_txt_file_block_line_modes(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("one\ntwo\n\n\nthree\n   \nfour\n", encoding="utf-8")
    r, docs = read(f, txt_mode="file")
    assert [(d.id, d.text) for d in docs] == [(f.as_posix(), "one\ntwo\n\n\nthree\n   \nfour")]
    assert docs[0].metadata == {"source": f.as_posix(), "format": "txt"}
    r, docs = read(f, txt_mode="block")
    p = f.as_posix()
    assert [(d.id, d.text) for d in docs] == [(f"{p}:1", "one\ntwo"), (f"{p}:5", "three"), (f"{p}:7", "four")]
    assert docs[1].metadata["source"] == f"{p}:5"
    r, docs = read(f, txt_mode="line")
    assert [(d.id, d.text) for d in docs] == [
        (f"{p}:1", "one"),
        (f"{p}:2", "two"),
        (f"{p}:5", "three"),
        (f"{p}:7", "four"),
    ]
    assert r.stats[p]["read"] == 4 and r.stats[p]["format"] == "txt"
    check_counts(r)


def test_md_and_min_chars(tmp_path):
    (tmp_path / "n.md").write_text("# Title\n\nab\n\nA longer paragraph.\n", encoding="utf-8")
    r, docs = read(tmp_path, txt_mode="block", min_chars=5)
    assert [d.text for d in docs] == ["# Title", "A longer paragraph."]
    assert docs[0].metadata["format"] == "md"
    s = r.stats[(tmp_path / "n.md").as_posix()]
    assert (s["read"], s["docs"], s["empty"]) == (3, 2, 1)


def test_jsonl_custom_field_keeps_id_and_metadata(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text(
        json.dumps({"id": "x1", "content": "hello", "metadata": {"url": "u", "source": "web"}})
        + "\n"
        + "\n"
        + json.dumps({"content": "world"})
        + "\n",
        encoding="utf-8",
    )
    r, docs = read(f, text_field="content")
    p = f.as_posix()
    assert [(d.id, d.text) for d in docs] == [(f"{p}:1", "hello"), (f"{p}:3", "world")]
    assert docs[0].metadata == {
        "source": f"{p}:1",
        "format": "jsonl",
        "orig_id": "x1",
        "url": "u",
        "orig_source": "web",
    }
    assert docs[1].metadata == {"source": f"{p}:3", "format": "jsonl"}
    assert r.stats[p]["read"] == 2 and not r.bad_records


def test_csv(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text('id,body\n1,first\n2,"multi\nline, with comma"\n3,\n4\n5,last\n', encoding="utf-8")
    r, docs = read(f, text_field="body")
    p = f.as_posix()
    assert [(d.id, d.text) for d in docs] == [
        (f"{p}:2", "first"),
        (f"{p}:3", "multi\nline, with comma"),
        (f"{p}:7", "last"),
    ]
    assert docs[0].metadata == {"source": f"{p}:2", "format": "csv", "orig_id": "1"}
    s = r.stats[p]
    assert (s["read"], s["docs"], s["empty"], s["bad"]) == (5, 3, 1, 1)
    assert r.bad_records[0].line == 6 and "no 'body' value" in r.bad_records[0].reason
    check_counts(r)


def test_csv_missing_column_skips_file(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    r, docs = read(f)
    assert docs == [] and len(r.skipped) == 1
    assert r.skipped[0].path == f.as_posix() and "no column 'text'" in r.skipped[0].reason
    assert r.stats == {}


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    f = tmp_path / "t.parquet"
    n = 600  # more than one record batch
    texts = [f"doc {i}" for i in range(n)]
    texts[5] = None
    texts[6] = "  "
    pq.write_table(pa.table({"id": list(range(n)), "text": texts}), f, row_group_size=200)
    r, docs = read(f)
    p = f.as_posix()
    assert len(docs) == n - 2 and docs[0].text == "doc 0" and docs[0].id == f"{p}:1"
    assert docs[0].metadata == {"source": f"{p}:1", "format": "parquet", "orig_id": 0}
    assert docs[-1].id == f"{p}:{n}"
    assert r.bad_records[0].line == 6 and r.bad_records[0].reason == "'text' is null"
    assert r.stats[p]["read"] == n and r.stats[p]["empty"] == 1
    check_counts(r)
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "u.parquet")
    r, docs = read(tmp_path / "u.parquet")
    assert docs == [] and "no column 'text'" in r.skipped[0].reason


def test_unsupported_extension_and_hidden_files(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "README").write_text("hi")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.txt").write_text("secret")
    (tmp_path / "ok.TXT").write_text("fine")
    r, docs = read(tmp_path)
    assert [d.text for d in docs] == ["fine"]
    assert {(s.path.rsplit("/", 1)[1], s.reason) for s in r.skipped} == {
        ("x.docx", "unsupported file type .docx"),
        ("README", "unsupported file type (no extension)"),
    }


def test_missing_source_and_bad_config(tmp_path):
    with pytest.raises(DojoError, match="source not found: .*nope"):
        SourceReader([tmp_path / "nope"], ReaderConfig())
    with pytest.raises(ConfigError):
        ReaderConfig(txt_mode="paragraph")
    r, docs = read([])
    assert docs == [] and r.stats == {}


# ---------------------------------------------------------------- encodings


def test_utf8_bom_stripped(tmp_path):
    f = tmp_path / "b.jsonl"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": "bom"}).encode() + b"\n")
    r, docs = read(f)
    assert [d.text for d in docs] == ["bom"] and r.stats[f.as_posix()]["encoding"] == "utf-8-sig"
    g = tmp_path / "b.txt"
    g.write_bytes(b"\xef\xbb\xbfhello")
    r, docs = read(g)
    assert docs[0].text == "hello"


def test_utf16_le_with_bom(tmp_path):
    f = tmp_path / "zh.txt"
    text = "你好，世界。\n这是一个测试。\n"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    r, docs = read(f, txt_mode="line")
    assert [d.text for d in docs] == ["你好，世界。", "这是一个测试。"]
    assert r.stats[f.as_posix()]["encoding"] == "utf-16" and not r.skipped


def test_latin1_file(tmp_path):
    f = tmp_path / "l.txt"
    f.write_bytes("un café naïve\n".encode("latin-1"))
    r, docs = read(f)
    assert docs[0].text == "un café naïve"
    assert r.stats[f.as_posix()]["encoding"] == "latin-1"
    g = tmp_path / "w.txt"  # cp1252 curly quotes
    g.write_bytes("\u201cquoted\u201d caf\xe9\n".encode("cp1252"))
    r, docs = read(g)
    assert docs[0].text == "\u201cquoted\u201d caf\xe9" and r.stats[g.as_posix()]["encoding"] == "cp1252"


def test_invalid_utf8_mid_file(tmp_path):
    f = tmp_path / "m.jsonl"
    lines = [json.dumps({"text": f"línea {i} ü"}, ensure_ascii=False).encode() for i in range(10)]
    lines[4] = b'{"text": "bad \xff\xfe bytes"}'
    lines[7] = b'{"text": "more \xc3 bad"}'
    f.write_bytes(b"\n".join(lines) + b"\n")
    r, docs = read(f)
    s = r.stats[f.as_posix()]
    assert len(docs) == 10 and s["encoding"] == "utf-8" and s["replaced_lines"] == 2
    assert docs[4].text == "bad \ufffd\ufffd bytes" and docs[9].text == "línea 9 ü"
    # an ASCII file whose damage comes after the first 64 KB
    g = tmp_path / "late.txt"
    g.write_bytes(b"x" * 70_000 + b"\n" + b"bad \x80 here\n" + b"the end\n")
    r, docs = read(g, txt_mode="line")
    assert [d.text for d in docs[1:]] == ["bad \ufffd here", "the end"]
    assert r.stats[g.as_posix()]["replaced_lines"] == 1 and r.stats[g.as_posix()]["encoding"] == "utf-8"


def test_genuine_replacement_char_not_counted(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("already \ufffd replaced\n", encoding="utf-8")
    r, docs = read(f)
    assert docs[0].text == "already \ufffd replaced" and r.stats[f.as_posix()]["replaced_lines"] == 0


# ---------------------------------------------------------------- binary and empty


def test_binary_and_empty_files_skipped(tmp_path):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "nul.jsonl").write_bytes(b"\x00" * 1000)
    (tmp_path / "ctl.csv").write_bytes(bytes([1, 2, 3, 65]) * 100)
    (tmp_path / "e.txt").write_bytes(b"")
    (tmp_path / "ws.md").write_text(" \n\t\n  \n")
    (tmp_path / "bomonly.txt").write_bytes(b"\xef\xbb\xbf")
    r, docs = read(tmp_path)
    assert docs == [] and r.stats == {}
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in r.skipped}
    assert reasons == {
        "img.txt": "binary file",
        "nul.jsonl": "binary file",
        "ctl.csv": "binary file",
        "e.txt": "empty file",
        "ws.md": "empty file",
        "bomonly.txt": "empty file",
    }


# ---------------------------------------------------------------- bad records


def test_broken_jsonl_lines_reported_and_rejected(tmp_path):
    f = tmp_path / "b.jsonl"
    f.write_text(
        "\n".join(
            [
                '{"text": "good 1"}',
                '{"text": "unterminated',
                "[1, 2]",
                '{"title": "no text"}',
                '{"text": 42}',
                "",
                '{"text": "good 2"}',
                '{"text": ""}',
                '{"text": "   "}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rej = tmp_path / "out" / "rejects.jsonl"
    r, docs = read(f, rejects=rej)
    assert [d.text for d in docs] == ["good 1", "good 2"] and docs[1].id.endswith(":7")
    got = [(b.line, b.reason) for b in r.bad_records]
    assert [g[0] for g in got] == [2, 3, 4, 5, 8]
    assert got[0][1].startswith("invalid JSON: ")
    assert [g[1] for g in got[1:]] == ["not an object", "no 'text' field", "'text' is not a string", "'text' is empty"]
    s = r.stats[f.as_posix()]
    assert (s["read"], s["docs"], s["bad"], s["empty"]) == (8, 2, 5, 1) and r.n_bad == 5
    check_counts(r)
    rows = [json.loads(x) for x in rej.read_text(encoding="utf-8").splitlines()]
    assert [(x["path"], x["line"], x["reason"]) for x in rows] == [(b.path, b.line, b.reason) for b in r.bad_records]
    assert rows[1]["raw"] == "[1, 2]"


def test_rejects_raw_truncated_and_memory_list_bounded(tmp_path, monkeypatch):
    from engine.data import readers

    monkeypatch.setattr(readers, "MAX_BAD_KEPT", 3)
    f = tmp_path / "b.jsonl"
    f.write_text(("{" + "x" * 2000 + "\n") * 5 + '{"text": "ok"}\n')
    rej = tmp_path / "rej.jsonl"
    r, docs = read(f, rejects=rej)
    assert len(docs) == 1 and len(r.bad_records) == 3 and r.n_bad == 5
    assert r.stats[f.as_posix()]["bad"] == 5
    rows = [json.loads(x) for x in rej.read_text().splitlines()]
    assert len(rows) == 5 and all(len(x["raw"]) == 500 for x in rows)


def test_overlong_jsonl_line_is_one_bad_record(tmp_path):
    f = tmp_path / "long.jsonl"
    f.write_text(json.dumps({"text": "y" * 5000}) + "\n" + json.dumps({"text": "short"}) + "\n")
    r, docs = read(f, max_line_chars=1000)
    assert [d.id.rsplit(":", 1)[1] for d in docs] == ["2"]
    assert [(b.line, b.reason.split(" (")[0]) for b in r.bad_records] == [(1, "line longer than max_line_chars")]
    s = r.stats[f.as_posix()]
    assert s["cut_lines"] == 6 and s["read"] == 2
    check_counts(r)


# ---------------------------------------------------------------- determinism, order, limits


def test_folder_recursion_sorted_and_deterministic(tmp_path):
    for rel in ["b/z.txt", "a.txt", "b/a/c.txt", "c.jsonl", "b/y.md"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps({"text": rel}) if rel.endswith(".jsonl") else rel)
    r, docs = read(tmp_path)
    names = [d.metadata["source"].split(":")[0] for d in docs]
    assert names == sorted(names) and len(names) == 5
    _, docs2 = read(tmp_path)
    assert [(d.id, d.text, d.metadata) for d in docs] == [(d.id, d.text, d.metadata) for d in docs2]
    # iterating the same reader twice gives the same documents and fresh counts
    again = list(r)
    assert [d.id for d in again] == [d.id for d in docs] and sum(s["docs"] for s in r.stats.values()) == 5
    # a file named twice (directly and inside a folder) is read once
    _, docs3 = read([tmp_path / "a.txt", tmp_path])
    assert len(docs3) == 5


def test_exact_limit_line_not_cut(tmp_path):
    f = tmp_path / "e.txt"
    f.write_text("a" * 10 + "\n" + "b" * 25 + "\n" + "c" * 10)
    r, docs = read(f, txt_mode="line", max_line_chars=10)
    p = f.as_posix()
    assert [(d.id, d.text) for d in docs] == [
        (f"{p}:1", "a" * 10),
        (f"{p}:2", "b" * 10),
        (f"{p}:2#2", "b" * 10),
        (f"{p}:2#3", "b" * 5),
        (f"{p}:3", "c" * 10),
    ]
    assert r.stats[p]["cut_lines"] == 3


def test_file_mode_document_cap(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("".join(f"line {i:04d}\n" for i in range(1000)))  # 10 chars per line
    r, docs = read(f, max_line_chars=100)  # doc cap 1000 chars -> 100 lines per doc
    p = f.as_posix()
    assert len(docs) == 10 and all(len(d.text) <= 1000 for d in docs)
    assert docs[0].id == p and docs[1].id == f"{p}#2" and docs[1].metadata["source"] == f"{p}:101"
    assert "".join(d.text + "\n" for d in docs) == f.read_text()
    assert r.stats[p]["cut_docs"] == 9
    check_counts(r)


def test_huge_single_line_streams_in_bounded_memory(tmp_path):
    f = tmp_path / "huge.txt"
    size = 5 * 1024 * 1024
    with open(f, "w") as fh:
        fh.writelines("abcdefgh" * 8192 for _ in range(size // 65536))
    reader = SourceReader([f], ReaderConfig(txt_mode="line", max_line_chars=100_000))
    tracemalloc.start()
    try:
        n, total, longest = 0, 0, 0
        for doc in reader:
            n += 1
            total += len(doc.text)
            longest = max(longest, len(doc.text))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size and longest <= 100_000 and n == -(-size // 100_000)
    assert reader.stats[f.as_posix()]["cut_lines"] == n
    assert peak < 2 * 1024 * 1024, peak


def test_overlong_csv_cells(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("text\n" + "z" * 250 + '\n"' + "q" * 250 + '"\nnext\n')
    r, docs = read(f, max_line_chars=100)
    p = f.as_posix()
    # an unquoted cell is cut like any line; a quoted one is kept whole (up to the document cap)
    assert [(d.id, len(d.text)) for d in docs] == [
        (f"{p}:2", 100),
        (f"{p}:2#2", 100),
        (f"{p}:2#3", 50),
        (f"{p}:3", 250),
        (f"{p}:4", 4),
    ]
    assert len({d.id for d in docs}) == len(docs)
    check_counts(r)


def test_other_encodings_and_json_arrays(tmp_path):
    (tmp_path / "be.txt").write_bytes(b"\xfe\xff" + "héllo 世界".encode("utf-16-be"))
    (tmp_path / "nobom.txt").write_bytes("plain text\n".encode("utf-16-le"))
    (tmp_path / "ru.txt").write_bytes("Привет, как дела? Это тест.\n".encode("cp1251"))
    (tmp_path / "arr.json").write_text('[{"text": "a"}]')
    r, docs = read(tmp_path)
    assert [d.text for d in docs] == ["héllo 世界", "plain text"]
    assert r.stats[(tmp_path / "nobom.txt").as_posix()]["encoding"] == "utf-16-le"
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in r.skipped}
    assert reasons["ru.txt"].startswith("undecodable text") and "JSON array" in reasons["arr.json"]


def test_one_nul_byte_costs_its_line_not_the_file(tmp_path):
    """Issue 19, item 18: a JSONL file with valid lines and one NUL byte was skipped whole as binary."""
    lines = [json.dumps({"text": f"document number {i} is fine."}) for i in range(20)]
    lines[7] = '{"text": "broken \x00 here"}'
    (tmp_path / "mostly.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "blob.bin.txt").write_bytes(b"\x00\x01\x02binary" * 200)  # still binary
    reader = SourceReader([tmp_path])
    docs = list(reader)
    assert len(docs) == 19 and all("\x00" not in d.text for d in docs)
    assert [b.line for b in reader.bad_records] == [8]
    assert [(s.path.rsplit("/", 1)[-1], s.reason) for s in reader.skipped] == [("blob.bin.txt", "binary file")]
