"""Writes that survive a crash: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(path: str | Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync; rename is still atomic
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# -- folders LM Dojo replaces whole (the cleaned corpus, token shards) or fills (an export) ----------
OURS = ".lmdojo"  # the marker in every such folder: {"kind": "clean" | "tokens" | "export"}


def is_ours(folder: Path, kind: str, legacy=None) -> bool:
    """Whether LM Dojo wrote `folder` as a `kind` folder: its marker, or for folders written before
    the marker existed, `legacy(folder)`."""
    import json

    try:
        return json.loads((Path(folder) / OURS).read_text(encoding="utf-8")).get("kind") == kind
    except (OSError, ValueError, AttributeError):
        return bool(legacy and legacy(Path(folder)))


def _overlaps(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or a in b.parents or b in a.parents


def check_output_dir(out: Path, kind: str, legacy=None, sources=(), workspace=None) -> None:
    """Refuse an output folder whose writing could destroy what is not ours: a file, a non-empty
    folder LM Dojo did not write, a source (or a folder inside or around one), the workspace itself
    or a folder that holds it."""
    from engine.errors import DojoError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DojoError(f"{out} exists and is not a folder")
    for s in sources:
        if _overlaps(out, Path(s)):
            raise DojoError(f"output {out} overlaps the source {s}: writing it would replace what it reads")
    if workspace is not None:
        w, o = Path(workspace).resolve(), out.resolve()
        if o == w or o in w.parents:
            raise DojoError(f"output {out} would replace the workspace {workspace} (or a folder holding it)")
    if out.is_dir() and any(out.iterdir()) and not is_ours(out, kind, legacy):
        raise DojoError(f"{out} is not empty and was not written by LM Dojo ({kind}); choose a new or empty folder")


def building_dir(final: Path) -> Path:
    """A fresh, uniquely named folder beside `final` to build its next version in (never a name a
    person could have used: hidden, with a random part)."""
    import tempfile

    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.building-"))


def replace_dir(new: Path, final: Path, kind: str | None = None) -> None:
    """Put the finished folder `new` where `final` was (marking it as ours): the old one stays
    usable until the new one is complete, and a crash leaves one of the two in place. The old one
    moves to a fresh hidden name, so no sibling of `final` is ever touched."""
    import json
    import shutil
    import tempfile

    new, final = Path(new), Path(final)
    if kind:
        atomic_write_text(new / OURS, json.dumps({"kind": kind}) + "\n")
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
        old.rmdir()
        final.rename(old)
    new.rename(final)
    fsync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def fill_dir(new: Path, final: Path, kind: str | None = None) -> None:
    """Move every file of the finished folder `new` into `final` (each by rename: atomic), leaving
    whatever else `final` holds — a person's own files — as it is; with `kind`, mark it as ours."""
    import json
    import shutil

    new, final = Path(new), Path(final)
    if not final.exists():
        replace_dir(new, final, kind)
        return
    for f in sorted(p for p in new.rglob("*") if p.is_file()):
        dest = final / f.relative_to(new)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, dest)
    if kind:
        atomic_write_text(final / OURS, json.dumps({"kind": kind}) + "\n")
    fsync_dir(final)
    shutil.rmtree(new, ignore_errors=True)
