"""Insights: answers to "is my training going right?", computed from what the engine records.

Each insight is a module in this package with
* `TITLE` and `ABOUT` (one paragraph: the question it answers and how to read the numbers),
* `Options`, a dataclass of knobs (engine.config.knob) with sensible defaults,
* `run(ws, opts, control)`: a generator of events (Log, Progress) ending in
  Finished("done", result) where `result` is a JSON-able dict of the insight's numbers,
* optionally `summary(result) -> str`, the few lines the CLI prints without --json.
Pure functions (the fits, the alarms, the masks) sit beside `run` so tests check them on their own.

    for event in insight.run("probe", ws, insight.make_options("probe", sets={"docs": "50"})): ...
    lmdojo-cli insight probe WS --set docs=50 --json
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Iterator

from engine.config import build_config
from engine.errors import DojoError

INSIGHTS = {
    "bands": "engine.insight.bands",        # reference bands behind the loss curve
    "template": "engine.insight.template",  # chat-template and loss-mask inspector
    "reward": "engine.insight.reward",      # reward-model diagnostics
    "tax": "engine.insight.tax",            # alignment tax per stage
    "timeline": "engine.insight.timeline",  # every checkpoint answers the same prompts
    "probe": "engine.insight.probe",        # memorisation and contamination
}


def module(name: str) -> ModuleType:
    if name not in INSIGHTS:
        raise DojoError(f"no insight {name!r}; the insights are {', '.join(INSIGHTS)}")
    return importlib.import_module(INSIGHTS[name])


def make_options(name: str, toml: dict | None = None, sets: dict | None = None):
    """The insight's options: defaults < TOML < --set; bad keys and values named."""
    return build_config(module(name).Options, toml, sets, toml_name=f"insight {name}")


def run(name: str, ws, opts=None, control=None) -> Iterator:
    mod = module(name)
    return mod.run(ws, opts if opts is not None else make_options(name), control)


def summary(name: str, result: dict) -> str:
    """What the CLI prints without --json: the module's own summary, else its scalar numbers."""
    mod = module(name)
    if hasattr(mod, "summary"):
        return mod.summary(result)
    return "\n".join(f"{k}: {v}" for k, v in result.items() if isinstance(v, (int, float, str, bool)))
