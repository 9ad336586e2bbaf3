"""Labs: famous results of how language models are made, reproduced at toy scale on this machine.

Each lab is a module in this package with
* `TITLE` and `ABOUT` (one paragraph: what was found, what the lab does, how to read its plots),
* `Config`, a dataclass of knobs whose defaults fit the time budget stated in the README, and
  `SMALLEST`, the settings (a dict of knob values) a test runs in seconds,
* `run(ws, cfg, control)`: a generator of events like every stage (Log, Progress, …) ending in
  Finished("done", {"report": path of report.md, …the lab's main numbers}).
The report (Markdown + PNG plots, `engine/labs/report.py`) goes into WS/labs/NAME-TIMESTAMP/.

    for event in labs.run("chinchilla", ws, labs.make_config("chinchilla", sets={"budget_minutes": 2})): ...
"""
from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Iterator

from engine.config import build_config
from engine.errors import DojoError

LABS = {
    "chinchilla": "engine.labs.chinchilla",
    "knowledge": "engine.labs.knowledge",
    "sft-categories": "engine.labs.sft_categories",
    "calibration": "engine.labs.calibration",
    "spikes": "engine.labs.spikes",
    "decoding": "engine.labs.decoding",
}


def available() -> list[str]:
    """The labs whose module exists, in the order above."""
    return [name for name, mod in LABS.items() if importlib.util.find_spec(mod) is not None]


def module(name: str) -> ModuleType:
    if name not in LABS:
        raise DojoError(f"no lab {name!r}; the labs are {', '.join(LABS)}")
    try:
        return importlib.import_module(LABS[name])
    except ModuleNotFoundError as e:
        if e.name == LABS[name]:
            raise DojoError(f"lab {name!r} is not built yet") from None
        raise


def make_config(name: str, toml: dict | None = None, sets: dict | None = None, smallest: bool = False):
    """The lab's config: defaults < SMALLEST (for tests) < TOML < --set; bad keys named."""
    mod = module(name)
    merged = {**(mod.SMALLEST if smallest else {}), **(sets or {})}
    return build_config(mod.Config, toml, merged, toml_name=f"lab {name}")


def run(name: str, ws, cfg=None, control=None) -> Iterator:
    mod = module(name)
    return mod.run(ws, cfg if cfg is not None else make_config(name), control)
