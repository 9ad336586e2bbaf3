"""lmdojo-cli, the headless face of the engine: `python -m engine.cli VERB WS …` or `lmdojo-cli VERB WS …`.
The parser and main() are in __main__.py, what every verb shares in common.py, and each verb in the
module of its group (see __main__.py)."""


def main(argv: list[str] | None = None) -> int:
    from engine.cli.__main__ import main as run

    return run(argv)
