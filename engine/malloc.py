"""glibc's allocator, set for training on a thread that is not the main one.

The app trains on a job thread. With glibc's defaults a job there had 1.2-1.4x the page faults and
kernel time of the same job on the main thread (2-core VM, tiny preset, 12 s jobs, the two taking
turns). Two defaults cost it:
* each thread that allocates gets an arena of its own: heaps of at most 64 MB mapped apart from the
  main one, where the step's large temporaries (the logits: batch x context x vocabulary floats) are
  mapped and unmapped again;
* memory freed at the top of a heap goes back to the system once more than a small threshold (128 KB,
  then following the largest freed mapping) is free there, and the next step faults it back in,
  page by page, zeroed by the kernel.
One arena, a high trim threshold and a fixed mmap threshold: the thread's faults fell to the main
thread's. (The larger part of the job thread's slowness was OpenMP's, not the allocator's: see
engine.train.threads.serial_here; the README gives the app's speed with and without this tuning.)

Only where glibc is (Linux); a no-op elsewhere, and when the user set glibc's malloc tunables or
MALLOC_* variables themselves. Call it first thing in a process, before other threads allocate: a
thread that already has an arena keeps it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8
SETTINGS = {
    M_ARENA_MAX: 1,
    M_TRIM_THRESHOLD: 256 << 20,  # keep up to 256 MB free at the heap's top for the next step
    M_TOP_PAD: 64 << 20,  # grow the heap in 64 MB strides, not page by page
    M_MMAP_THRESHOLD: 32 << 20,  # glibc's largest; fixed, so it no longer moves the trim threshold
}


@functools.cache
def tune() -> bool:
    """Apply SETTINGS (once a process); True when glibc took them."""
    if not sys.platform.startswith("linux") or _user_chose():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols, libc's among them
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(k, v) == 1 for k, v in SETTINGS.items())


def _user_chose() -> bool:
    return "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", "") or any(k.startswith("MALLOC_") for k in os.environ)
