"""A named set of modules of one kind, each with the same face: the labs (engine/labs) and the
insights (engine/insight).

Each module has
* `TITLE` and `ABOUT` (one paragraph: what it answers or reproduces, how to read its numbers),
* `Config`, a dataclass of knobs (engine.config.knob) with sensible defaults, and optionally
  `SMALLEST`, the knob values a test runs in seconds,
* `run(ws, cfg, control)`: a generator of events (Log, Progress, …) ending in
  Finished("done", result), `result` a JSON-able dict of its numbers,
* optionally `summary(result) -> str`, the few lines the CLI prints without --json.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Iterator

from engine.config import build_config
from engine.errors import DojoError


class Registry(dict):
    """name -> module path, in the order the app lists them."""

    def __init__(self, kind: str, modules: dict[str, str]):
        super().__init__(modules)
        self.kind = kind

    def module(self, name: str) -> ModuleType:
        if name not in self:
            raise DojoError(f"no {self.kind} {name!r}; the {self.kind}s are {', '.join(self)}")
        return importlib.import_module(self[name])

    def make_config(self, name: str, toml: dict | None = None, sets: dict | None = None, smallest: bool = False):
        """Its config: defaults < SMALLEST (with `smallest`) < TOML < --set; bad keys and values named."""
        mod = self.module(name)
        merged = {**(mod.SMALLEST if smallest else {}), **(sets or {})}
        return build_config(mod.Config, toml, merged, toml_name=f"{self.kind} {name}")

    def run(self, name: str, ws, cfg=None, control=None) -> Iterator:
        return self.module(name).run(ws, cfg if cfg is not None else self.make_config(name), control)

    def summary(self, name: str, result: dict) -> str:
        """What the CLI prints without --json: the module's own summary, else its scalar numbers."""
        mod = self.module(name)
        if hasattr(mod, "summary"):
            return mod.summary(result)
        return "\n".join(f"{k}: {v}" for k, v in result.items() if isinstance(v, (int, float, str, bool)))
