"""The plan of the house, checked: engine modules import each other without a cycle, none imports
a private name from another, the engine never imports Qt or gui, and one stage registry is what
the CLI, run status and cluster export read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in ENGINE.rglob("*.py"):
        parts = list(path.relative_to(ENGINE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _imports(path: Path):
    """(imported module, imported name or None) for every import in the file, in functions too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name, None) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield from ((node.module, a.name) for a in node.names)


def _edges() -> dict[str, set[str]]:
    def known(name: str) -> str | None:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        return name or None

    edges = {}
    for mod, path in MODULES.items():
        targets = set()
        for module, name in _imports(path):
            if module.split(".")[0] != "engine":
                continue
            full = f"{module}.{name}" if name else module
            targets.add(full if full in MODULES else known(module))
        edges[mod] = targets - {mod, None}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_engine_modules():
    assert _cycles(_edges()) == []


def test_no_module_imports_a_private_name_from_another():
    private = [
        f"{mod}: from {module} import {name}"
        for mod, path in MODULES.items()
        for module, name in _imports(path)
        if module.startswith("engine")
        and name
        and name.startswith("_")
        and module != mod
        and f"{module}.{name}" not in MODULES
    ]
    assert private == []


def test_the_engine_never_imports_qt_or_the_gui():
    bad = [
        f"{mod} imports {module}"
        for mod, path in MODULES.items()
        for module, _ in _imports(path)
        if module.split(".")[0] in ("gui", "PySide6", "pyqtgraph")
    ]
    assert bad == []


def test_every_stage_of_the_registry_is_a_module_with_run_and_make_config():
    from engine.train import JUDGED_STAGES, POLICY_STAGES, RL_STAGES, STAGES

    assert list(STAGES) == ["pretrain", "sft", "reward", "dpo", "kto", "grpo", "ppo"]
    for stage in STAGES.values():
        assert callable(stage.module.run) and callable(stage.module.make_config), stage.name
        assert stage.module.STAGE == stage.name
        assert stage.parent is None or list(STAGES).index(stage.parent) < list(STAGES).index(stage.name)
    assert RL_STAGES == ("dpo", "kto", "grpo", "ppo")
    assert POLICY_STAGES == ("pretrain", "sft", "dpo", "kto", "grpo", "ppo")
    assert JUDGED_STAGES == ("grpo", "ppo")


def test_the_cli_has_one_verb_per_registered_stage_with_the_flags_it_needs():
    from engine.cli.__main__ import build_parser
    from engine.train import STAGES

    p = build_parser()
    for name, stage in STAGES.items():
        args = p.parse_args([name, "WS", "--resume"])
        assert args.command == name and args.resume is True
        if stage.parent is not None:
            assert p.parse_args([name, "WS", "--from", "r1"]).base == "r1"
        else:
            with pytest.raises(SystemExit):
                p.parse_args([name, "WS", "--from", "r1"])


def test_run_status_and_cluster_export_read_the_registry(monkeypatch):
    from engine import train
    from engine.train import status

    assert status.stages_of_page("rlhf") == ("reward", "dpo", "kto", "grpo", "ppo")
    monkeypatch.setitem(train.STAGES, "rloo", train.Stage("rloo", "sft", "rlhf", True, True, "RLOO."))
    assert train.stages_of_page("rlhf")[-1] == "rloo"  # a new stage shows on its page with no other list to edit


def test_every_cli_verb_is_named_in_the_readme_with_its_module():
    """A verb's code is found from its name: README's CLI table names the module of each verb."""
    from engine.cli.__main__ import build_parser

    readme = (ENGINE.parent / "README.md").read_text(encoding="utf-8")
    verbs = build_parser()._subparsers._group_actions[0].choices
    table = [line for line in readme.splitlines() if line.startswith("| `lmdojo-cli ")]
    missing = []
    for verb, sub in verbs.items():
        module = Path(__import__(sub.get_default("fn").__module__, fromlist=["x"]).__file__)
        rel = module.relative_to(ENGINE.parent).as_posix()
        if not any(line.startswith(f"| `lmdojo-cli {verb} ") and rel in line for line in table):
            missing.append(f"{verb} ({rel})")
    assert missing == []


def test_where_things_live_names_every_engine_module():
    """README's map of the engine is complete: a newcomer finds every module in it."""
    import re

    readme = (ENGINE.parent / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Where things live") :]
    block = block[: block.index("\n## ", 1)]
    absent = [
        mod
        for mod, path in MODULES.items()
        if path.stem != "__init__" and not re.search(rf"\b{re.escape(path.stem)}(\.py)?\b", block)
    ]
    assert absent == []
