"""Errors a user can act on. The CLI prints them as one line and exits with code 2."""


class DojoError(Exception):
    """Bad input or state the user can fix: the message names the file, field or value."""


class ConfigError(DojoError):
    pass


class CheckpointError(DojoError):
    """A checkpoint is damaged, incomplete or does not match the model/tokenizer."""


class TrainingError(Exception):
    """Training could not go on (diverged, out of memory with nothing left to shrink)."""
