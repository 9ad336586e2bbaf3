"""The RLHF preference store: durable judgements, pair expansion, JSONL in/out, damage and backups."""

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.prefs import add_prefs_parser
from engine.errors import DojoError
from engine.io.store import Store
from engine.rlhf.prefs import PrefStore

ROOT = Path(__file__).resolve().parents[2]


def _prompt_with(store, text, answers):
    pid = store.add_prompt(text)
    return pid, [
        store.add_response(pid, a, run_id="r1", decoding={"temperature": 0.8}, seed=i) for i, a in enumerate(answers)
    ]


def _triples(pairs):
    return [(p["prompt"], p["chosen"], p["rejected"]) for p in pairs]


def _jsonl(path, rows):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_durable_settings_shared_with_store(tmp_path):
    db = tmp_path / "dojo.sqlite"
    with PrefStore(db) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        with Store(db) as runs:  # the same file holds the runs: both schemas live side by side
            runs.create_run("r1", "sft", {}, "cmd")
        s.add_prompt("q")
    with PrefStore(db) as s, Store(db) as runs:
        assert s.counts()["prompts"] == 1 and runs.run("r1")["stage"] == "sft"


def test_ranking_expands_to_every_better_worse_pair(tmp_path):
    with PrefStore(tmp_path / "d.sqlite") as s:
        pid, (a, b, c) = _prompt_with(s, "Q", ["A", "B", "C"])
        j = s.rank(pid, [b, a, c], "human:ann")
        assert _triples(s.pairs()) == [("Q", "B", "A"), ("Q", "B", "C"), ("Q", "A", "C")]
        assert {(p["chosen_id"], p["rejected_id"]) for p in s.pairs()} == {(b, a), (b, c), (a, c)}
        assert all(p["judgement_id"] == j and p["judge"] == "human:ann" and p["messages"] is None for p in s.pairs())
        pid4, ids = _prompt_with(s, "Q4", ["w", "x", "y", "z"])
        s.rank(pid4, ids[::-1], "human:bob")
        four = s.pairs(judge="human:bob")
        assert len(four) == 6
        assert {(p["chosen"], p["rejected"]) for p in four} == {
            (x, y) for i, x in enumerate("zyxw") for y in "zyxw"[i + 1 :]
        }
        assert s.counts()["pairs"] == 9 and s.counts()["judgements"]["ranking"] == 2


def test_ties_and_thumbs(tmp_path):
    with PrefStore(tmp_path / "d.sqlite") as s:
        pid, (a, b) = _prompt_with(s, "Q", ["A", "B"])
        s.choose(pid, b, a, "human:ann", tie=True)
        s.thumb(a, True, "human:ann")
        s.thumb(b, False, "human:bob")
        assert s.pairs() == []
        assert _triples(s.pairs(include_ties=True)) == [("Q", "B", "A")] and s.pairs(include_ties=True)[0]["tie"]
        s.choose(pid, a, b, "human:ann")
        assert _triples(s.pairs()) == [("Q", "A", "B")]
        assert [(t["prompt"], t["response"], t["thumb"], t["judge"]) for t in s.thumbs()] == [
            ("Q", "A", 1, "human:ann"),
            ("Q", "B", -1, "human:bob"),
        ]
        assert s.counts()["judgements"] == {"ranking": 0, "pair": 2, "thumb": 2}


def test_invalid_judgements_are_refused_and_store_nothing(tmp_path):
    with PrefStore(tmp_path / "d.sqlite") as s:
        pid, (a, b) = _prompt_with(s, "Q", ["A", "B"])
        other, (x,) = _prompt_with(s, "other", ["X"])
        for ids, why in (
            ([a], "at least 2"),
            ([a, b, a], "distinct"),
            ([a, x], "not answers to prompt"),
            ([a, 999], "not answers to prompt"),
        ):
            with pytest.raises(DojoError, match=why):
                s.rank(pid, ids, "human:ann")
        with pytest.raises(DojoError, match="distinct"):
            s.choose(pid, a, a, "human:ann")
        with pytest.raises(DojoError, match="no prompt"):
            s.rank(12345, [a, b], "human:ann")
        with pytest.raises(DojoError, match="judge"):
            s.rank(pid, [a, b], "")
        with pytest.raises(DojoError, match="no response"):
            s.thumb(999, True, "human:ann")
        assert s.conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 0
        assert not s.conn.in_transaction


