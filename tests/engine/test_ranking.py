"""Blind ranking without a window: answers shuffled onto slots and named only once ranked; rankings,
pairs, ties and thumbs stored with the order they were shown in; undo; a queue moved on and back."""

import subprocess
import sys
from pathlib import Path

import pytest

from engine.compare.arena import Queues
from engine.compare.ranking import RankingSession
from engine.io.workspace import Workspace
from engine.rlhf.prefs import PrefStore

ROOT = Path(__file__).resolve().parents[2]
RUNS = ["pretrain-0001", "sft-0001", "dpo-0001"]


class Reverse:
    """A shuffle anyone can predict: the blind slots are the columns backwards."""

    def shuffle(self, items):
        items.reverse()


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


def _answers(ws, n, prompt="Where was Mara Quinn born?"):
    """What side_by_side would have stored and returned for the first `n` runs."""
    with PrefStore(ws.db_path) as prefs:
        pid = prefs.add_prompt(prompt, source="compare")
        answers = [
            {
                "column": k,
                "run": RUNS[k],
                "stage": RUNS[k].split("-")[0],
                "text": f"answer of {RUNS[k]}",
                "ended": True,
                "tokens": 3,
                "response_id": prefs.add_response(pid, f"answer of {RUNS[k]}", run_id=RUNS[k], source="compare"),
            }
            for k in range(n)
        ]
    return {"prompt_id": pid, "answers": answers}


def _round(ws, session, n, blind=True):
    session.begin(RUNS[:n], blind)
    result = _answers(ws, n)
    session.answered(result)
    return [a["response_id"] for a in result["answers"]]  # by column


def _run_of(prefs, response_id):
    return prefs.response_runs([response_id])[response_id]


def test_blind_slots_hide_the_runs_until_ranked_and_the_pair_is_stored_as_shown(ws):
    s = RankingSession(ws, judge="human:ann", rng=Reverse())
    s.begin(RUNS[:2], blind=True)
    assert s.slot_column == [1, 0] and s.hidden and not s.can_rank  # nothing to rank before the answers
    assert [s.run_of(k) for k in range(2)] == ["sft-0001", "pretrain-0001"]
    assert not s.pick(0) and s.choose(0) is None and s.thumb(0, True) is None
    result = _answers(ws, 2)
    s.answered(result)
    by_column = [a["response_id"] for a in result["answers"]]
    assert s.shown() == by_column[::-1] and s.response_id(0) == by_column[1]

    assert s.pick(1) and s.complete and s.order == [1, 0]  # of two, one key ranks both
    jid = s.save(s.order)
    assert s.ranked and not s.hidden and not s.can_rank and not s.pick(0)
    with PrefStore(ws.db_path) as prefs:
        (pair,) = prefs.pairs(include_ties=True)
        (judgement,) = prefs.list_judgements()
        # slot B (right) held column 0: the pretrained run's answer won
        assert (_run_of(prefs, pair["chosen_id"]), _run_of(prefs, pair["rejected_id"])) == ("pretrain-0001", "sft-0001")
    assert pair["judgement_id"] == jid and pair["judge"] == "human:ann" and not pair["tie"]
    assert judgement["kind"] == "pair" and judgement["shown"] == by_column[::-1]


def test_not_blind_the_slots_are_the_columns_and_the_runs_are_named(ws):
    s = RankingSession(ws, judge="human:ann", rng=Reverse())
    s.begin(RUNS, blind=False)
    assert s.slot_column == [0, 1, 2] and not s.hidden and s.run_of(2) == "dpo-0001"


