"""What every lmdojo-cli command shares: the exit-code rule, printing the result, progress lines,
Ctrl-C, and the arguments several commands take.

Exit codes, the same for every command:

    0    done
    1    failed: the work itself went wrong (a training error, a crash); one line on stderr
    2    bad input: a wrong flag, path, config value or device; one line naming it, nothing started
         or nothing lost
    130  cancelled: Ctrl-C (the first stops after the current step and keeps what was done, a
         second aborts); with --json the result still says "status": "cancelled"

130 is the shell's own code for a command stopped by Ctrl-C, so `lmdojo-cli tokenize WS &&
lmdojo-cli pretrain WS` stops at the first command that was cancelled.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time

from engine.errors import DojoError

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130
EXIT_CODES = {"done": EXIT_DONE, "failed": EXIT_FAILED, "cancelled": EXIT_CANCELLED}


def exit_code(status: str) -> int:
    """The exit code of a command whose work ended with `status` (a Finished event's)."""
    return EXIT_CODES[status]


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def seed_arg(text: str) -> int:
    """A --seed: an integer from 0 to 2^63 - 1 (what torch and numpy take)."""
    from engine.config import SEED_MAX

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2^63 - 1, got {value}")
    return value


def device(name: str):
    """The torch device of a --device flag; a device that is not there is bad input naming the flag."""
    from engine.train.loop import resolve_device

    try:
        return resolve_device(name)
    except DojoError as e:
        raise DojoError(f"--device {name!r}: {e}") from None


def dist():
    """engine.train.dist if a training stage loaded it (importing it here would load torch for
    every command)."""
    return sys.modules.get("engine.train.dist")


def is_main() -> bool:
    return dist() is None or dist().current().is_main


def emit(args, result: dict, human: str) -> None:
    """The result: one JSON object on stdout's last line with --json, else `human`. Under
    torchrun only rank 0 speaks."""
    if not is_main():
        return
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=_json_default))
    else:
        print(human)


def _json_default(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return str(o)


def finite(result: dict) -> dict:
    """`result` with NaN and infinities as None (JSON has neither)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in result.items()}


def fmt_time(s: float | None) -> str:
    if s is None:
        return "?"
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Printer:
    """Turns events into human progress lines on stderr, at most about once a second."""

    def __init__(self, quiet: bool = False):
        self.quiet, self.last, self.loss = quiet, 0.0, None

    def __call__(self, ev):
        from engine import events as E

        if self.quiet or not is_main():
            return
        out = sys.stderr
        if isinstance(ev, E.Metrics):
            if "train/loss" in ev.values:
                self.loss = ev.values["train/loss"]
            held_out = {k[4:].replace("_", " "): v for k, v in ev.values.items() if k.startswith("val/")}
            if held_out:
                print(f"step {ev.step}: " + ", ".join(f"val {k} {v:.4f}" for k, v in held_out.items()), file=out)
        elif isinstance(ev, E.Progress):
            now = time.monotonic()
            if now - self.last >= 1.0:
                self.last = now
                total = f"/{ev.total_steps}" if ev.total_steps else ""
                loss = f" loss {self.loss:.4f}" if self.loss is not None else ""
                # the rate is in tokens, or in the unit itself when the event counts nothing else (Progress.of)
                per_unit = ev.unit != "step" and ev.tokens == ev.step
                rate = f"{ev.tokens_per_s:,.1f}/s" if per_unit else f"{ev.tokens_per_s:,.0f} tok/s"
                print(
                    f"{ev.unit} {ev.step}{total}{loss}  {rate}  elapsed {fmt_time(ev.elapsed_s)}  ETA {fmt_time(ev.eta_s)}",
                    file=out,
                )
        elif isinstance(ev, E.Sample):
            print(f"sample @ {ev.step}: {ev.prompt!r} → {ev.text!r}", file=out)
        elif isinstance(ev, E.Checkpoint):
            print(f"checkpoint: {ev.path}", file=out)
        elif isinstance(ev, E.Log):
            print(("warning: " if ev.level == "warning" else "") + ev.message, file=out)
        out.flush()


def drive(events, printer):
    """Run a job's event stream through `printer`; its Finished event (None if it ended without one)."""
    from engine.events import Finished

    finished = None
    for ev in events:
        printer(ev)
        if isinstance(ev, Finished):
            finished = ev
    return finished


def with_control(fn):
    """Call fn(control) with a SIGINT handler that cancels the job gracefully the first time
    (it stops after the current step and keeps what was done); a second Ctrl-C aborts."""
    from engine.events import Control

    control = Control()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun: every rank gets the Ctrl-C; let it end them all
        return fn(control)

    def on_sigint(signum, frame):
        if control.cancelled:
            raise KeyboardInterrupt
        print("\nstopping after this step (Ctrl-C again to abort)…", file=sys.stderr)
        control.cancel()

    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        return fn(control)
    finally:
        signal.signal(signal.SIGINT, old)


def run_job(args, events):
    """Run `events(control)` under Ctrl-C handling, printing progress unless --quiet; its Finished event."""
    return with_control(lambda control: drive(events(control), Printer(getattr(args, "quiet", False))))


def token_progress(args, limit: int):
    """Tokens so far on stderr, once a second, after the first two seconds (a short answer says nothing)."""
    start = last = time.monotonic()

    def report(n: int) -> None:
        nonlocal last
        now = time.monotonic()
        if not getattr(args, "quiet", False) and now - start >= 2 and now - last >= 1:
            last = now
            print(
                f"generating: {n:,} of at most {limit:,} tokens, {n / (now - start):,.0f} tokens/s",
                file=sys.stderr,
                flush=True,
            )

    return report


def config_args(s) -> None:
    """--config, --set and --quiet: the flags of every command that builds a config."""
    s.add_argument("--config", help="TOML config file")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one config key (repeatable)")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")