def test_judgement_is_visible_from_a_new_connection_at_once(tmp_path):
    db = tmp_path / "d.sqlite"
    s = PrefStore(db)
    pid, (a, b) = _prompt_with(s, "Q", ["A", "B"])
    j1 = s.rank(pid, [a, b], "human:ann")
    j2 = s.thumb(b, False, "human:ann")
    other = sqlite3.connect(db)  # no commit() or close() from the writer
    assert [r[0] for r in other.execute("SELECT id FROM judgements ORDER BY id")] == [j1, j2]
    s.delete_judgement(j1)
    assert other.execute("SELECT deleted FROM judgements WHERE id = ?", (j1,)).fetchone() == (1,)
    other.close()
    s.close()


CHILD = """
import sys
from engine.rlhf.prefs import PrefStore
s = PrefStore(sys.argv[1])
p = s.add_prompt("kill test " + sys.argv[2])
a, b, c = (s.add_response(p, t) for t in ("good", "bad", "fine"))
print("READY", flush=True)
for i in range(10**6):
    judge = f"human:{sys.argv[2]}-{i}"  # ids of lost rows are reused: the judge tells them apart
    if i % 3 == 0:
        j = s.rank(p, [a, c, b], judge)
    elif i % 3 == 1:
        j = s.choose(p, a, b, judge)
    else:
        j = s.thumb(c, True, judge)
    print(f"ACK {j} {judge}", flush=True)
"""


def test_every_acknowledged_judgement_survives_sigkill(tmp_path):
    db = tmp_path / "d.sqlite"
    rng = random.Random(1234)
    acked = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for trial in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(trial)], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
        )
        assert child.stdout.readline().strip() == "READY"
        for _ in range(rng.randint(1, 12)):
            line = child.stdout.readline().split()
            assert line[0] == "ACK"
            acked.add((int(line[1]), line[2]))
        if rng.random() < 0.5:
            for _ in range(rng.randint(0, 2000)):  # a moment later, somewhere inside the next write
                pass
        os.kill(child.pid, signal.SIGKILL)
        rest = child.stdout.read()  # what it acknowledged before it died counts too
        child.wait()
        assert child.returncode == -signal.SIGKILL
        acked |= {(int(x.split()[1]), x.split()[2]) for x in rest.splitlines() if x.startswith("ACK ")}
    with PrefStore(db) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = set(s.conn.execute("SELECT id, judge FROM judgements"))
        assert acked <= stored and len(acked) >= 20
        assert s.counts()["prompts"] == 20


def test_demo_style_round_trip_and_import_twice(tmp_path):
    rows = [
        {
            "id": f"pref-p{i:04d}-wrong",
            "prompt": f"Where was person {i} born?",
            "chosen": f"Born in town {i}.",
            "rejected": f"Born in town {i + 1}.",
            "metadata": {"lang": "en", "reason": "wrong", "person": f"p{i}", "field": "birthplace"},
        }
        for i in range(5)
    ]
    rows.append(
        {
            "id": "pref-p0000-rambling",
            "prompt": "Where was person 0 born?",
            "chosen": "Born in town 0.",
            "rejected": "Well, well, well…",
            "metadata": {"reason": "rambling"},
        }
    )
    src = _jsonl(tmp_path / "train.jsonl", rows)
    with PrefStore(tmp_path / "a.sqlite") as s:
        r = s.import_jsonl(src, judge="demo")
        assert r["imported"] == 6 and r["skipped"] == [] and r["duplicates"] == 0
        assert _triples(s.pairs()) == [(x["prompt"], x["chosen"], x["rejected"]) for x in rows]
        before = s.counts()
        assert (before["prompts"], before["responses"]) == (5, 11)  # "Born in town 0." is one answer
        again = s.import_jsonl(src, judge="demo")
        assert again["imported"] == 0 and again["duplicates"] == 6 and s.counts() == before
        assert s.import_jsonl(src, judge="other")["imported"] == 6  # another judge's say is new
        assert s.counts()["responses"] == 11 and s.counts()["pairs"] == 12
        assert s.export_jsonl(tmp_path / "out.jsonl", judge="demo") == 6
        exported = s.pairs(judge="demo")
        assert s.import_jsonl(tmp_path / "out.jsonl")["duplicates"] == 6  # an export back into its own store
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert set(lines[0]) == {"id", "prompt", "chosen", "rejected", "judge"} and lines[0]["judge"] == "demo"
    with PrefStore(tmp_path / "fresh.sqlite") as fresh:
        assert fresh.import_jsonl(tmp_path / "out.jsonl", strict=True)["imported"] == 6
        keys = ("prompt", "messages", "chosen", "rejected", "judge")
        assert [{k: p[k] for k in keys} for p in fresh.pairs()] == [{k: p[k] for k in keys} for p in exported]