def test_a_ranking_of_three_keys_in_order_and_the_last_goes_last(ws):
    s = RankingSession(ws, judge="human:ann", rng=Reverse())
    by_column = _round(ws, s, 3)  # slots A, B, C hold columns 2, 1, 0
    assert s.pick(2) and not s.complete and s.order == [2]
    assert not s.pick(2) and not s.pick(3)  # picked already; no fourth answer
    assert s.choose(0) is None  # the pair buttons are for two answers
    assert s.pick(0) and s.complete and s.order == [2, 0, 1]
    jid = s.save(s.order)
    with PrefStore(ws.db_path) as prefs:
        (judgement,) = prefs.list_judgements()
        pairs = prefs.pairs()
    assert judgement["id"] == jid and judgement["kind"] == "ranking"
    assert judgement["ranking"] == [by_column[0], by_column[2], by_column[1]]
    assert judgement["shown"] == by_column[::-1] and len(pairs) == 3


def test_a_tie_and_a_thumb(ws):
    s = RankingSession(ws, judge="human:bob", rng=Reverse())
    by_column = _round(ws, s, 2)
    thumb = s.thumb(1, up=False)  # before ranking: it does not rank
    assert s.can_rank
    tie = s.choose(None)
    assert s.order == [0, 1] and s.ranked and s.choose(1) is None
    with PrefStore(ws.db_path) as prefs:
        (pair,) = prefs.pairs(include_ties=True)
        (down,) = prefs.thumbs()
        shown = {j["id"]: j["shown"] for j in prefs.list_judgements()}
        assert prefs.pairs() == []  # a tie is no preference
    assert (
        pair["tie"]
        and pair["judgement_id"] == tie
        and (pair["chosen_id"], pair["rejected_id"]) == (by_column[1], by_column[0])
    )
    assert down == {**down, "response_id": by_column[0], "thumb": -1, "judge": "human:bob", "judgement_id": thumb}
    assert shown == {tie: by_column[::-1], thumb: by_column[::-1]}


def test_undo_deletes_the_latest_judgement_and_the_answers_can_be_ranked_again(ws):
    s = RankingSession(ws, judge="human:ann", rng=Reverse())
    assert s.undo() is None  # nothing to undo
    _round(ws, s, 2)
    first = s.choose(0)
    thumb = s.thumb(0, up=True)
    assert s.undo() == thumb
    assert s.undo() == first and s.can_rank and s.order == [] and not s.hidden  # the names stay shown
    with PrefStore(ws.db_path) as prefs:
        assert prefs.pairs(include_ties=True) == [] and prefs.thumbs() == []
        assert {j["id"]: j["deleted"] for j in prefs.list_judgements(include_deleted=True)} == {
            first: True,
            thumb: True,
        }
    again = s.choose(None)
    _round(ws, s, 2)  # a new prompt: the older judgement can still be taken back
    assert s.undo() == again and s.undo() is None
    with PrefStore(ws.db_path) as prefs:
        assert prefs.list_judgements() == []


def test_a_followed_queue_moves_on_with_each_ranking_and_back_on_undo(ws):
    prompts = [[{"role": "user", "content": t}] for t in ("Hello!", "Who are you?")]
    with Queues(ws) as queues:
        q = queues.create("evening", prompts, RUNS[:2])
    s = RankingSession(ws, judge="human:ann", rng=Reverse())
    s.queue = q
    _round(ws, s, 2)
    s.choose(1)
    thumb = s.thumb(0, up=True)  # a thumb does not move the queue
    assert s.queue.position == 1 and s.queue.current() == prompts[1]
    with Queues(ws) as queues:
        assert queues.get(q.id).position == 1  # another day, it is still there
    assert s.undo() == thumb and s.queue.position == 1
    s.undo()
    assert s.queue.position == 0 and s.can_rank
    with Queues(ws) as queues, PrefStore(ws.db_path) as prefs:
        assert queues.get(q.id).position == 0 and prefs.list_judgements() == []


def test_the_store_is_opened_once_and_closed(ws):
    s = RankingSession(ws, judge="human:ann")
    assert s.prefs is s.prefs and s.prefs.path == ws.db_path
    s.close()
    s.close()  # twice is harmless
    assert s.judge == "human:ann" and RankingSession(ws).judge.startswith("human")


def test_it_needs_neither_qt_nor_the_app():
    code = (
        "import sys, engine.compare.ranking; sys.exit(any(m.split('.')[0] in ('gui', 'PySide6') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
