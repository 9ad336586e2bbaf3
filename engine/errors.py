"""Errors a user can act on. The CLI prints them as one line and exits with code 2."""


class DojoError(Exception):
    """Bad input or state the user can fix: the message names the file, field or value."""


class ConfigError(DojoError):
    pass


class CheckpointError(DojoError):
    """A checkpoint is damaged, incomplete or does not match the model/tokenizer."""


class TrainingError(Exception):
    """Training could not go on (diverged, out of memory with nothing left to shrink)."""


def few(items: list, n: int = 3, brackets: bool = False) -> str:
    """The first `n` of `items` for a message that names them, and how many more there are;
    with `brackets`, as a Python list (weight names among other words read better that way)."""
    shown = str(list(items[:n])) if brackets else ", ".join(map(str, items[:n]))
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")
