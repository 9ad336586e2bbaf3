"""Insights: answers to "is my training going right?", computed from what the engine records.

Each insight is a module in this package with the face engine/registry.py describes: `TITLE`,
`ABOUT` (the question it answers and how to read the numbers), `Config`, `run(ws, cfg, control)`
ending in Finished("done", its numbers) and optionally `summary(result)`. Pure functions (the fits, the alarms, the masks) sit beside `run` so tests check them on their own.

    for event in insight.run("probe", ws, insight.make_config("probe", sets={"docs": "50"})): ...
    lmdojo-cli insight probe WS --set docs=50 --json
"""

from __future__ import annotations

from engine.registry import Registry

INSIGHTS = Registry(
    "insight",
    {
        "bands": "engine.insight.bands",  # reference bands behind the loss curve
        "template": "engine.insight.template",  # chat-template and loss-mask inspector
        "reward": "engine.insight.reward",  # reward-model diagnostics
        "tax": "engine.insight.tax",  # alignment tax per stage
        "timeline": "engine.insight.timeline",  # every checkpoint answers the same prompts
        "probe": "engine.insight.probe",  # memorisation and contamination
    },
)
module, make_config, run, summary = INSIGHTS.module, INSIGHTS.make_config, INSIGHTS.run, INSIGHTS.summary
