"""What every lab's test checks of its report: the PNGs report.md links exist and are PNGs, and the
Traditional Chinese report beside it says the same in Chinese (no English sentence left over)."""

from __future__ import annotations

import re
from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n"
CJK = re.compile(r"[\u3400-\u9fff]")
WORDS = re.compile(r"[A-Za-z]{2,}(?:[\s,;:'’-]+[A-Za-z]{2,}){3,}")  # four English words in a row


def _pngs(report: Path) -> list[str]:
    names = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", report.read_text(encoding="utf-8"))
    for name in names:
        assert (report.parent / name).read_bytes()[:8] == PNG, name
    return names


def _prose(line: str) -> str:
    """A report line without what stays English in both languages: code, links' targets, JSON."""
    line = re.sub(r"`[^`]*`", "", line)
    line = re.sub(r"\]\([^)]*\)", "]", line)
    return line


def untranslated(report: Path) -> list[str]:
    """Lines of report.zh_TW.md that still read as English: a line that is the same in report.md, or
    holds four English words in a row and no Chinese, outside code blocks and code spans."""
    en = set(report.read_text(encoding="utf-8").splitlines())
    zh = report.with_name("report.zh_TW.md").read_text(encoding="utf-8").splitlines()
    bad, code = [], False
    for line in zh:
        if line.startswith("```"):
            code = not code
            continue
        text = _prose(line)
        if code or not WORDS.search(text):
            continue
        if line in en or not CJK.search(text):
            bad.append(line)
    return bad


def linked_pngs(report: Path) -> list[str]:
    """The PNG files report.md links (in order), each checked to exist with the PNG signature; the
    Chinese report is checked the same way, to link as many plots and to be translated."""
    names = _pngs(report)
    zh = report.with_name("report.zh_TW.md")
    assert zh.is_file(), f"no {zh.name} beside {report}"
    assert len(_pngs(zh)) == len(names)
    left = untranslated(report)
    assert not left, "English left in the Chinese report:\n" + "\n".join(left[:10])
    return names


def lab_cli(name: str, ws, capsys) -> tuple[dict, Path]:
    """`lmdojo-cli lab NAME WS --smallest --json`: (its JSON, the report's path), checked to be done."""
    import json

    from engine.cli import main

    assert main(["lab", name, str(ws.root), "--smallest", "--json", "--quiet"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["status"] == "done"
    return r, Path(r["report"])
