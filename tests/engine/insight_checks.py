"""Driving `lmdojo-cli insight NAME WS --set k=v … --json` from a test."""

from __future__ import annotations

import json


def insight_cli(name: str, ws, capsys, sets: dict | None = None) -> tuple[int, dict | str]:
    """(exit code, the JSON object when it succeeded, else what it wrote to stderr)."""
    from engine.cli import main

    args = ["insight", name, str(ws.root), "--json", "--quiet"]
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={value}"]
    capsys.readouterr()  # what came before is not this command's
    rc = main(args)
    out = capsys.readouterr()
    return rc, (json.loads(out.out.strip().splitlines()[-1]) if rc == 0 else out.err)
