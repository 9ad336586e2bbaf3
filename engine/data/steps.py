"""The cleaning pipeline's building blocks (datatrove style): a document, and a step.

A step has a name, a config, and one job: look at a document and either keep it (possibly
rewritten) or drop it with a reason. The pipeline counts, per step, what went in, what came
out, and why the rest was dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Doc:
    id: str
    text: str
    metadata: dict = field(default_factory=dict)  # metadata["source"] = "path:line" it came from


class Step:
    """Base class. Subclasses set `name` and implement `apply`."""

    name = "step"

    def apply(self, doc: Doc) -> str | None:
        """Keep `doc` (return None; `doc.text` may be rewritten in place) or drop it (return a short
        reason such as "too_short" or "near_duplicate")."""
        raise NotImplementedError

    def close(self) -> dict:
        """Called once at the end; returns extra report data (e.g. duplicate clusters)."""
        return {}
