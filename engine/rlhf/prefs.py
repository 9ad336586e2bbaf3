"""The RLHF preference store: prompts, the answers models gave, and what judges said about them.

It lives in the workspace database (WS/dojo.sqlite) beside the runs and is opened the same
durable way (engine.io.store.connect: WAL, synchronous=FULL); every write is one transaction that
is committed when the call returns, so the app may show a ranking as saved once rank() returns.

* A judgement is a `ranking` (2..N answers of one prompt, best first), a `pair` (better, worse;
  or a tie) or a `thumb` (+1/-1 on one answer). pairs() expands them into (prompt, chosen,
  rejected): a ranking of N gives N(N-1)/2 pairs, a tie only on request, a thumb none.
* Deleting is soft (deleted=1), so restore_judgement() undoes it.
* A judgement may record the order its answers were shown in (`shown`, left to right), so
  position bias can be measured; databases made before that column existed get it on open.
* Opening runs PRAGMA quick_check on a read-only connection first: a damaged file is refused
  and never written to; restore a backup (made with backup()) with engine.io.store.restore().

JSONL, one object a line (import_jsonl; extra keys such as "metadata" are ignored):
* {"prompt": str, "chosen": str, "rejected": str}                   the demo's / TRL's standard form
* {"prompt": str, "messages": [... user turn], "chosen", "rejected"} a chat prompt (what export writes)
* {"prompt": [messages], "chosen": str or [assistant msg], "rejected": ...}   TRL conversational
* {"chosen": [messages], "rejected": [messages]}   implicit prompt (TRL, Anthropic-HH): the turns
  before the last assistant turn, the same in both
and optionally "judge" (used unless import_jsonl is given one) and "id" (kept in the source).
export_jsonl writes {"id", "prompt", ["messages"], "chosen", "rejected", "judge"} per pair.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import DojoError
from engine.io.fsutil import atomic_write_text
from engine.io.store import Handle, backup, check_healthy, connect, read_only, restore, write_transaction
from engine.rlhf.prefs_jsonl import MAX_LINE_BYTES, BadLine, conversation, parse_line, read_lines, regular_file, short

if TYPE_CHECKING:
    from engine.io.workspace import Workspace

KINDS = ("ranking", "pair", "thumb")

SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS prompts (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE,
    messages TEXT,           -- JSON list of chat messages ending with a user turn, or NULL
    source TEXT, created REAL
);
CREATE TABLE IF NOT EXISTS responses (
    id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL REFERENCES prompts(id), text TEXT NOT NULL,
    run_id TEXT,             -- run that generated it; NULL when imported
    decoding TEXT,           -- JSON of the sampling settings
    seed INTEGER, source TEXT, created REAL
);
CREATE TABLE IF NOT EXISTS judgements (
    id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL,
    kind TEXT NOT NULL,      -- ranking | pair | thumb
    ranking TEXT,            -- JSON list of response ids, best first; pair: [a, b], a preferred unless tie
    tie INTEGER DEFAULT 0,
    response_id INTEGER, thumb INTEGER,  -- thumb: the answer, +1 / -1
    judge TEXT NOT NULL,     -- "human:<name>", "rules", "reward:<run>", "import", ...
    created REAL,
    deleted INTEGER DEFAULT 0,  -- soft delete (1), so it can be undone; 2: an import not finished yet
    source TEXT,             -- where an imported judgement came from: file:line [id=...]
    shown TEXT,              -- JSON list of response ids in the order the judge saw them, left to right
    import_id INTEGER        -- the import that added it (imports.id)
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY, file TEXT, started REAL,
    finished REAL            -- NULL while it runs; -1 when it failed or was abandoned
);
CREATE INDEX IF NOT EXISTS responses_prompt ON responses(prompt_id, text);
CREATE INDEX IF NOT EXISTS judgements_prompt ON judgements(prompt_id, judge);
COMMIT;
"""

IMPORT_CHUNK = 1000  # lines per import transaction: a writer elsewhere waits well under a second


