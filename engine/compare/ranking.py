"""Ranking answers side by side, the judging half of the compare view, without a window.

A round starts when the runs to ask are chosen (`begin`); blind, their answers are shuffled onto
the display slots and the runs' names stay hidden until the person has ranked. Once
side_by_side has stored the answers (`answered`), the person ranks them key by key (`pick`: the
last one left needs no key), as a pair or a tie (`choose`), or as a whole order (`save`), or gives
one answer a thumb (`thumb`). Each judgement goes into the preference store at once, with the
order the answers were shown in (for position bias); a followed queue moves on with each ranking,
and `undo` takes back the latest judgement (and that step of the queue).

Slots are the answers' places on screen, left to right; columns are the answers in the order
they were asked for (side_by_side's Token.column and result["answers"]).
"""

from __future__ import annotations

import getpass
import random

from engine.compare.arena import Queue, Queues
from engine.io.workspace import Workspace
from engine.rlhf.prefs import PrefStore


def person_judge() -> str:
    """Who judges here: "human:<login name>" (the store keeps who said what)."""
    try:
        return f"human:{getpass.getuser()}"
    except Exception:  # no login name in this environment (getpass raises OSError or KeyError)
        return "human"


class RankingSession:
    """One person judging in one workspace: the current round, the queue followed, what undo takes back."""

    def __init__(self, ws: Workspace, judge: str | None = None, rng: random.Random | None = None):
        self.ws = ws
        self.judge = judge if judge is not None else person_judge()
        self.rng = rng if rng is not None else random.Random()
        self.queue: Queue | None = None  # the labelling queue followed, if any
        self.undo_stack: list[tuple[str, int]] = []  # ("judgement", id) or ("queue", id), newest last
        self._prefs: PrefStore | None = None
        # the round
        self.refs: list[str] = []  # the run of each column
        self.slot_column: list[int] = []  # slot -> column (shuffled when blind)
        self.blind = False
        self.result: dict | None = None  # side_by_side's result: the stored prompt and answers
        self.order: list[int] = []  # slots picked so far, best first; once saved, the saved order
        self.ranked = False
        self.revealed = False  # the runs' names shown (once ranked, they stay shown)

    @property
    def prefs(self) -> PrefStore:
        """The workspace's preference store, opened once and kept open (opening checks the whole file)."""
        if self._prefs is None:
            self._prefs = PrefStore(self.ws.db_path)
        return self._prefs

    def close(self) -> None:
        if self._prefs is not None:
            self._prefs.close()
            self._prefs = None

    # -- the round --------------------------------------------------------------------------
    def begin(self, refs: list[str], blind: bool) -> None:
        """A new round: `refs` answer column by column; blind, they land on shuffled slots."""
        self.refs = list(refs)
        self.slot_column = list(range(len(refs)))
        if blind:
            self.rng.shuffle(self.slot_column)
        self.blind = blind
        self.result, self.order, self.ranked, self.revealed = None, [], False, False

    def answered(self, result: dict) -> None:
        """The answers are in the store (side_by_side's result): they can be judged now."""
        self.result = result

    @property
    def hidden(self) -> bool:
        """Whether the slots' runs must not be named."""
        return self.blind and not self.revealed

    @property
    def can_rank(self) -> bool:
        return self.result is not None and not self.ranked

    @property
    def complete(self) -> bool:
        """Every slot picked: the order can be saved."""
        return bool(self.slot_column) and len(self.order) == len(self.slot_column)

    def slot_of(self, column: int) -> int:
        return self.slot_column.index(column)

    def run_of(self, slot: int) -> str:
        return self.refs[self.slot_column[slot]]

    def answer(self, slot: int) -> dict:
        return self.result["answers"][self.slot_column[slot]]

    def response_id(self, slot: int) -> int:
        return self.answer(slot)["response_id"]

    def shown(self) -> list[int]:
        """The answers' response ids in the order the judge sees them, left to right."""
        return [self.response_id(s) for s in range(len(self.slot_column))]

    # -- judging ----------------------------------------------------------------------------
    def pick(self, slot: int) -> bool:
        """`slot` is the next best answer; when one is left it goes last (see `complete`). False
        when the pick does not count (nothing to rank, already ranked, no such slot, picked before)."""
        if not self.can_rank or slot >= len(self.slot_column) or slot in self.order:
            return False
        self.order.append(slot)
        if len(self.order) == len(self.slot_column) - 1:
            self.order += [s for s in range(len(self.slot_column)) if s not in self.order]
        return True

    def choose(self, slot: int | None) -> int | None:
        """Of two answers: `slot` is better, or None for a tie. The judgement's id; None when there
        are not two answers waiting to be ranked."""
        if not self.can_rank or len(self.slot_column) != 2:
            return None
        if slot is None:
            return self.save([0, 1], tie=True)
        return self.save([slot, 1 - slot])

    def save(self, order: list[int], tie: bool = False) -> int:
        """Store the ranking of the slots in `order`, best first (two answers: a pair, or a tie),
        and move the queue on; the judgement's id."""
        ids = [self.response_id(s) for s in order]
        prompt_id = self.result["prompt_id"]
        if len(ids) == 2:
            jid = self.prefs.choose(prompt_id, ids[0], ids[1], self.judge, tie=tie, shown=self.shown())
        else:
            jid = self.prefs.rank(prompt_id, ids, self.judge, shown=self.shown())
        self.undo_stack.append(("judgement", jid))
        self.order = list(order)
        self.ranked = self.revealed = True
        if self.queue is not None:
            with Queues(self.ws) as queues:
                self.queue = queues.move(self.queue.id, 1)
            self.undo_stack.append(("queue", self.queue.id))
        return jid

    def thumb(self, slot: int, up: bool) -> int | None:
        """A thumb up or down for one answer, stored with the answers beside it; None before there are answers."""
        if self.result is None:
            return None
        jid = self.prefs.thumb(self.response_id(slot), up, self.judge, shown=self.shown())
        self.undo_stack.append(("judgement", jid))
        return jid

    def undo(self) -> int | None:
        """Delete the latest judgement (the store keeps it, marked deleted) and step its queue back;
        the round can be ranked again. The judgement's id; None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        kind, ident = self.undo_stack.pop()
        if kind == "queue":
            with Queues(self.ws) as queues:
                self.queue = queues.move(ident, -1)
            kind, ident = self.undo_stack.pop()
        self.prefs.delete_judgement(ident)
        self.ranked, self.order = False, []
        return ident