def test_messages_style_round_trip(tmp_path):
    def conv(*turns):
        return [{"role": r, "content": c} for r, c in turns]

    history = (("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello."), ("user", "Capital of Eastmere?"))
    rows = [
        {
            "chosen": conv(("user", "Hi"), ("assistant", "Hello!")),
            "rejected": conv(("user", "Hi"), ("assistant", "Go.")),
        },
        {"chosen": conv(*history, ("assistant", "Eastmere.")), "rejected": conv(*history, ("assistant", "No idea"))},
        {"prompt": conv(("user", "Q3")), "chosen": conv(("assistant", "c3")), "rejected": conv(("assistant", "r3"))},
        {"prompt": "Q4", "messages": conv(("system", "Be kind."), ("user", "Q4")), "chosen": "c4", "rejected": "r4"},
    ]
    src = _jsonl(tmp_path / "hh.jsonl", rows)
    with PrefStore(tmp_path / "a.sqlite") as s:
        assert s.import_jsonl(src, strict=True)["imported"] == 4
        pairs = s.pairs()
        assert [p["judge"] for p in pairs] == ["import"] * 4
        assert (pairs[0]["prompt"], pairs[0]["messages"], pairs[0]["chosen"]) == ("Hi", None, "Hello!")
        assert pairs[1]["messages"] == conv(*history) and pairs[1]["rejected"] == "No idea"
        assert pairs[1]["prompt"].endswith("user: Capital of Eastmere?")
        assert pairs[2]["prompt"] == "Q3" and pairs[3]["messages"] == conv(("system", "Be kind."), ("user", "Q4"))
        s.export_jsonl(tmp_path / "out.jsonl")
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "messages" not in out[0] and out[1]["messages"] == conv(*history)
    with PrefStore(":memory:") as fresh:
        fresh.import_jsonl(tmp_path / "out.jsonl", strict=True)
        keys = ("prompt", "messages", "chosen", "rejected", "judge")
        assert [{k: p[k] for k in keys} for p in fresh.pairs()] == [{k: p[k] for k in keys} for p in pairs]


BAD_LINES = [
    ('{"prompt": "Q1", "chosen": "a", "rejected": "b"}', None),
    ('{"prompt": "Q2", "chosen": "a",', "invalid JSON"),
    ('{"prompt": "Q3", "chosen": "a"}', "missing field 'rejected'"),
    ('{"prompt": "Q4", "chosen": 7, "rejected": "b"}', "'chosen' must be a string"),
    ('{"prompt": "Q5", "chosen": "  ", "rejected": "b"}', "'chosen' is empty"),
    ('{"prompt": "Q6", "chosen": "same", "rejected": "same"}', "same text"),
    ("[1, 2]", "expected a JSON object"),
    ('{"chosen": "a", "rejected": "b"}', "missing field 'prompt'"),
    (
        '{"chosen": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "a"}], '
        '"rejected": [{"role": "user", "content": "y"}, {"role": "assistant", "content": "b"}]}',
        "not the same prompt",
    ),
    ('{"prompt": "", "chosen": "a", "rejected": "b"}', "'prompt' is empty"),
    ("", None),  # a blank line is not an error
    ('{"prompt": "Q12", "chosen": "a", "rejected": "b"}', None),
]


def test_malformed_lines_are_reported_with_file_and_line(tmp_path):
    src = _jsonl(tmp_path / "bad.jsonl", [line for line, _ in BAD_LINES])
    with PrefStore(tmp_path / "d.sqlite") as s:
        r = s.import_jsonl(src)
        assert r["imported"] == 2
        expected = [(n, why) for n, (_, why) in enumerate(BAD_LINES, 1) if why]
        assert len(r["skipped"]) == len(expected)
        for msg, (n, why) in zip(r["skipped"], expected):
            assert msg.startswith(f"{src}:{n}: ") and why in msg, msg
        assert _triples(s.pairs()) == [("Q1", "a", "b"), ("Q12", "a", "b")]

    with PrefStore(tmp_path / "strict.sqlite") as s:
        with pytest.raises(DojoError, match="^" + re.escape(f"{src}:2: invalid JSON")):
            s.import_jsonl(src, strict=True)
        c = s.counts()
        assert (c["prompts"], c["responses"], c["pairs"]) == (0, 0, 0)  # line 1 was not kept either
        with pytest.raises(DojoError, match="cannot read"):
            s.import_jsonl(tmp_path / "missing.jsonl")


def _big_store(path, n=300):
    rows = [
        {"prompt": f"question {i} " + "x" * 400, "chosen": f"good {i} " + "y" * 300, "rejected": f"bad {i}"}
        for i in range(n)
    ]
    with PrefStore(path) as s:  # one transaction: a few hundred fsyncs would take seconds
        assert s.import_jsonl(_jsonl(path.with_suffix(".jsonl"), rows), judge="human:ann")["imported"] == n
        return s.counts()


