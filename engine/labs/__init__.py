"""Labs: famous results of how language models are made, reproduced at toy scale on this machine.

Each lab is a module in this package with the face engine/registry.py describes: `TITLE`,
`ABOUT` (what was found, what the lab does, how to read its plots), `Config` (defaults that fit
the time budget stated in the README), `SMALLEST` (settings a test runs in seconds) and
`run(ws, cfg, control)`, ending in Finished("done", {"report": path of report.md, …its main numbers}).
The report (Markdown + PNG plots, `engine/labs/report.py`) goes into WS/labs/NAME-TIMESTAMP/.

    for event in labs.run("chinchilla", ws, labs.make_config("chinchilla", sets={"budget_minutes": 2})): ...
"""

from __future__ import annotations

from engine.registry import Registry

LABS = Registry(
    "lab",
    {
        "chinchilla": "engine.labs.chinchilla",
        "knowledge": "engine.labs.knowledge",
        "sft-categories": "engine.labs.sft_categories",
        "calibration": "engine.labs.calibration",
        "spikes": "engine.labs.spikes",
        "decoding": "engine.labs.decoding",
        "emergence": "engine.labs.emergence",
        "moe": "engine.labs.moe",
    },
)
module, make_config, run = LABS.module, LABS.make_config, LABS.run
