"""engine.malloc: glibc's allocator set for a job on a second thread. Each case runs in a fresh
interpreter: the settings are per process and the arena limit counts from the first thread."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc only"
)

# A thread mallocs; malloc_info then lists the arenas ("<heap nr=…>"), written to a temporary file.
PROBE = """
import ctypes, os, sys, tempfile, threading
from engine.malloc import tune
tuned = tune() if sys.argv[1] == "tune" else None
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fflush.argtypes = [ctypes.c_void_p]
kept = []
t = threading.Thread(target=lambda: kept.append(libc.malloc(4096)))
t.start(); t.join()
fd, path = tempfile.mkstemp()
f = libc.fdopen(os.dup(fd), b"w")
libc.malloc_info(0, f); libc.fflush(f)
print(tuned, open(path).read().count("<heap nr="))
"""


def _probe(mode: str, **env) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES" and not k.startswith("MALLOC_")} | env,
    ).stdout.split()
    return out[0], int(out[1])


def test_a_thread_allocates_from_the_main_arena_once_tuned():
    assert _probe("tune") == ("True", 1)


def test_untuned_a_thread_gets_an_arena_of_its_own():
    """What tune() changes: without it the thread's malloc opens a second arena (so the test above
    can fail)."""
    assert _probe("plain") == ("None", 2)


@pytest.mark.parametrize("env", [{"GLIBC_TUNABLES": "glibc.malloc.arena_max=4"}, {"MALLOC_ARENA_MAX": "4"}])
def test_the_users_own_malloc_settings_win(env):
    tuned, heaps = _probe("tune", **env)
    assert tuned == "False" and heaps == 2  # left as the user set it: the thread got its own arena