class PrefStore(Handle):
    restore = staticmethod(restore)  # put a backup in place of a damaged database (engine.io.store.restore)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            check_healthy(self.path)
        self._lock_workspace(self.path)
        try:
            self.conn = connect(self.path)
        except sqlite3.Error as e:
            self.close_lock()
            raise DojoError(f"cannot open the preference store {self.path}: {e}") from None
        self.conn.execute("PRAGMA foreign_keys=ON")
        if read_only(self.path):
            return  # to be looked at: no schema to add, no columns to migrate (reading copes without)
        if not self.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'judgements_prompt'").fetchone()[0]:
            self.conn.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Columns and tables added since a database was made; each check-and-add is one
        transaction, so two programs opening the same old file at once add it once."""
        if _columns(self.conn) >= {"shown", "import_id"}:
            return
        with self._write() as c:
            cols = _columns(c)
            if "shown" not in cols:
                c.execute("ALTER TABLE judgements ADD COLUMN shown TEXT")
            if "import_id" not in cols:
                c.execute("ALTER TABLE judgements ADD COLUMN import_id INTEGER")
            c.execute(
                "CREATE TABLE IF NOT EXISTS imports (id INTEGER PRIMARY KEY, file TEXT, started REAL, finished REAL)"
            )

    def _write(self):
        """One transaction, committed before the caller returns."""
        return write_transaction(self.conn, self.path)

    # -- prompts and responses --------------------------------------------------------------
    def add_prompt(self, text: str, messages: list[dict] | None = None, source: str | None = None) -> int:
        """The prompt's id, created if no prompt has this text yet."""
        if not isinstance(text, str) or not text.strip():
            raise DojoError("a prompt needs a non-empty text")
        if messages is not None:
            try:
                messages = conversation(messages, "messages")
            except BadLine as e:
                raise DojoError(str(e)) from None
        with self._write():
            return self._prompt(text, messages, source)

    def _prompt(self, text: str, messages: list[dict] | None, source: str | None) -> int:
        if messages == [{"role": "user", "content": text}]:
            messages = None  # a lone user turn is the same prompt as its text
        stored = json.dumps(messages, ensure_ascii=False) if messages else None
        row = self.conn.execute("SELECT id, messages FROM prompts WHERE text = ?", (text,)).fetchone()
        if row is None:
            return self.conn.execute(
                "INSERT INTO prompts (text, messages, source, created) VALUES (?, ?, ?, ?)",
                (text, stored, source, time.time()),
            ).lastrowid
        # text is the prompt's identity: one text must not stand for two conversations
        if (json.loads(row[1]) if row[1] else None) != messages:
            raise DojoError(f"prompt {short(text)!r} is already stored with a different conversation")
        return row[0]

    def add_response(
        self,
        prompt_id: int,
        text: str,
        run_id: str | None = None,
        decoding: dict | None = None,
        seed: int | None = None,
        source: str | None = None,
    ) -> int:
        """A new answer to a prompt (every call is a new row: each generation keeps its run and seed)."""
        if not isinstance(text, str):
            raise DojoError(f"a response must be text, got {type(text).__name__}")
        with self._write() as c:
            self._prompt_row(prompt_id)
            return c.execute(
                "INSERT INTO responses (prompt_id, text, run_id, decoding, seed, source, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    prompt_id,
                    text,
                    run_id,
                    json.dumps(decoding, ensure_ascii=False) if decoding else None,
                    seed,
                    source,
                    time.time(),
                ),
            ).lastrowid

    def _prompt_row(self, prompt_id: int) -> tuple:
        row = self.conn.execute("SELECT text, messages FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
        if row is None:
            raise DojoError(f"no prompt with id {prompt_id}")
        return row

    def _imported_response(self, prompt_id: int, text: str, source: str) -> int:
        row = self.conn.execute(
            "SELECT id FROM responses WHERE prompt_id = ? AND text = ? ORDER BY id LIMIT 1", (prompt_id, text)
        ).fetchone()
        if row:  # get-or-create by text, so importing a file twice adds no answers
            return row[0]
        return self.conn.execute(
            "INSERT INTO responses (prompt_id, text, source, created) VALUES (?, ?, ?, ?)",
            (prompt_id, text, source, time.time()),
        ).lastrowid

    # -- judgements -------------------------------------------------------------------------
    def rank(
        self, prompt_id: int, response_ids_best_first: list[int], judge: str, shown: list[int] | None = None
    ) -> int:
        """Store a ranking of 2..N distinct answers of the prompt, best first; `shown`: the same
        answers in the order they were shown, left to right (None: not known)."""
        ids = list(response_ids_best_first)
        with self._write():
            self._check_answers(prompt_id, ids)
            return self._judgement(prompt_id, "ranking", judge, ranking=ids, shown=_shown(shown, ids))

    def choose(
        self,
        prompt_id: int,
        better_id: int,
        worse_id: int,
        judge: str,
        tie: bool = False,
        shown: list[int] | None = None,
    ) -> int:
        """Store a side-by-side choice (with tie=True: neither was better); `shown` as for rank()."""
        with self._write():
            self._check_answers(prompt_id, [better_id, worse_id])
            return self._judgement(
                prompt_id,
                "pair",
                judge,
                ranking=[better_id, worse_id],
                tie=tie,
                shown=_shown(shown, [better_id, worse_id]),
            )

    def thumb(self, response_id: int, up: bool, judge: str, shown: list[int] | None = None) -> int:
        """Store a thumb up (+1) or down (-1) on one answer; `shown`: the answers on screen beside it,
        left to right (it among them), or None."""
        with self._write() as c:
            row = c.execute("SELECT prompt_id FROM responses WHERE id = ?", (response_id,)).fetchone()
            if row is None:
                raise DojoError(f"no response with id {response_id}")
            if shown is not None and response_id not in list(shown):
                raise DojoError(f"shown {list(shown)} does not hold the thumbed response {response_id}")
            return self._judgement(
                row[0], "thumb", judge, response_id=response_id, thumb=1 if up else -1, shown=_shown(shown, None)
            )

    def _check_answers(self, prompt_id: int, ids: list) -> None:
        self._prompt_row(prompt_id)
        if len(ids) < 2:
            raise DojoError(f"a ranking needs at least 2 responses, got {len(ids)}")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise DojoError(f"response ids must be integers, got {ids}")
        if len(set(ids)) != len(ids):
            raise DojoError(f"a judgement compares distinct responses, got {ids}")
        q = f"SELECT id FROM responses WHERE prompt_id = ? AND id IN ({','.join('?' * len(ids))})"
        found = {r[0] for r in self.conn.execute(q, (prompt_id, *ids))}
        if missing := [i for i in ids if i not in found]:
            raise DojoError(f"responses {missing} are not answers to prompt {prompt_id}")

    def _judgement(
        self,
        prompt_id: int,
        kind: str,
        judge: str,
        ranking: list[int] | None = None,
        tie: bool = False,
        response_id: int | None = None,
        thumb: int | None = None,
        source: str | None = None,
        shown: list[int] | None = None,
        import_id: int | None = None,
    ) -> int:
        if not isinstance(judge, str) or not judge.strip():
            raise DojoError("a judgement needs a judge (e.g. 'human:NAME', 'rules')")
        return self.conn.execute(
            "INSERT INTO judgements (prompt_id, kind, ranking, tie, response_id, thumb, judge, created, source, shown, "
            "deleted, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                prompt_id,
                kind,
                json.dumps(ranking) if ranking else None,
                int(tie),
                response_id,
                thumb,
                judge,
                time.time(),
                source,
                json.dumps(shown) if shown else None,
                2 if import_id else 0,
                import_id,
            ),
        ).lastrowid

    def delete_judgement(self, judgement_id: int) -> bool:
        """Soft-delete; False when it was already deleted. restore_judgement() undoes it."""
        return self._set_deleted(judgement_id, 1)

    def restore_judgement(self, judgement_id: int) -> bool:
        """Undo a delete; False when it was not deleted."""
        return self._set_deleted(judgement_id, 0)

    def _set_deleted(self, judgement_id: int, deleted: int) -> bool:
        with self._write() as c:
            row = c.execute("SELECT deleted FROM judgements WHERE id = ? AND deleted < 2", (judgement_id,)).fetchone()
            if row is None:
                raise DojoError(f"no judgement with id {judgement_id}")
            c.execute("UPDATE judgements SET deleted = ? WHERE id = ?", (deleted, judgement_id))
            return row[0] != deleted

    # -- reading ----------------------------------------------------------------------------
    def pairs(self, judge: str | None = None, include_ties: bool = False) -> list[dict]:
        """Every live ranking and pair expanded to (prompt, chosen, rejected), in judgement order.
        A pair of two answers with the same text is left out: it says nothing (and would not
        import again)."""
        sql = (
            "SELECT j.id, j.ranking, j.tie, j.judge, p.id, p.text, p.messages FROM judgements j "
            "JOIN prompts p ON p.id = j.prompt_id WHERE j.deleted = 0 AND j.kind IN ('ranking', 'pair')"
        )
        rows = self.conn.execute(
            sql + (" AND j.judge = ?" if judge else "") + " ORDER BY j.id", (judge,) if judge else ()
        ).fetchall()
        rows = [r for r in rows if include_ties or not r[2]]
        texts = self._texts({i for r in rows for i in json.loads(r[1])})
        out = []
        for jid, ranking, tie, jdg, pid, ptext, pmsgs in rows:
            ids = json.loads(ranking)
            msgs = json.loads(pmsgs) if pmsgs else None
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    c, r = ids[a], ids[b]
                    if texts[c] != texts[r]:
                        out.append(
                            {
                                "prompt": ptext,
                                "messages": msgs,
                                "chosen": texts[c],
                                "rejected": texts[r],
                                "chosen_id": c,
                                "rejected_id": r,
                                "prompt_id": pid,
                                "judgement_id": jid,
                                "judge": jdg,
                                "tie": bool(tie),
                            }
                        )
        return out

    def _texts(self, ids: set[int]) -> dict[int, str]:
        return self._responses_column(ids, "text")

    def _responses_column(self, ids, column: str) -> dict:
        ids, out = sorted(set(ids)), {}
        for k in range(0, len(ids), 500):  # stay under SQLite's limit on bound variables
            chunk = ids[k : k + 500]
            out.update(
                self.conn.execute(
                    f"SELECT id, {column} FROM responses WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            )
        return out

    def thumbs(self, judge: str | None = None) -> list[dict]:
        """Every live thumb: prompt, messages, response, response_id, thumb (+1/-1), judge, judgement_id."""
        sql = (
            "SELECT p.text, p.messages, r.text, r.id, j.thumb, j.judge, j.id FROM judgements j "
            "JOIN responses r ON r.id = j.response_id JOIN prompts p ON p.id = j.prompt_id "
            "WHERE j.deleted = 0 AND j.kind = 'thumb'"
        )
        cur = self.conn.execute(
            sql + (" AND j.judge = ?" if judge else "") + " ORDER BY j.id", (judge,) if judge else ()
        )
        return [
            {
                "prompt": p,
                "messages": json.loads(m) if m else None,
                "response": r,
                "response_id": rid,
                "thumb": t,
                "judge": jdg,
                "judgement_id": jid,
            }
            for p, m, r, rid, t, jdg, jid in cur
        ]

    def counts(self) -> dict:
        """Prompts, responses, live judgements by kind, deleted judgements and expanded pairs."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        by_kind = dict(self.conn.execute("SELECT kind, count(*) FROM judgements WHERE deleted = 0 GROUP BY kind"))
        return {
            "prompts": one("SELECT count(*) FROM prompts"),
            "responses": one("SELECT count(*) FROM responses"),
            "judgements": {k: by_kind.get(k, 0) for k in KINDS},
            "deleted": one("SELECT count(*) FROM judgements WHERE deleted = 1"),
            "pairs": len(self.pairs()),
        }

    def list_judgements(self, limit: int | None = None, include_deleted: bool = False) -> list[dict]:
        """Newest first."""
        sql = (
            "SELECT j.id, j.kind, j.judge, j.prompt_id, p.text, j.ranking, j.tie, j.response_id, j.thumb, "
            "j.created, j.deleted, j.source, j.shown FROM judgements j JOIN prompts p ON p.id = j.prompt_id"
            + (" WHERE j.deleted < 2" if include_deleted else " WHERE j.deleted = 0")
            + " ORDER BY j.id DESC"
        )
        cur = self.conn.execute(sql + " LIMIT ?", (limit if limit is not None else -1,))
        keys = (
            "id",
            "kind",
            "judge",
            "prompt_id",
            "prompt",
            "ranking",
            "tie",
            "response_id",
            "thumb",
            "created",
            "deleted",
            "source",
            "shown",
        )
        out = [dict(zip(keys, row)) for row in cur]
        for d in out:
            d["ranking"] = json.loads(d["ranking"]) if d["ranking"] else None
            d["shown"] = json.loads(d["shown"]) if d["shown"] else None
            d["tie"], d["deleted"] = bool(d["tie"]), bool(d["deleted"])
        return out

    # -- JSONL ------------------------------------------------------------------------------
    def import_jsonl(self, path: str | Path, judge: str | None = None, strict: bool = False) -> dict:
        """Import preference pairs (formats: module docstring) as `pair` judgements, all or nothing.

        judge: every line's judge; None takes each line's "judge" field, else "import".
        Bad lines are reported as "file:line: reason" under "skipped"; strict=True raises DojoError
        at the first one and imports nothing. Prompts and answers are found by text, and a pair a
        judge has already given for a prompt (kept or deleted) is not added again: importing a file
        twice, or an export back into its own store, adds nothing ("duplicates" counts them), while
        a pair repeated within one file is kept as often as it is repeated.

        The file is read line by line (a line longer than MAX_LINE_BYTES is a bad line) and written
        in transactions of IMPORT_CHUNK lines, so other writers (a training run logging metrics)
        wait a moment at most; its judgements stay invisible (deleted = 2) until the last one is in,
        then one statement shows them all. A failed or killed import leaves nothing visible; what
        it wrote is removed by the next import.
        """
        from engine.io.locks import FileLock

        path = Path(path)
        regular_file(path)
        result = {"file": str(path), "imported": 0, "duplicates": 0, "skipped": []}
        with self._write() as c:
            import_id = c.execute(
                "INSERT INTO imports (file, started) VALUES (?, ?)", (str(path), time.time())
            ).lastrowid
        lock = None if str(self.path) == ":memory:" else FileLock(self.path.parent / f".import-{import_id}.lock")
        if lock is not None:
            lock.try_acquire()
        try:
            self._drop_abandoned_imports(import_id)
            before: dict[tuple[int, str], Counter] = {}  # pairs each (prompt, judge) had before this import
            seen: Counter = Counter()
            lines = read_lines(path)
            while True:
                chunk = list(itertools.islice(lines, IMPORT_CHUNK))
                if not chunk:
                    break
                with self._write() as c:
                    for n, raw in chunk:
                        self._import_line(c, path, n, raw, judge, strict, import_id, before, seen, result)
            with self._write() as c:  # one short statement makes the whole file visible
                c.execute("UPDATE judgements SET deleted = 0 WHERE import_id = ? AND deleted = 2", (import_id,))
                c.execute("UPDATE imports SET finished = ? WHERE id = ?", (time.time(), import_id))
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                with self._write() as c:
                    c.execute("DELETE FROM judgements WHERE import_id = ? AND deleted = 2", (import_id,))
                    c.execute("UPDATE imports SET finished = -1 WHERE id = ?", (import_id,))
            raise
        finally:
            if lock is not None:
                lock.release()
                lock.path.unlink(missing_ok=True)
        return result

    def _import_line(
        self,
        c,
        path: Path,
        n: int,
        raw: bytes | None,
        judge,
        strict: bool,
        import_id: int,
        before: dict,
        seen: Counter,
        result: dict,
    ) -> None:
        if raw is not None and not raw.strip():
            return
        where = f"{path}:{n}"
        c.execute("SAVEPOINT line")  # a line that fails half-way leaves nothing behind
        try:
            if raw is None:
                raise BadLine(f"longer than {MAX_LINE_BYTES // 2**20} MB (no line break)")
            text, msgs, chosen, rejected, line_judge, line_id = parse_line(raw, n == 1)
            jdg = judge or line_judge or "import"
            pid = self._prompt(text, msgs, where)
        except (BadLine, DojoError) as e:
            c.execute("ROLLBACK TO line")
            c.execute("RELEASE line")
            if strict:
                raise DojoError(f"{where}: {e}") from None
            result["skipped"].append(f"{where}: {e}")
            return
        if (pid, jdg) not in before:
            before[(pid, jdg)] = self._given_pairs(pid, jdg)
        seen[(pid, jdg, chosen, rejected)] += 1
        if seen[(pid, jdg, chosen, rejected)] <= before[(pid, jdg)][(chosen, rejected)]:
            result["duplicates"] += 1
        else:
            ids = [self._imported_response(pid, t, where) for t in (chosen, rejected)]
            src = where + (f" id={line_id}" if line_id is not None else "")
            self._judgement(pid, "pair", jdg, ranking=ids, source=src, import_id=import_id)
            result["imported"] += 1
        c.execute("RELEASE line")

    def _drop_abandoned_imports(self, current: int) -> None:
        """Remove what imports killed mid-way wrote (their lock is free): invisible, but in the way."""
        from engine.io.locks import FileLock

        for (iid,) in self.conn.execute(
            "SELECT id FROM imports WHERE finished IS NULL AND id != ?", (current,)
        ).fetchall():
            probe = FileLock(self.path.parent / f".import-{iid}.lock")
            if str(self.path) != ":memory:" and probe.path.exists() and not probe.try_acquire():
                continue  # still running in another process
            probe.release()
            with self._write() as c:
                c.execute("DELETE FROM judgements WHERE import_id = ? AND deleted = 2", (iid,))
                c.execute("UPDATE imports SET finished = -1 WHERE id = ?", (iid,))
            probe.path.unlink(missing_ok=True)

    def _given_pairs(self, prompt_id: int, judge: str) -> Counter:
        """(chosen text, rejected text) -> how often `judge` said so for this prompt, deleted or not."""
        texts = dict(self.conn.execute("SELECT id, text FROM responses WHERE prompt_id = ?", (prompt_id,)))
        out: Counter = Counter()
        for (ranking,) in self.conn.execute(
            "SELECT ranking FROM judgements WHERE prompt_id = ? AND judge = ? AND "
            "kind IN ('ranking', 'pair') AND tie = 0 AND deleted < 2",
            (prompt_id, judge),
        ):
            ids = json.loads(ranking)
            out.update((texts[ids[a]], texts[ids[b]]) for a in range(len(ids)) for b in range(a + 1, len(ids)))
        return out

    def export_jsonl(self, path: str | Path, judge: str | None = None) -> int:
        """Write every pair (ties left out) as one JSON line, atomically; returns how many."""
        lines = []
        for p in self.pairs(judge):
            row = {"id": f"j{p['judgement_id']}-{p['chosen_id']}-{p['rejected_id']}", "prompt": p["prompt"]}
            if p["messages"]:
                row["messages"] = p["messages"]
            row |= {"chosen": p["chosen"], "rejected": p["rejected"], "judge": p["judge"]}
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        try:
            atomic_write_text(path, "".join(lines))
        except OSError as e:
            raise DojoError(f"cannot write {path}: {e.strerror}") from None
        return len(lines)

    def import_demo(self, ws: Workspace) -> dict:
        """Import the demo world's pairs (WS/data/prefs/train.jsonl) with judge "demo"."""
        path = ws.data_dir / "prefs" / "train.jsonl"
        if not path.is_file():
            raise DojoError(f"no demo preference pairs at {path} (create a demo workspace: lmdojo-cli init DIR --demo)")
        return self.import_jsonl(path, judge="demo")

    # -- backup and restore ---------------------------------------------------------------------
    def backup(self, dest: str | Path, force: bool = False) -> Path:
        """A copy of the whole workspace database (engine.io.store.backup)."""
        return backup(self.conn, self.path, dest, force)

    def close_lock(self) -> None:
        if self._wslock is not None:
            self._wslock.release()
            self._wslock = None

    def response_runs(self, ids) -> dict[int, str | None]:
        """Response id -> the run that generated it (None when imported); unknown ids are absent."""
        return self._responses_column(ids, "run_id")


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(judgements)")}


def _shown(shown, ids: list[int] | None) -> list[int] | None:
    """The shown order checked: distinct integers, and for a ranking or pair the judged answers exactly."""
    if shown is None:
        return None
    shown = list(shown)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in shown) or len(set(shown)) != len(shown):
        raise DojoError(f"shown must list distinct response ids, got {shown}")
    if ids is not None and sorted(shown) != sorted(ids):
        raise DojoError(f"shown {shown} must hold the judged responses {sorted(ids)}, each once")
    return shown
