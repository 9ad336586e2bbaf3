"""A lab that takes a second: the Labs page's tests run it (the real labs have their own tests)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import knob
from engine.events import Finished, Log, Progress
from engine.labs.report import Report, tr

TITLE = tr("A fake lab", "假的實驗")
ABOUT = "Plots a straight line."
SMALLEST = {"points": 3}


@dataclass
class Config:
    points: int = knob(10, "Points on the line.", min=2, max=1000)


def run(ws, cfg: Config, control=None):
    yield Log("drawing")
    rep = Report.create(ws, "fake", TITLE)
    xs = list(range(cfg.points))
    for i in xs:
        if control is not None and control.cancelled:
            yield Finished("cancelled", {})
            return
        yield Progress(i + 1, cfg.points, 0, 0.0, 0.0, None, unit="point")
    rep.text(tr(f"{cfg.points} points on a line.", f"一條線上的 {cfg.points} 個點。"))
    rep.plot("line", {"y = 2x": (xs, [2 * x for x in xs])}, xlabel="x", ylabel=tr("height", "高度"))
    path = rep.write({"points": cfg.points})
    yield Finished("done", {"report": str(path), "points": cfg.points})
