"""What every lab's test checks of its report: the PNGs report.md links exist and are PNGs."""

from __future__ import annotations

import re
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n"


def linked_pngs(report: Path) -> list[str]:
    """The PNG files report.md links (in order), each checked to exist with the PNG signature."""
    names = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", report.read_text(encoding="utf-8"))
    for name in names:
        assert (report.parent / name).read_bytes()[:8] == PNG, name
    return names


def lab_cli(name: str, ws, capsys) -> tuple[dict, Path]:
    """`lmdojo-cli lab NAME WS --smallest --json`: (its JSON, the report's path), checked to be done."""
    import json

    from engine.cli import main

    assert main(["lab", name, str(ws.root), "--smallest", "--json", "--quiet"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["status"] == "done"
    return r, Path(r["report"])
