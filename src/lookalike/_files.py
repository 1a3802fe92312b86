"""Atomic file writes, for every layer: a file is either absent or complete, never torn.

The content goes to a temporary file in the target's folder (so the rename stays on one
file system), is flushed and fsynced, then ``os.replace`` puts it in place in one step. A
write that fails removes its temporary file (a full disk gets its space back at once).
Temporary names start with ``"."`` so that readers listing a folder skip them and a
tidy-up can tell them apart (the vector store removes ``.*`` files no catalog row names).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "atomic_path", "write_atomic"]


def _temp_in(folder: Path, prefix: str, suffix: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(
    path: str | os.PathLike,
    *,
    temp: str | os.PathLike | None = None,
    prefix: str | None = None,
    suffix: str = ".tmp",
    mode: int | None = None,
    sync_dir: bool = False,
) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends without error, that
    file (which the block wrote, by name) replaces ``path``; otherwise it is removed.

    ``temp`` names the temporary file exactly (it must be in ``path``'s folder);
    otherwise it is ``{prefix}<random>{suffix}`` with ``prefix`` ``".{name}."`` by
    default. ``mode``: permission bits to give the file (``mkstemp`` makes it 0600).
    ``sync_dir`` also fsyncs the folder, so that the rename itself survives a power cut.
    The block is responsible for flushing what it writes (see :func:`atomic_file`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if temp is not None:
        tmp = Path(temp)
    else:
        tmp = _temp_in(path.parent, prefix if prefix is not None else f".{path.name}.", suffix)
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # after a failure; a no-op once renamed
    if sync_dir:
        _fsync_dir(path.parent)


@contextmanager
def atomic_file(
    path: str | os.PathLike,
    *,
    temp: str | os.PathLike | None = None,
    prefix: str | None = None,
    suffix: str = ".tmp",
    fsync: bool = True,
    sync_dir: bool = False,
) -> Iterator[BinaryIO]:
    """Yield a binary file to write; when the block ends without error it is flushed,
    fsynced (unless ``fsync=False``: a cache that may lose its last entries in a power
    cut) and renamed to ``path``. Arguments as in :func:`atomic_path`."""
    with atomic_path(path, temp=temp, prefix=prefix, suffix=suffix, sync_dir=sync_dir) as tmp:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())


def write_atomic(path: str | os.PathLike, data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`); return the path."""
    with atomic_file(path, fsync=fsync) as fh:
        fh.write(data)
    return Path(path)
