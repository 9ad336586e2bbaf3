"""What a job reports while it runs, and how a caller steers it.

A stage is a generator of these events; the CLI prints them, the GUI re-emits them as Qt
signals, tests collect them. `Control` is how a caller pauses, resumes or cancels a job
from another thread; the job checks it between steps.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Progress:
    step: int
    total_steps: int | None  # None when only a time budget is set
    tokens: int
    tokens_per_s: float
    elapsed_s: float
    eta_s: float | None
    unit: str = "step"  # what `step` counts: step, docs, …

    @classmethod
    def of(cls, done: int, total: int, start: float, unit: str) -> Progress:
        """`done` of `total` items since `start` (time.monotonic()), the rate and ETA in items."""
        elapsed = time.monotonic() - start
        return cls(done, total, done, done / max(elapsed, 1e-9), elapsed, elapsed / max(done, 1) * (total - done), unit)


@dataclass
class Phase:
    """What a job does between steps, for a status line: validating, answering the evaluation prompts
    (`done` of `total`), saving a checkpoint, measuring the starting model. Nothing is logged."""

    what: str  # validating | answering | saving | measuring
    done: int = 0
    total: int = 0


@dataclass
class Metrics:
    step: int
    values: dict[str, float]  # flat, slash keys: train/loss, val/loss, val/bpb, lr ...


@dataclass
class Sample:
    step: int
    prompt: str
    text: str  # the continuation only


@dataclass
class Checkpoint:
    step: int
    path: str
    best: bool = False


@dataclass
class Log:
    message: str
    level: str = "info"  # info | warning


@dataclass
class Finished:
    status: str  # done | cancelled
    result: dict = field(default_factory=dict)


class Control:
    """Thread-safe pause / resume / cancel, checked by a job between steps."""

    def __init__(self):
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def cancel(self):
        self._cancel.set()
        self._running.set()  # a paused job must wake up to notice

    def pause(self):
        self._running.clear()

    def resume(self):
        self._running.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def should_stop(self) -> bool:
        """For a job's loop, between items: wait while paused, then say whether it was cancelled."""
        self.wait_while_paused()
        return self.cancelled

    def wait_while_paused(self, poll_s: float = 0.1) -> None:
        while not self._running.wait(poll_s):
            pass