def test_damaged_database_is_refused_and_left_alone_then_restored(tmp_path):
    db = tmp_path / "dojo.sqlite"
    counts = _big_store(db)
    with PrefStore(db) as s:
        backup = s.backup(tmp_path / "backups" / "b1.sqlite")
        victim = s.backup(tmp_path / "victim.sqlite")  # a copy to damage
    page = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    size = victim.stat().st_size
    assert size // page > 20
    with open(victim, "r+b") as f:
        f.seek(size // page // 2 * page)
        f.write(b"\xaa" * page)
    damaged = victim.read_bytes()
    with pytest.raises(DojoError) as e:
        PrefStore(victim)
    assert str(victim) in str(e.value) and "PrefStore.restore" in str(e.value)
    assert victim.read_bytes() == damaged

    assert PrefStore.restore(backup, victim) == victim  # damaged: no force needed
    with PrefStore(victim) as s:
        assert s.counts() == counts
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(DojoError, match="healthy"):
        PrefStore.restore(backup, db)
    with PrefStore(db) as s:
        pid, (a, b) = _prompt_with(s, "after the backup", ["A", "B"])
        s.rank(pid, [a, b], "human:ann")
    PrefStore.restore(backup, db, force=True)
    with PrefStore(db) as s:
        assert s.counts() == counts


def test_backup_holds_what_is_still_in_the_wal(tmp_path):
    db = tmp_path / "dojo.sqlite"
    with PrefStore(db) as s:
        pid, (a, b) = _prompt_with(s, "Q", ["A", "B"])
        s.rank(pid, [a, b], "human:ann")
        assert (tmp_path / "dojo.sqlite-wal").stat().st_size > 0  # a copy of the main file alone would miss it
        dest = s.backup(tmp_path / "b.sqlite")
        with pytest.raises(DojoError, match="onto itself"):
            s.backup(db)
    ro = sqlite3.connect(dest.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    assert ro.execute("SELECT count(*) FROM judgements").fetchone()[0] == 1
    ro.close()
    with pytest.raises(DojoError, match="backup not found"):
        PrefStore.restore(tmp_path / "nope.sqlite", tmp_path / "x.sqlite")


def test_soft_delete_and_undo(tmp_path):
    with PrefStore(tmp_path / "d.sqlite") as s:
        pid, (a, b, c) = _prompt_with(s, "Q", ["A", "B", "C"])
        j = s.rank(pid, [a, b, c], "human:ann")
        t = s.thumb(a, True, "human:ann")
        assert s.delete_judgement(j) is True and s.delete_judgement(j) is False
        s.delete_judgement(t)
        assert s.pairs() == [] and s.thumbs() == [] and s.counts()["deleted"] == 2
        assert s.list_judgements() == [] and [x["id"] for x in s.list_judgements(include_deleted=True)] == [t, j]
        assert s.restore_judgement(j) is True and s.restore_judgement(j) is False
        assert len(s.pairs()) == 3 and s.list_judgements(limit=1)[0]["ranking"] == [a, b, c]
        with pytest.raises(DojoError, match="no judgement"):
            s.delete_judgement(999)


def _cli(argv, capsys):
    p = argparse.ArgumentParser(prog="lmdojo-cli")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name, fn, help):  # as engine/cli/__main__.py's build_parser does
        s = sub.add_parser(name, help=help)
        s.add_argument("workspace")
        s.add_argument("--json", action="store_true")
        s.set_defaults(fn=fn)
        return s

    add_prefs_parser(add)
    args = p.parse_args(argv)
    assert args.fn(args) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_cli(tmp_path, capsys):
    from engine.io.workspace import Workspace

    ws = str(Workspace.create(tmp_path / "ws").root)
    src = _jsonl(
        tmp_path / "p.jsonl",
        [
            {"prompt": "Q", "chosen": "a", "rejected": "b"},
            "{oops",
            {"prompt": "R", "chosen": "c", "rejected": "d", "judge": "human:ann"},
        ],
    )
    r = _cli(["prefs", ws, "import", str(src), "--json"], capsys)
    assert r["imported"] == 2 and len(r["skipped"]) == 1 and r["skipped"][0].startswith(f"{src}:2: invalid JSON")
    assert _cli(["prefs", ws, "--json", "counts"], capsys)["pairs"] == 2
    listed = _cli(["prefs", ws, "list", "--limit", "1", "--json"], capsys)["judgements"]
    assert [(x["prompt"], x["judge"]) for x in listed] == [("R", "human:ann")]
    jid = listed[0]["id"]
    assert _cli(["prefs", ws, "delete", str(jid), "--json"], capsys)["changed"] is True
    assert _cli(["prefs", ws, "counts", "--json"], capsys)["pairs"] == 1
    _cli(["prefs", ws, "restore-deleted", str(jid), "--json"], capsys)
    assert (
        _cli(["prefs", ws, "export", str(tmp_path / "o.jsonl"), "--judge", "human:ann", "--json"], capsys)["pairs"] == 1
    )
    b = _cli(["prefs", ws, "backup", str(tmp_path / "b.sqlite"), "--json"], capsys)["backup"]
    with pytest.raises(DojoError, match="healthy"):
        _cli(["prefs", ws, "restore", b], capsys)
    assert _cli(["prefs", ws, "restore", b, "--force", "--json"], capsys)["restored"].endswith("dojo.sqlite")
    with pytest.raises(DojoError, match=r":2: invalid JSON"):
        _cli(["prefs", ws, "import", str(src), "--strict"], capsys)


def test_shown_order_is_stored_checked_and_listed(tmp_path):
    with PrefStore(tmp_path / "dojo.sqlite") as store:
        pid, (a, b, c) = _prompt_with(store, "Which?", ["one", "two", "three"])
        j_pair = store.choose(pid, b, a, "human:ann", shown=[a, b])
        j_rank = store.rank(pid, [c, a, b], "human:ann", shown=[a, b, c])
        j_thumb = store.thumb(c, True, "human:ann", shown=[a, c])
        j_none = store.choose(pid, a, b, "human:bob")
        for bad in ([a, c], [a, a], [a, b, c], ["a", b]):
            with pytest.raises(DojoError, match="shown"):
                store.choose(pid, a, b, "human:ann", shown=bad)
        with pytest.raises(DojoError, match="shown"):
            store.thumb(c, False, "human:ann", shown=[a, b])
        listed = {j["id"]: j["shown"] for j in store.list_judgements()}
    assert listed == {j_pair: [a, b], j_rank: [a, b, c], j_thumb: [a, c], j_none: None}
    with PrefStore(tmp_path / "dojo.sqlite") as store:  # kept across connections
        assert store.list_judgements(limit=1)[0]["shown"] is None
        assert {j["id"]: j["shown"] for j in store.list_judgements()}[j_rank] == [a, b, c]


def test_old_database_without_shown_column_opens_keeps_rows_and_gets_it(tmp_path):
    db = tmp_path / "dojo.sqlite"
    # the schema as it was before `shown`: the index marks the store as made
    old_schema = """
    CREATE TABLE prompts (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE, messages TEXT, source TEXT, created REAL);
    CREATE TABLE responses (id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL REFERENCES prompts(id),
        text TEXT NOT NULL, run_id TEXT, decoding TEXT, seed INTEGER, source TEXT, created REAL);
    CREATE TABLE judgements (id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL, kind TEXT NOT NULL, ranking TEXT,
        tie INTEGER DEFAULT 0, response_id INTEGER, thumb INTEGER, judge TEXT NOT NULL, created REAL,
        deleted INTEGER DEFAULT 0, source TEXT);
    CREATE INDEX responses_prompt ON responses(prompt_id, text);
    CREATE INDEX judgements_prompt ON judgements(prompt_id, judge);
    """
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(old_schema)
    conn.execute("INSERT INTO prompts (id, text) VALUES (1, 'Old?')")
    conn.executemany("INSERT INTO responses (id, prompt_id, text) VALUES (?, 1, ?)", [(1, "yes"), (2, "no")])
    conn.execute("INSERT INTO judgements (prompt_id, kind, ranking, judge) VALUES (1, 'pair', '[1, 2]', 'human:old')")
    conn.close()
    with PrefStore(db) as store:
        assert [(p["chosen"], p["rejected"]) for p in store.pairs()] == [("yes", "no")]
        assert store.list_judgements()[0]["shown"] is None
        jid = store.choose(1, 2, 1, "human:new", shown=[1, 2])
        assert store.list_judgements(limit=1)[0] == store.list_judgements()[0]
        assert {j["id"]: j["shown"] for j in store.list_judgements()}[jid] == [1, 2]
    conn = sqlite3.connect(db)
    assert "shown" in [r[1] for r in conn.execute("PRAGMA table_info(judgements)")]
    assert conn.execute("SELECT count(*) FROM judgements").fetchone()[0] == 2
    conn.close()
    with PrefStore(db) as store:  # a second open finds the column and adds nothing
        assert len(store.list_judgements()) == 2
