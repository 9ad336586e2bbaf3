"""Side by side: checkpoints answer token by token, the answers land in the preference store with
their run ids; a stop keeps what was written; text never shows half a character; queues resume."""

import pytest

from engine import checkpoint as ckpt
from engine.compare.arena import Column, Queues, Token, contenders, side_by_side
from engine.errors import DojoError
from engine.events import Control, Finished
from engine.generate import SamplingConfig, chat
from engine.rlhf.prefs import PrefStore
from engine.tokenizer import TextStream, load_tokenizer
from tests.conftest import run_events

Q = [{"role": "user", "content": "Where was Mara Quinn born?"}]
GREEDY = SamplingConfig(greedy=True, max_new_tokens=12)


def test_contenders_are_the_runs_with_checkpoints_and_their_lineage(sft_ws):
    ws, r = sft_ws
    found = {c["stage"]: c for c in contenders(ws)}
    assert set(found) == {"pretrain", "sft"}
    assert found["sft"]["run"] == r["run"] and found["sft"]["lineage"].startswith(found["pretrain"]["run"] + " @ step ")
    assert found["pretrain"]["lineage"] == "scratch"


def test_two_checkpoints_answer_side_by_side_into_the_store(sft_ws):
    ws, r = sft_ws
    pre = next(c["run"] for c in contenders(ws) if c["stage"] == "pretrain")
    events = run_events(side_by_side(ws, [Column(pre, GREEDY), Column(r["run"], GREEDY)], Q))
    tokens = [e for e in events if isinstance(e, Token)]
    assert {t.column for t in tokens} == {0, 1}
    first_two = [t.column for t in tokens[:2]]
    assert first_two == [0, 1]  # the columns take turns: both grow on screen together
    assert all(0 < t.prob <= 1 and len(t.top) == 5 and t.top[0][1] >= t.top[-1][1] for t in tokens)
    fin = events[-1]
    assert isinstance(fin, Finished) and fin.status == "done"
    answers = fin.result["answers"]
    tok = load_tokenizer(ws.tokenizer_path)
    for a, run in zip(answers, (pre, r["run"])):
        streamed = "".join(t.text for t in tokens if t.column == a["column"])
        assert a["run"] == run and streamed.strip() == a["text"]
        model, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, run))
        assert a["text"] == chat(model, tok, Q, GREEDY).text.strip()  # the same answer as the chat command
    with PrefStore(ws.db_path) as prefs:
        stored = prefs.conn.execute("SELECT id, run_id, text, prompt_id FROM responses ORDER BY id").fetchall()
    assert [(s[0], s[1], s[2]) for s in stored] == [(a["response_id"], a["run"], a["text"]) for a in answers]
    assert {s[3] for s in stored} == {fin.result["prompt_id"]}


def test_a_stop_keeps_what_was_written(sft_ws):
    ws, r = sft_ws
    control = Control()
    seen = []
    for ev in side_by_side(
        ws, [Column(r["run"], replace_tokens(40)), Column(r["run"], replace_tokens(40, seed=1))], Q, control
    ):
        seen.append(ev)
        if sum(isinstance(e, Token) for e in seen) == 4:
            control.cancel()
    fin = seen[-1]
    assert fin.status == "cancelled" and all(a["tokens"] <= 3 for a in fin.result["answers"])
    with PrefStore(ws.db_path) as prefs:
        assert prefs.counts()["responses"] == 2  # kept, marked as stopped


def replace_tokens(n, seed=0):
    return SamplingConfig(temperature=1.0, top_k=0, max_new_tokens=n, seed=seed)


def test_text_is_released_only_in_whole_characters(ws):
    tok = load_tokenizer(ws.tokenizer_path)
    text = "賴靜宜的職業是記者。🦊 ok"
    stream = TextStream(tok)
    pieces = [stream.add(i) for i in tok.encode(text, add_special_tokens=False).ids]
    assert "".join(pieces) == text and not any("\ufffd" in p for p in pieces)
    assert "" in pieces  # some tokens hold only part of a character (the emoji at least)


def test_bad_requests_are_refused(sft_ws):
    ws, r = sft_ws
    with pytest.raises(DojoError, match="1 to 4"):
        list(side_by_side(ws, [Column(r["run"])] * 5, Q))
    with pytest.raises(DojoError, match="type a prompt"):
        list(side_by_side(ws, [Column(r["run"])], [{"role": "user", "content": "  "}]))
    with pytest.raises(DojoError):
        list(side_by_side(ws, [Column("no-such-run")], Q))


def test_a_queue_remembers_how_far_it_got(sft_ws):
    ws, r = sft_ws
    prompts = [Q, [{"role": "user", "content": "你好！"}], [{"role": "user", "content": "Who are you?"}]]
    with Queues(ws) as queues:
        q = queues.create("evening", prompts, [r["run"]], samples=2, decoding=GREEDY)
        cols = q.columns()
        assert [c.ref for c in cols] == [r["run"]] * 2 and cols[0].decoding.seed != cols[1].decoding.seed
        queues.move(q.id)
        with pytest.raises(DojoError, match="two answers"):
            queues.create("one", prompts, [r["run"]], samples=1)
    with Queues(ws) as queues:  # another day
        (again,) = queues.list()
        assert again.position == 1 and again.current() == prompts[1] and not again.done
        assert queues.move(q.id, by=5).done and queues.move(q.id, by=-1).current() == prompts[2]


def test_cli_compare_stores_the_answers_and_names_bad_input(sft_ws, capsys):
    import json

    from engine.cli import main

    ws, r = sft_ws
    pre = next(c["run"] for c in contenders(ws) if c["stage"] == "pretrain")
    assert (
        main(
            [
                "compare",
                str(ws.root),
                "--run",
                pre,
                "--run",
                r["run"],
                "--prompt",
                "Who are you?",
                "--greedy",
                "--max-new-tokens",
                "6",
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [a["run"] for a in out["answers"]] == [pre, r["run"]] and out["status"] == "done"
    with PrefStore(ws.db_path) as prefs:
        assert prefs.response_runs([a["response_id"] for a in out["answers"]]) == {
            a["response_id"]: a["run"] for a in out["answers"]
        }
    assert main(["compare", str(ws.root), "--run", pre, "--prompt", "Hi", "--temperature", "9", "--quiet"]) == 2
    assert "temperature" in capsys.readouterr().err
